"""The driver's side of docker's redirection: a DNS responder, and a catcher of connections.

On the docker backend a client's every TCP and UDP destination is redirected to the grader's
port, and its DNS queries (UDP port 53, to any server, Docker's own resolver 127.0.0.11
included) to this responder, so that a client that dials smtp.gmail.com reaches the grader's
server and no query leaves the sandbox. The responder speaks just enough of RFC 1035 for the
resolvers of glibc and Python: an A (or ANY) question gets one A record with the one address,
any other type (AAAA ...) an empty NOERROR answer, so that the resolver falls back to IPv4.
Each question is a transcript event on connection "dns" whose data is the name looked up.

In a test that does not redirect (the scenario's peer listens on the port given to the
program), the catcher takes the connections that still arrive at the redirection port and
resets each at once, with an event saying where the program dialed (SO_ORIGINAL_DST): the
program fails at once, and connection tracking keeps the flow for the backend's report (a
connection refused there would leave no trace).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Mapping
from typing import Any

from .transcript import Transcript

HEADER = struct.Struct("!HHHHHH")  # id, flags, questions, answers, authority, additional
TYPE_A, TYPE_ANY, CLASS_IN = 1, 255, 1
TTL = 5  # seconds: a test's lookups are answered again by the next test's responder
POLL = 0.2  # seconds between checks of the stop flag
ORIGINAL_DST = (socket.SOL_IP, 80)  # SO_ORIGINAL_DST of linux/netfilter_ipv4.h
TYPE_NAMES = {1: "A", 28: "AAAA", 5: "CNAME", 15: "MX", 16: "TXT", 33: "SRV", 255: "ANY"}


def parse_question(query: bytes) -> tuple[int, int, str, int, bytes] | None:
    """(id, flags, name, qtype, the question's bytes) of a standard query, None for anything
    else (a response, another opcode, a malformed or compressed question)."""
    if len(query) < HEADER.size:
        return None
    ident, flags, questions, *_ = HEADER.unpack_from(query)
    if flags & 0x8000 or (flags >> 11) & 0xF or questions != 1:
        return None
    labels, at = [], HEADER.size
    while at < len(query) and (size := query[at]) != 0:
        if size > 63 or at + 1 + size > len(query):
            return None
        labels.append(query[at + 1 : at + 1 + size].decode("ascii", errors="replace"))
        at += 1 + size
    end = at + 5  # the root label, then type and class
    if end > len(query):
        return None
    qtype, _ = struct.unpack_from("!HH", query, at + 1)
    return ident, flags, ".".join(labels), qtype, query[HEADER.size : end]


def answer(query: bytes, address: str) -> tuple[bytes, str, int, bool] | None:
    """The response to a query, the name asked, its type and whether the response holds an
    address; None: no response is sent."""
    parsed = parse_question(query)
    if parsed is None:
        return None
    ident, flags, name, qtype, question = parsed
    records = b""
    if qtype in (TYPE_A, TYPE_ANY):
        # a pointer to the question's name (offset 12), type A, class IN, TTL, the address
        records = struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, TTL, 4)
        records += socket.inet_aton(address)
    # a response (QR), authoritative (AA), recursion desired copied and available (RA)
    reply_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080
    header = HEADER.pack(ident, reply_flags, 1, 1 if records else 0, 0, 0)
    return header + question + records, name, qtype, bool(records)


class Responder:
    """The responder's socket and thread, for one test."""

    def __init__(self, sock: socket.socket, address: str, transcript: Transcript) -> None:
        self.sock = sock
        self.address = address
        self.transcript = transcript
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="driver dns", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                query, sender = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            found = answer(query, self.address)
            if found is None:
                continue
            response, name, qtype, answered = found
            kind = TYPE_NAMES.get(qtype, f"type {qtype}")
            said = f"answered {self.address}" if answered else "no address of this type"
            self.transcript.record(
                "dns", "note", name.encode(), note=f"the program looked up {name} ({kind}): {said}"
            )
            try:
                self.sock.sendto(response, sender)
            except OSError:
                continue

    def close(self) -> None:
        self._stop.set()
        _wake_and_close(self.sock)
        self._thread.join(2 * POLL)


class Catcher:
    """The listener on the redirection port in a test that does not redirect."""

    def __init__(self, sock: socket.socket, transcript: Transcript) -> None:
        self.sock = sock
        self.transcript = transcript
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="driver catcher", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            with conn:
                try:
                    port, raw = struct.unpack_from("!2xH4s", conn.getsockopt(*ORIGINAL_DST, 16))
                    dialed = f"{socket.inet_ntoa(raw)}:{port}"
                except OSError:
                    dialed = "another host or port"
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.transcript.record(
                    "redirect", "note",
                    note=f"the program dialed {dialed}, not the host and port it was given: "
                    "this test does not redirect it, so the grader reset the connection",
                )

    def close(self) -> None:
        self._stop.set()
        _wake_and_close(self.sock)
        self._thread.join(2 * POLL)


class Redirection:
    """The responder and, in a test that does not redirect, the catcher, as config asks:
    {"dns_port": port, "answer": address, "catch": port or None}. A ValueError for a bad
    configuration, OSError when a port cannot be bound."""

    def __init__(self, config: Mapping[str, Any], transcript: Transcript) -> None:
        self.parts: list[Responder | Catcher] = []
        dns, address, catch = config.get("dns_port"), config.get("answer"), config.get("catch")
        for key, port in (("dns_port", dns), ("catch", catch)):
            if port is not None and (not isinstance(port, int) or not 0 < port < 65536):
                raise ValueError(f"'redirect.{key}' must be a port number, not {port!r}")
        try:
            socket.inet_aton(str(address))
        except OSError as e:
            raise ValueError(f"'redirect.answer' must be an IPv4 address, not {address!r}") from e
        try:
            if dns is not None:
                sock = _bound(socket.SOCK_DGRAM, "127.0.0.1", dns)
                self.parts.append(Responder(sock, str(address), transcript))
            if catch is not None:
                sock = _bound(socket.SOCK_STREAM, "0.0.0.0", catch)
                sock.listen(16)
                self.parts.append(Catcher(sock, transcript))
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        for part in self.parts:
            part.close()


def _wake_and_close(sock: socket.socket) -> None:
    """Close a socket another thread waits on: shutdown wakes it at once (Linux), close alone
    would leave it waiting for its poll timeout."""
    with contextlib.suppress(OSError):  # ENOTCONN: an unconnected socket is woken all the same
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _bound(kind: socket.SocketKind, host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.settimeout(POLL)
    return sock

