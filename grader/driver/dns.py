"""A DNS responder that answers every name with one address, and records each lookup.

On the docker backend the student's DNS queries (UDP port 53, to any server, Docker's own
resolver 127.0.0.11 included) are redirected to this responder, so that a client that dials
smtp.gmail.com reaches the grader's server and no query leaves the sandbox. It speaks just
enough of RFC 1035 for the resolvers of glibc and Python: an A (or ANY) question gets one A
record, any other type (AAAA ...) an empty NOERROR answer, so that the resolver falls back to
IPv4. Each question is a transcript event on connection "dns" whose data is the name looked up.
"""

from __future__ import annotations

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
        self.sock.close()
        self._thread.join(2 * POLL)


def start_responder(config: Mapping[str, Any], transcript: Transcript) -> Responder:
    """Bind the responder to 127.0.0.1:config["port"] and answer with config["answer"]; a
    ValueError for a bad configuration, OSError when the port cannot be bound."""
    port, address = config.get("port"), str(config.get("answer"))
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"'dns.port' must be a port number, not {port!r}")
    try:
        socket.inet_aton(address)
    except OSError as e:
        raise ValueError(f"'dns.answer' must be an IPv4 address, not {address!r}") from e
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    sock.settimeout(POLL)
    return Responder(sock, address, transcript)
