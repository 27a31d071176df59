"""What the grader says about where a program listens: bounded, whatever the program does."""

from __future__ import annotations

from grader.sockets import ListeningSocket, wrong_port_diagnostics


def test_a_thousand_ports_make_one_short_line() -> None:
    held = [ListeningSocket("tcp", "0.0.0.0", 20000 + n, n) for n in range(1020)]
    (line,) = wrong_port_diagnostics(held, 6789, "tcp")
    assert line.startswith(
        "nothing listens on port 6789; your program listens on 0.0.0.0:20000, 0.0.0.0:20001, "
        "0.0.0.0:20002, 0.0.0.0:20003, 0.0.0.0:20004 and 1015 more — take the port"
    ), line
    assert len(line) < 300


def test_a_few_ports_are_all_named() -> None:
    held = [ListeningSocket("udp", "127.0.0.1", 12001, 1)]
    assert wrong_port_diagnostics(held, 12000, "udp") == [
        "nothing is bound on port 12000; your program is bound on 127.0.0.1:12001 — take the "
        "port from the command line (argv[1]) instead of a fixed number"
    ]
