"""Scaffolding a new assignment: a commented spec, a handout skeleton and working references.

What ``grader new`` makes validates as it is: a tiny protocol (the program says "hello", the
other side answers) with a Python and a C model and one mutant. The author then replaces the
protocol, the tests and the solutions with the real ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.errors import SpecError
from grader.spec import SPEC_FILE

Role = Literal["server", "client"]
Transport = Literal["tcp", "udp"]
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Scaffold:
    """What ``scaffold`` made: the assignment folder and every file, relative to the root."""

    directory: Path
    files: list[Path]


def scaffold(root: Path, assignment_id: str, role: Role, transport: Transport) -> Scaffold:
    """Create assignments/<id>/ and reference/<id>/ under root; refuse to overwrite anything."""
    if not ID_PATTERN.fullmatch(assignment_id) or len(assignment_id) > 64:
        raise SpecError(
            f"{assignment_id!r} is not a valid assignment id: use lowercase letters, digits and "
            "dashes (e.g. udp-pinger)"
        )
    assignment = root / "assignments" / assignment_id
    reference = root / "reference" / assignment_id
    taken = [p for p in (assignment, reference) if p.exists()]
    if taken:
        raise SpecError(
            f"{', '.join(map(str, taken))} already exists; tip: choose another id, or remove "
            "it first (grader new never overwrites)"
        )
    entry = "server" if role == "server" else "client"
    kind = f"{role}-{transport}"
    files: dict[Path, str] = {
        assignment / SPEC_FILE: _spec(assignment_id, role, transport, entry),
        assignment / "README.md": _handout(assignment_id, role, transport, entry),
        reference / "python" / f"{entry}.py": PYTHON[kind],
        reference / "c" / f"{entry}.c": C[kind],
        reference / "c" / "Makefile": MAKEFILE.format(entry=entry),
        reference / "mutants" / "example" / "mutant.yaml": MUTANT[role],
        reference / "mutants" / "example" / f"{entry}.py": MUTANT_PYTHON[kind],
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Scaffold(assignment, [p.relative_to(root) for p in files])


# --- The spec and the handout ------------------------------------------------------------------

SERVER_TESTS = {
    "tcp": """\
  - name: hello
    points: 10
    description: The server answers "hello" with "world".
    hint: Accept a connection, read the line, send back "world" and a newline.
    # impair: {seed: 1, to_program: {segment: 1}}  # through the relay: 1-byte writes
    scenario:                       # steps: see README "Writing an assignment"
      - connect: main               # retries until your server listens
      - send: "hello\\n"
      - expect_line: world

  - name: second-client
    points: 10
    description: After the first client leaves, a second client is answered too.
    hint: Call accept in a loop; never exit after one client.
    scenario:
      - connect: a
      - send: "hello\\n"
        conn: a
      - expect_line: world
        conn: a
      - close: a
      - connect: b
      - send: "hello\\n"
        conn: b
      - expect_line: world
        conn: b
""",
    "udp": """\
  - name: hello
    points: 10
    description: The server answers the datagram "hello" with "world".
    hint: recvfrom, then sendto the address recvfrom returned.
    scenario:                       # steps: see README "Writing an assignment"
      - udp_bind: main              # the grader's socket, on an ephemeral port
      - sendto: hello
      - expect_datagram: world

  - name: second-client
    points: 10
    description: The server keeps answering, another client too.
    hint: Loop on recvfrom; never exit after one datagram.
    scenario:
      - udp_bind: a
      - sendto: hello
        conn: a
      - expect_datagram: world
        conn: a
      - udp_bind: b
      - sendto: hello
        conn: b
      - expect_datagram: world
        conn: b
""",
}

CLIENT_TESTS = {
    "tcp": """\
  - name: hello
    points: 10
    description: The client connects, sends "hello" and exits with code 0 once answered.
    hint: Connect to the host and port given on the command line, send "hello" and a newline.
    scenario:                       # the grader is the server here
      - listen: server              # on the port given to your client as {port}
      - start:                      # starts your client
      - accept: main
        listener: server
      - expect_line: hello
      - send: "world\\n"
      - close: main
      - expect_exit: 0

  - name: prints-reply
    points: 10
    description: The client prints the server's answer.
    hint: Read the answer line and print it.
    scenario:
      - listen: server
      - start:
      - accept: main
        listener: server
      - expect_line: hello
      - send: "world\\n"
      - expect_output: world        # stdout contains it
      - expect_exit: 0
""",
    "udp": """\
  - name: hello
    points: 10
    description: The client sends the datagram "hello" and exits with code 0 once answered.
    hint: sendto the host and port given on the command line, then recvfrom the answer.
    scenario:                       # the grader is the server here
      - udp_bind: server
        port: assigned              # the port given to your client as {port}
      - start:                      # starts your client
      - expect_datagram: hello
        conn: server
      - sendto: world
        conn: server
        to: last_sender             # reply to your client's address
      - expect_exit: 0

  - name: prints-reply
    points: 10
    description: The client prints the server's answer.
    hint: Print the datagram you receive.
    scenario:
      - udp_bind: server
        port: assigned
      - start:
      - expect_datagram: hello
        conn: server
      - sendto: world
        conn: server
        to: last_sender
      - expect_output: world
      - expect_exit: 0
""",
}


def _spec(assignment_id: str, role: Role, transport: Transport, entry: str) -> str:
    args = "{port}" if role == "server" else "{host} {port}"
    tests = (SERVER_TESTS if role == "server" else CLIENT_TESTS)[transport]
    return f"""\
# yaml-language-server: $schema=../../schema/assignment.schema.json
# Made by `grader new`: a working example to replace with your assignment. It validates as it is:
#   grader validate assignments/{assignment_id}
# Every field is described by `grader schema`; README.md "Writing an assignment" lists the steps.
id: {assignment_id}                 # = this folder's name
title: TODO title
summary: >-
  TODO: one or two sentences saying what students build.
role: {role}                        # what the student writes: server | client
transport: {transport}                     # tcp | udp
# port: 12000                       # a fixed port the handout prescribes (default: a free port)
# port_discovery: false             # servers: a hardcoded port is found by default; off
# topology: shared                  # docker: clients that hardcode localhost
# files: files                      # a folder placed in the program's working directory
languages:
  python:
    entry: {entry}.py
    run: python3 {entry}.py {args}
  c:
    entry: {entry}
    build: auto                     # make if there is a Makefile, else gcc -Wall -Wextra -O2
    run: ./{entry} {args}
limits: {{step_timeout: 5}}          # seconds a step waits; short ones make mutants fail fast
hints:
  - "Run a failing test alone with --test NAME; the HTML report shows the conversation."

tests:
{tests}"""


def _handout(assignment_id: str, role: Role, transport: Transport, entry: str) -> str:
    args = "PORT" if role == "server" else "HOST PORT"
    printed = "" if role == "server" else ", what the client prints"
    prints = "" if role == "server" else ", which the client prints"
    return f"""\
# TODO title

TODO: what students build, in two or three sentences. (Made by `grader new`: replace every
TODO, and keep the test table in step with assignment.yaml.)

## The protocol

TODO: every message, byte for byte: what the client sends, what the server answers{printed}.
This example ({transport.upper()}): the client sends `hello` and the server answers
`world`{prints}.

## How the grader runs it

**Python** (standard library only): a folder containing `{entry}.py`, run as

```sh
python3 {entry}.py {args}
```

**C**: a folder containing your `.c` files, and a `Makefile` if you like (it must make an
executable named `{entry}`; without one, `gcc -Wall -Wextra -O2 -pthread -o {entry} *.c`),
run as `./{entry} {args}`.

## Check your work yourself

```sh
grader check assignments/{assignment_id} path/to/your/folder
grader check assignments/{assignment_id} path/to/your/folder --report report.html
```

## The tests

| Test | Points | What it checks |
| --- | ---: | --- |
| `hello` | 10 | TODO |
| `second-client` / `prints-reply` | 10 | TODO |
| **Total** | **20** | |

## Classic pitfalls

TODO: the mistakes students make, each with the test that catches it.
"""


# --- Reference solutions ---------------------------------------------------------------------

MAKEFILE = """\
CC = gcc
CFLAGS = -Wall -Wextra -O2

{entry}: {entry}.c
\t$(CC) $(CFLAGS) -o $@ $<

clean:
\trm -f {entry}

.PHONY: clean
"""

PYTHON = {
    "server-tcp": '''\
"""Example server: answers the line "hello" with "world" (replace with your model solution)."""

import socket
import sys


def main():
    with socket.create_server(("", int(sys.argv[1]))) as listener:
        while True:
            conn, _ = listener.accept()
            with conn, conn.makefile("rb") as lines:
                for _line in lines:
                    conn.sendall(b"world\\n")


if __name__ == "__main__":
    main()
''',
    "server-udp": '''\
"""Example server: answers the datagram "hello" with "world" (replace with your model solution)."""

import socket
import sys


def main():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("", int(sys.argv[1])))
        while True:
            _data, sender = sock.recvfrom(2048)
            sock.sendto(b"world", sender)


if __name__ == "__main__":
    main()
''',
    "client-tcp": '''\
"""Example client: sends "hello", prints the answer (replace with your model solution)."""

import socket
import sys


def main():
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5) as sock:
        sock.sendall(b"hello\\n")
        answer = sock.makefile("rb").readline()
    print(answer.decode().strip())


if __name__ == "__main__":
    main()
''',
    "client-udp": '''\
"""Example client: sends "hello", prints the answer (replace with your model solution)."""

import socket
import sys


def main():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(b"hello", (sys.argv[1], int(sys.argv[2])))
        answer, _ = sock.recvfrom(2048)
    print(answer.decode())


if __name__ == "__main__":
    main()
''',
}

_C_HEAD = """\
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
"""

C = {
    "server-tcp": f"""\
/* Example server: answers each line with "world" (replace with your model solution). */
{_C_HEAD}
int main(int argc, char **argv) {{
    if (argc != 2) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr = {{0}};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) {{
        perror("bind/listen");
        return 1;
    }}
    for (;;) {{
        int conn = accept(fd, NULL, NULL);
        if (conn < 0) continue;
        char buf[4096];
        ssize_t n;
        while ((n = recv(conn, buf, sizeof buf, 0)) > 0)
            for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\\n') send(conn, "world\\n", 6, 0);
        close(conn);
    }}
}}
""",
    "server-udp": f"""\
/* Example server: answers each datagram with "world" (replace with your model solution). */
{_C_HEAD}
int main(int argc, char **argv) {{
    if (argc != 2) return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {{0}};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {{
        perror("bind");
        return 1;
    }}
    for (;;) {{
        char buf[2048];
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) < 0) continue;
        sendto(fd, "world", 5, 0, (struct sockaddr *)&from, len);
    }}
}}
""",
    "client-tcp": f"""\
/* Example client: sends "hello", prints the answer (replace with your model solution). */
{_C_HEAD}
int main(int argc, char **argv) {{
    if (argc != 3) return 2;
    struct addrinfo hints = {{0}}, *ai;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) return 1;
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {{
        perror("connect");
        return 1;
    }}
    freeaddrinfo(ai);
    send(fd, "hello\\n", 6, 0);
    char buf[4096];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = recv(fd, buf + got, sizeof buf - 1 - got, 0)) > 0) {{
        got += (size_t)n;
        if (memchr(buf, '\\n', got)) break;
    }}
    buf[got] = '\\0';
    buf[strcspn(buf, "\\r\\n")] = '\\0';
    printf("%s\\n", buf);
    close(fd);
    return 0;
}}
""",
    "client-udp": f"""\
/* Example client: sends "hello", prints the answer (replace with your model solution). */
{_C_HEAD}
int main(int argc, char **argv) {{
    if (argc != 3) return 2;
    struct addrinfo hints = {{0}}, *ai;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) return 1;
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    sendto(fd, "hello", 5, 0, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    char buf[2048];
    ssize_t n = recvfrom(fd, buf, sizeof buf - 1, 0, NULL, NULL);
    if (n < 0) {{
        perror("recvfrom");
        return 1;
    }}
    buf[n] = '\\0';
    printf("%s\\n", buf);
    close(fd);
    return 0;
}}
""",
}

MUTANT = {
    "server": """\
# A known-buggy solution: which tests must catch its bug. Add one folder per realistic bug.
description: The server answers its first client, then exits.
fails: [second-client]
""",
    "client": """\
# A known-buggy solution: which tests must catch its bug. Add one folder per realistic bug.
description: The client never prints the server's answer.
fails: [prints-reply]
""",
}

MUTANT_PYTHON = {
    "server-tcp": PYTHON["server-tcp"]
    .replace("        while True:\n", "        if True:  # bug: one client only\n")
    .replace("Example server", "Mutant of the example server"),
    "server-udp": PYTHON["server-udp"]
    .replace("        while True:\n", "        if True:  # bug: one datagram only\n")
    .replace("Example server", "Mutant of the example server"),
    "client-tcp": PYTHON["client-tcp"]
    .replace("    print(answer.decode().strip())\n", "    del answer  # bug: never printed\n")
    .replace("Example client", "Mutant of the example client"),
    "client-udp": PYTHON["client-udp"]
    .replace("    print(answer.decode())\n", "    del answer  # bug: never printed\n")
    .replace("Example client", "Mutant of the example client"),
}
