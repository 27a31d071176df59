"""Finding the program among several files by what each does; how the plan then runs it."""

from __future__ import annotations

from pathlib import Path

from grader.entry import built_executable, find_c_entry, find_python_entry
from grader.program import plan_program
from grader.spec import load_assignment
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "tests" / "programs"
UDP_SERVER = """\
from socket import *
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))
while True:
    message, address = serverSocket.recvfrom(1024)
    serverSocket.sendto(message.upper(), address)
"""
UDP_CLIENT = """\
from socket import *
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)
clientSocket.sendto(b'Ping 1', ('localhost', 12000))
print(clientSocket.recvfrom(1024))
"""


def folder(tmp_path: Path, files: dict[str, str]) -> tuple[Path, tuple[str, ...]]:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path, tuple(sorted(files))


def test_udp_server_and_client_are_told_apart(tmp_path: Path) -> None:
    root, files = folder(
        tmp_path, {"UDPPingerServer2.py": UDP_SERVER, "UDPPingerClient2.py": UDP_CLIENT}
    )
    server = find_python_entry(root, files, "server", "udp", "UDPPingerServer.py")
    client = find_python_entry(root, files, "client", "udp", "UDPPingerClient.py")
    assert (server.path, server.reason) == ("UDPPingerServer2.py", "it binds a UDP port")
    assert (client.path, client.reason) == ("UDPPingerClient2.py", "it sends datagrams (sendto)")


def test_the_file_named_as_the_handout_says_wins(tmp_path: Path) -> None:
    root, files = folder(tmp_path, {"server.py": UDP_SERVER, "other_server.py": UDP_SERVER})
    choice = find_python_entry(root, files, "server", "udp", "server.py")
    assert (choice.path, choice.reason, choice.ambiguity) == ("server.py", "", None)


def test_an_unparsable_only_file_is_run_to_show_its_error(tmp_path: Path) -> None:
    root, files = folder(tmp_path, {"srv.py": "print 'hi'\n"})
    choice = find_python_entry(root, files, "server", "tcp", "server.py")
    assert (choice.path, choice.reason) == ("srv.py", "it is the only Python program")


def test_a_module_that_only_defines_things_is_no_entry(tmp_path: Path) -> None:
    helper = "import socket\n\ndef serve(port):\n    s = socket.socket()\n    s.listen()\n"
    root, files = folder(
        tmp_path, {"helpers.py": helper, "run.py": "import helpers\nhelpers.serve(5)\n"}
    )
    choice = find_python_entry(root, files, "server", "tcp", "server.py")
    assert (choice.path, choice.reason) == ("run.py", "it listens")


def test_options_for_the_port_and_host_are_read_from_argparse_and_getopt(
    tmp_path: Path,
) -> None:
    argparse = (
        "import argparse, socket\np = argparse.ArgumentParser()\n"
        "p.add_argument('--host', default='localhost')\n"
        "p.add_argument('-p', '--port', type=int)\na = p.parse_args()\n"
        "socket.create_connection((a.host, a.port))\n"
    )
    positional = "import argparse\np = argparse.ArgumentParser()\np.add_argument('port')\n"
    root, files = folder(tmp_path, {"c.py": argparse, "p/s.py": positional + "s.listen()\n"})
    assert find_python_entry(root, ("c.py",), "client", "tcp", "x.py").options == {
        "host": "--host",
        "port": "-p",
    }
    assert find_python_entry(root, ("p/s.py",), "server", "tcp", "x.py").options == {}
    c_main = 'int main(int c, char **v) { getopt(c, v, "vp:"); listen(0, 1); }\n'
    root, files = folder(tmp_path / "c", {"srv.c": c_main})
    assert find_c_entry(root, files, "server", "tcp", "server").options == {"port": "-p"}


def test_c_mains_are_chosen_by_role_and_helpers_kept(tmp_path: Path) -> None:
    root, files = folder(
        tmp_path,
        {
            "udp_srv.c": "int main(void) { bind(0, 0, 0); recvfrom(0); }\n",
            "udp_cli.c": "int main(void) { sendto(0); }\n",
            "util.c": "int helper(void) { return 1; } /* int main(void) in a comment */\n",
        },
    )
    server = find_c_entry(root, files, "server", "udp", "server")
    assert server.sources == ("udp_srv.c", "util.c")
    assert server.reason == (
        "it binds a UDP port; udp_cli.c (with a main of its own) left out of the gcc line"
    )
    assert find_c_entry(root, files, "client", "udp", "client").sources == ("udp_cli.c", "util.c")


def test_the_executable_a_makefile_built_is_the_one_named_for_the_role_else_the_newest() -> None:
    found = [("run.sh", 9.0), ("tcpclient", 3.0), ("tcpserver", 2.0), ("build/tool", 1.0)]
    assert built_executable(found, "server") == "tcpserver"
    assert built_executable([("a.out", 1.0), ("prog", 2.0)], "server") == "prog"
    assert built_executable([("run.sh", 1.0)], "server") is None


def test_plan_runs_the_file_found_with_the_options_it_reads() -> None:
    spec = load_assignment(ROOT / "assignments" / "tcp-echo").spec
    plan = plan_program(spec, "python", load_submission(PROGRAMS / "echo-argparse-port"))
    assert plan.run_argv("0.0.0.0", 4321) == ["python3", "server.py", "-p", "4321"]
    plan = plan_program(spec, "python", load_submission(PROGRAMS / "echo-package"))
    assert plan.run_argv("0.0.0.0", 4321) == ["python3", "echo.py", "4321"]
    assert plan.entry_copied_from is None
    c_plan = plan_program(spec, "c", load_submission(PROGRAMS / "echo-c-two-mains"))
    assert c_plan.build_argv() == [
        "gcc", "-Wall", "-Wextra", "-O2", "-pthread", "-o", "server", "common.c", "server.c"
    ]
    assert c_plan.run_argv("0.0.0.0", 4321) == ["./server", "-p", "4321"]


def test_an_option_is_used_for_one_thing_and_the_report_says_so(tmp_path: Path) -> None:
    text = (
        "import argparse, socket\np = argparse.ArgumentParser()\n"
        "p.add_argument('--server-port', type=int)\np.add_argument('--server-host')\n"
        "a = p.parse_args()\nsocket.create_connection((a.server_host, a.server_port))\n"
    )
    root, files = folder(tmp_path, {"client.py": text})
    options = find_python_entry(root, files, "client", "tcp", "client.py").options
    assert options == {"port": "--server-port", "host": "--server-host"}
    spec = load_assignment(ROOT / "assignments" / "tcp-client").spec
    plan = plan_program(spec, "python", load_submission(root))
    assert plan.run_argv("10.0.0.2", 80) == [
        "python3", "client.py", "--server-host", "10.0.0.2", "--server-port", "80", "news"
    ]
    assert plan.notes() == [
        "your program reads its host with the option --server-host, so it was given "
        "--server-host {host} where the handout puts {host}",
        "your program reads its port with the option --server-port, so it was given "
        "--server-port {port} where the handout puts {port}",
    ]
