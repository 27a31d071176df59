"""Which sockets a program listens on, read from /proc/net, and what that tells a student."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TCP_LISTEN = "0A"
DOCKER_DNS = "127.0.0.11"  # Docker's embedded resolver lives in every container's namespace


def _host(address: str) -> str:
    """An address as it is written before a port: IPv6 in brackets."""
    return f"[{address}]" if ":" in address else address


@dataclass(frozen=True)
class ListeningSocket:
    transport: str  # "tcp" or "udp"
    address: str
    port: int
    inode: int

    def __str__(self) -> str:
        return f"{_host(self.address)}:{self.port}"


def _decode_address(text: str) -> tuple[str, int]:
    hex_ip, hex_port = text.split(":")
    raw = bytes.fromhex(hex_ip)
    # /proc/net prints each 32-bit word in host (little-endian) order
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(words)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address), int(hex_port, 16)


def parse_proc_net(text: str, transport: str) -> list[ListeningSocket]:
    """Listening TCP sockets, or bound UDP sockets, from the text of /proc/net/{tcp,udp}[6]."""
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        address, port = _decode_address(fields[1])
        if transport == "tcp" and fields[3] != TCP_LISTEN:
            continue
        if transport == "udp" and _decode_address(fields[2])[1] != 0:
            continue  # a connected UDP socket is a client's, not a server's
        if address == DOCKER_DNS:
            continue
        found.append(ListeningSocket(transport, address, port, int(fields[9])))
    return found


@dataclass(frozen=True)
class DialedSocket:
    """A client's socket with a peer: a TCP connection (or attempt), a connected UDP socket."""

    transport: str  # "tcp" or "udp"
    address: str
    port: int
    inode: int

    def __str__(self) -> str:
        return f"{_host(self.address)} port {self.port} ({self.transport.upper()})"


def parse_dialed(text: str, transport: str) -> list[DialedSocket]:
    """The sockets with a remote address in the text of /proc/net/{tcp,udp}[6]."""
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        address, port = _decode_address(fields[2])
        if port != 0 and address != DOCKER_DNS:
            found.append(DialedSocket(transport, address, port, int(fields[9])))
    return found


def dialed_sockets_of(pids: Iterable[int], root: Path = Path("/proc/net")) -> list[DialedSocket]:
    """Where these processes are connected or connecting (local backend)."""
    inodes = _socket_inodes(pids)
    found: list[DialedSocket] = []
    for name in ("tcp", "tcp6", "udp", "udp6"):
        try:
            text = (root / name).read_text()
        except OSError:
            continue
        found += [s for s in parse_dialed(text, name.rstrip("6")) if s.inode in inodes]
    return found


def read_proc_net(root: Path = Path("/proc/net")) -> list[ListeningSocket]:
    sockets: list[ListeningSocket] = []
    for name in ("tcp", "tcp6", "udp", "udp6"):
        try:
            text = (root / name).read_text()
        except OSError:
            continue
        sockets += parse_proc_net(text, name.rstrip("6"))
    return sockets


def _socket_inodes(pids: Iterable[int]) -> set[int]:
    inodes: set[int] = set()
    for pid in pids:
        try:
            for fd in (Path("/proc") / str(pid) / "fd").iterdir():
                target = str(fd.readlink())
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return inodes


def listening_sockets_of(pids: Iterable[int]) -> list[ListeningSocket]:
    """The listening sockets held by any of these processes (local backend)."""
    inodes = _socket_inodes(pids)
    return [s for s in read_proc_net() if s.inode in inodes]


SHOWN_SOCKETS = 5  # a program holding a thousand ports gets one line, not 14 KB


def _listing(sockets: list[ListeningSocket]) -> str:
    """The first few sockets, then how many more: a bounded sentence."""
    shown = ", ".join(str(s) for s in sockets[:SHOWN_SOCKETS])
    more = len(sockets) - SHOWN_SOCKETS
    return f"{shown} and {more} more" if more > 0 else shown


def wrong_port_diagnostics(
    sockets: list[ListeningSocket], port: int, transport: str, *, remote_client: bool = False
) -> list[str]:
    """Sentences for a student whose server was not reachable where the grader looked.

    remote_client: the grader connects from another host, so a loopback bind is a mistake.
    """
    mine = [s for s in sockets if s.transport == transport]
    verb = "listens" if transport == "tcp" else "is bound"
    on_port = [s for s in mine if s.port == port]
    if not mine:
        return [f"your program {verb} on no {transport.upper()} port at all"]
    if not on_port:
        where = _listing(mine)
        return [
            f"nothing {verb} on port {port}; your program {verb} on {where} — take the port "
            "from the command line (argv[1]) instead of a fixed number"
        ]
    if remote_client and all(ipaddress.ip_address(s.address).is_loopback for s in on_port):
        where = _listing(on_port)
        return [
            f"your server {verb} on {where} — bind to 0.0.0.0 (all interfaces) so that other "
            "hosts can reach it"
        ]
    return []


def dialed_elsewhere(sockets: list[DialedSocket], host: str, port: int) -> list[str]:
    """A sentence for a client seen connected elsewhere than the host and port it was given
    (local backend, which cannot redirect it as the docker backend does)."""
    places = sorted({str(s) for s in sockets if (s.address, s.port) != (host, port)})
    if not places:
        return []
    return [
        f"your client is connected to {', '.join(places)}, not to the host and port given on "
        f"its command line ({host} port {port}): take them from the command line (the local "
        "backend cannot send it to the grader's server, the docker backend does)"
    ]
