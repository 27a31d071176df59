"""Docker: a client's hard-coded destinations reach the reference peer, inside its namespace.

Real clients dial where the textbook or the student chose: localhost:12000, 127.0.0.1:12001,
a LAN address, smtp.gmail.com. In a client assignment's sandbox, the student's network
namespace sends every TCP and UDP packet of the program user (uid 10001) to the grader's peer,
and every DNS query of it to the driver's DNS responder, which answers every name with the
namespace's own address. Nothing of the program's leaves the namespace.

Topology: the peer (the driver) lives in the student's namespace (the tester container joins
it), for every client assignment. Only there does one rule reach every destination: a packet
to 127.0.0.1 never leaves its namespace, so a peer in another container could be reached from
a loopback source only with SNAT and route_localnet on top of DNAT. In the namespace:

- policy routing: the program user's packets look up table 100, `local default dev lo src
  127.0.0.1`: every address is local, so nothing is routed out (a remote address would
  otherwise fail with ENETUNREACH before any rule sees it); the default route is removed;
- nat OUTPUT, before Docker's own rules for its resolver 127.0.0.11: the program user's UDP to
  port 53 goes to the DNS responder; TCP and UDP to the given host and port of a `redirect:
  false` test pass untouched; everything else goes to the peer's port (REDIRECT, 127.0.0.1).

The driver runs as another user (10002) so that the rules spare the grader's own sockets. The
rules are installed once per submission by a short-lived container with NET_ADMIN that joins
the namespace and exits; the student and tester containers keep no capabilities. The peer's
port is therefore one per submission (the spec's port if it fixes one); a `redirect: false`
test gives the program another port, where the peer listens instead, so that only a client
that dials the host and port it was given reaches it.

Where the client dialed is read after each test from the namespace's connection tracking
table (/proc/net/nf_conntrack: the original destination of each redirected TCP connection
and UDP flow), by a shell kept in the tester as root without capabilities (the file's owner
may read it); the names it looked up are the DNS responder's events.
"""

from __future__ import annotations

import base64
import random
import re
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.backends.docker_exec import PROGRAM_UID, ExecStream
from grader.errors import BackendError
from grader.spec import Assignment, TestSpec

if TYPE_CHECKING:
    from grader.backends.docker import Engine

TESTER_NAME = "tester"  # the name a `separate` client is given as {host}: our DNS answers it
DRIVER_UID = 10002  # not PROGRAM_UID: the rules match the program user's packets only
DRIVER_USER = f"{DRIVER_UID}:{DRIVER_UID}"
READER_USER = "0:0"  # no capabilities: root only as the owner of /proc/net/nf_conntrack
TABLE = 100
SETUP_TIMEOUT = 20.0
READ_TIMEOUT = 5.0
END = b"--end--"
PORTS = (20000, 32768)  # as the sandbox's, below the ephemeral range
# Kept in the tester: one line in, the connection tracking table out, then the END line.
READER = f'while read -r _; do cat /proc/net/nf_conntrack; echo "{END.decode()}"; done'
# Run as root with NET_ADMIN in the student's namespace; prints the namespace's address.
SETUP = """\
set -eu
set -- $(ip -4 -o addr show dev eth0)
address=${{4%/*}}
given={given}
[ "$given" = namespace ] && given=$address
ip route del default 2>/dev/null || true
ip rule add uidrange {uid}-{uid} lookup {table} priority 100
ip route add local default dev lo src 127.0.0.1 table {table}
iptables-restore -w 5 --noflush <<RULES
*nat
-I OUTPUT 1 -m owner --uid-owner {uid} -p udp --dport 53 -j REDIRECT --to-ports {dns}
-I OUTPUT 2 -m owner --uid-owner {uid} -p tcp -d $given --dport {given_port} -j RETURN
-I OUTPUT 3 -m owner --uid-owner {uid} -p udp -d $given --dport {given_port} -j RETURN
-I OUTPUT 4 -m owner --uid-owner {uid} -p tcp -j REDIRECT --to-ports {peer}
-I OUTPUT 5 -m owner --uid-owner {uid} -p udp -j REDIRECT --to-ports {peer}
COMMIT
RULES
echo "$address"
"""
FLOW = re.compile(
    r"^ipv4\s+\d+\s+(?P<proto>tcp|udp)\s.*?"
    r"src=(?P<src>\S+) dst=(?P<dst>\S+) sport=(?P<sport>\d+) dport=(?P<dport>\d+) .*?"
    r"src=(?P<rsrc>\S+) dst=\S+ sport=(?P<rsport>\d+) dport=\d+",
    re.MULTILINE,
)


def redirects(spec: Assignment) -> bool:
    """Whether the docker backend redirects this assignment's program: every client."""
    return spec.role == "client"


@dataclass(frozen=True)
class Flow:
    """One tracked connection or UDP flow: where the program sent it, where it arrived."""

    proto: str
    src: str
    sport: int
    dst: str
    dport: int
    arrived: str
    arrived_port: int

    @property
    def key(self) -> tuple[str, str, int, str, int]:
        return self.proto, self.src, self.sport, self.dst, self.dport


def parse_conntrack(text: str) -> list[Flow]:
    """The IPv4 TCP and UDP flows of /proc/net/nf_conntrack."""
    return [
        Flow(
            m["proto"], m["src"], int(m["sport"]), m["dst"], int(m["dport"]),
            m["rsrc"], int(m["rsport"]),
        )
        for m in FLOW.finditer(text)
    ]


@dataclass
class Redirection:
    """The redirection of one submission's sandbox: its ports, and what each test dialed."""

    peer_port: int  # where the peer listens in a redirected test, and where everything goes
    given_port: int  # where it listens in a `redirect: false` test
    dns_port: int
    loopback: bool  # the program is given 127.0.0.1 (a `shared` spec), not the name "tester"
    address: str = ""  # the namespace's own address, which the DNS responder gives every name
    _reader: ExecStream | None = None
    _seen: set[tuple[str, str, int, str, int]] = field(default_factory=set)

    @classmethod
    def plan(cls, spec: Assignment) -> Redirection:
        peer = spec.port or random.randrange(*PORTS)
        given, dns = random.sample([p for p in range(*PORTS) if p != peer], 2)
        return cls(peer, given, dns, loopback=spec.topology == "shared")

    @property
    def program_host(self) -> str:
        """{host} for the program: its given host, which a `redirect: false` test checks."""
        return "127.0.0.1" if self.loopback else TESTER_NAME

    def port_for(self, test: TestSpec) -> int:
        return self.given_port if test.redirect is False else self.peer_port

    def script(self) -> str:
        return SETUP.format(
            given="127.0.0.1" if self.loopback else "namespace", uid=PROGRAM_UID, table=TABLE,
            dns=self.dns_port, given_port=self.given_port, peer=self.peer_port,
        )

    def begin(
        self, engine: Engine, image_id: str, name: str, labels: dict[str, str],
        student_id: str,
    ) -> str:
        """Start installing the rules in the student's namespace (which the tester shares):
        the NET_ADMIN container's id, for `finish` (the caller removes it)."""
        return engine.start_net_admin(
            name, image_id, labels, student_id, ["sh", "-c", self.script()]
        )

    def finish(self, engine: Engine, helper_id: str, tester_id: str, stack: ExitStack) -> None:
        """Wait until the rules are in place, then keep the conntrack reader in the tester."""
        outcome = engine.wait_container(helper_id, SETUP_TIMEOUT)
        text = outcome.output.decode(errors="replace").strip()
        if outcome.exit_code != 0 or not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", text):
            raise BackendError(
                f"could not redirect the client's destinations in its sandbox (exit "
                f"{outcome.exit_code}): {text[-500:]}"
            )
        self.address = text
        self._reader = engine.attach(tester_id, ["sh", "-c", READER], READER_USER)[1]
        stack.callback(self._reader.close)
        self._seen = {flow.key for flow in self._flows()}

    def request(self, test: TestSpec) -> dict[str, Any]:
        """The driver request's `redirect`: every name the program looks up is the namespace;
        in a test that does not redirect, the connections that arrive redirected are reset."""
        catch = self.peer_port if test.redirect is False else None
        return {"dns_port": self.dns_port, "answer": self.address, "catch": catch}

    def _flows(self) -> list[Flow]:
        if self._reader is None:
            return []
        self._reader.write(b"\n")
        text, deadline = bytearray(), time.monotonic() + READ_TIMEOUT
        try:
            while not text.rstrip().endswith(END):
                frame = self._reader.read_frame(deadline)
                if frame is None:
                    raise BackendError("the connection tracking reader in the tester ended")
                text += frame[1]
        except (OSError, TimeoutError) as e:
            raise BackendError(f"could not read the connection tracking table: {e}") from e
        return parse_conntrack(text.decode(errors="replace"))

    def dialed(self) -> list[Flow]:
        """The flows that arrived at the peer's port since the last call, in the table's order:
        the program's (the grader's own sockets never dial it), redirected or not."""
        flows = self._flows()
        new = [f for f in flows if f.key not in self._seen]
        self._seen = {f.key for f in flows}
        return [f for f in new if f.arrived_port == self.peer_port]

    def notes(self, test: TestSpec, port: int, result: dict[str, Any]) -> list[str]:
        """What the report says about where the client dialed in this test, when that was not
        the host and port it was given."""
        given = ("127.0.0.1" if self.loopback else self.address, port)
        names = _names(result.get("events", []), self.program_host)
        places: list[str] = []
        for flow in self.dialed():
            if (flow.dst, flow.dport) == given:
                continue
            host = flow.dst
            if flow.dst == self.address and names:
                host = " or ".join(names)  # a name our DNS answered with the namespace's address
            place = f"{host} port {flow.dport} ({flow.proto.upper()})"
            if place not in places:
                places.append(place)
        if not places:
            return []
        where = f"{self.program_host} port {port}"
        said = f"your client dialed {', '.join(places)}, not the host and port given on its "
        if test.redirect is False:
            return [
                f"{said}command line ({where}); this test checks that it uses them, so the "
                "grader did not send it to its server"
            ]
        return [
            f"{said}command line ({where}): inside the sandbox the grader sent it to its own "
            "server, but take the host and port from the command line as the handout says"
        ]


def _names(events: list[dict[str, Any]], given: str) -> list[str]:
    """The names the program looked up (the DNS responder's events), its given host aside."""
    names: list[str] = []
    for event in events:
        if event.get("conn") == "dns" and event.get("data_b64"):
            name = base64.b64decode(event["data_b64"]).decode(errors="replace")
            if name != given and name not in names:
                names.append(name)
    return names
