"""The impairment relay: a seeded user-space hop between the driver and the program (stdlib only).

The relay runs in the driver's process (in the tester container on docker), so it works the same
on every backend. Where it sits:

- role server: the program listens on the run's port; the relay listens on an ephemeral loopback
  port and the driver talks to the relay, which forwards to the program.
- role client: the program is given the run's port as usual; the relay listens there and forwards
  to the driver's own socket on a free loopback port.

Each direction (``to_program``, ``from_program``) has its own impairments. UDP datagrams are
numbered per direction from 1; whether datagram n is dropped, duplicated, held back (reordered)
or delayed depends only on (seed, direction, n), so the same seed gives the same fate to the same
datagram whatever the timing. TCP bytes are re-segmented (n-byte writes, or coalesced over a
window), delayed, or cut by a reset after n bytes. What the relay did is recorded in the
transcript on the connection "relay" ("dropped" and "duplicated" events, and notes).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
import selectors
import socket
import struct
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .transcript import Transcript

DIRECTIONS = ("to_program", "from_program")
WHO = {"to_program": "to the program", "from_program": "from the program"}
TICK = 0.05  # seconds between looks at the stop flag
HOLD_LIMIT = 0.3  # seconds a held (reordered) datagram waits at most for one to overtake it
MAX_DATAGRAM = 65535
CONN = "relay"

Address = tuple[Any, ...]


@dataclass(frozen=True)
class Channel:
    """The impairments of one direction."""

    loss: float = 0.0
    drop: frozenset[int] = frozenset()
    duplicate: float = 0.0
    duplicate_at: frozenset[int] = frozenset()
    reorder: float = 0.0
    reorder_at: frozenset[int] = frozenset()
    delay: float = 0.0
    jitter: float = 0.0
    segment: int | None = None
    gap: float = 0.0
    coalesce: float = 0.0
    reset_after: int | None = None

    @classmethod
    def parse(cls, raw: Any, where: str) -> Channel:
        """Raise ValueError naming the bad field."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ValueError(f"impair.{where} must be a mapping, not {raw!r}")  # noqa: TRY004 -- one error type for a bad request
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"impair.{where}: unknown field(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if value is None:
                continue
            if key in ("drop", "duplicate_at", "reorder_at"):
                if not isinstance(value, list) or not all(
                    isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in value
                ):
                    raise ValueError(f"impair.{where}.{key} must be a list of datagram numbers")
                values[key] = frozenset(value)
            elif key in ("segment", "reset_after"):
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ValueError(f"impair.{where}.{key} must be a positive integer")
                values[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"impair.{where}.{key} must be a number >= 0")
                if key in ("loss", "duplicate", "reorder") and value > 1:
                    raise ValueError(f"impair.{where}.{key} is a probability, at most 1")
                values[key] = float(value)
        return cls(**values)


@dataclass(frozen=True)
class Fate:
    """What happens to one datagram."""

    drop: bool
    duplicate: bool
    hold: bool
    delay: float


@dataclass(frozen=True)
class Impairment:
    """The relay's configuration: a seed and each direction's channel."""

    seed: int
    channels: dict[str, Channel] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any) -> Impairment:
        if not isinstance(raw, Mapping):
            raise ValueError(f"'impair' must be a mapping, not {raw!r}")  # noqa: TRY004 -- one error type for a bad request
        unknown = sorted(set(raw) - {"seed", *DIRECTIONS})
        if unknown:
            raise ValueError(f"impair: unknown field(s) {', '.join(unknown)}")
        seed = raw.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"impair.seed must be an integer, not {seed!r}")  # noqa: TRY004 -- one error type for a bad request
        return cls(seed, {d: Channel.parse(raw.get(d), d) for d in DIRECTIONS})

    def channel(self, direction: str) -> Channel:
        return self.channels.get(direction) or Channel()

    def fate(self, direction: str, number: int) -> Fate:
        """The fate of datagram ``number`` (from 1) in ``direction``: a function of the seed."""
        channel = self.channel(direction)
        rng = random.Random(f"{self.seed}:{direction}:{number}")
        draws = [rng.random() for _ in range(4)]
        return Fate(
            drop=number in channel.drop or draws[0] < channel.loss,
            duplicate=number in channel.duplicate_at or draws[1] < channel.duplicate,
            hold=number in channel.reorder_at or draws[2] < channel.reorder,
            delay=channel.delay + draws[3] * channel.jitter,
        )

    def chunk_delay(self, direction: str, number: int) -> float:
        channel = self.channel(direction)
        if not channel.jitter:
            return channel.delay
        rng = random.Random(f"{self.seed}:{direction}:tcp:{number}")
        return channel.delay + rng.random() * channel.jitter


def free_loopback_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _resolve(host: str, port: int, kind: int) -> tuple[int, Address]:
    info = socket.getaddrinfo(host, port, type=kind)[0]
    return info[0], tuple(info[4])


def _show(address: Address) -> str:
    return f"{address[0]}:{address[1]}"


class Relay:
    """A relay between a front address (where it listens) and a target (where it forwards).

    ``front_is_program``: whether the program is the one that sends to the front address
    (role client), which decides the direction of each byte.
    """

    def __init__(
        self,
        impairment: Impairment,
        transport: str,
        front: tuple[str, int],
        target: tuple[str, int],
        *,
        front_is_program: bool,
        transcript: Transcript,
        connect_timeout: float = 10.0,
    ) -> None:
        self.impairment = impairment
        self.transport = transport
        self.front_address = front
        self.target_address = target
        self.front_is_program = front_is_program
        self.transcript = transcript
        self.connect_timeout = connect_timeout
        self.stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.port = 0

    @property
    def inbound(self) -> str:
        """The direction of what arrives on the front address."""
        return "from_program" if self.front_is_program else "to_program"

    @property
    def outbound(self) -> str:
        return "to_program" if self.front_is_program else "from_program"

    def note(self, text: str, kind: str = "note", data: bytes = b"") -> None:
        self.transcript.record(CONN, kind, data, note=text)

    # --- Life cycle ----------------------------------------------------------------------------
    def start(self) -> int:
        """Bind the front address and start forwarding; the port it listens on."""
        kind = socket.SOCK_DGRAM if self.transport == "udp" else socket.SOCK_STREAM
        family, address = _resolve(*self.front_address, kind)
        front = socket.socket(family, kind)
        try:
            if kind == socket.SOCK_STREAM:
                front.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            front.bind(address)
            if kind == socket.SOCK_STREAM:
                front.listen(16)
        except OSError:
            front.close()
            raise
        self._keep(front)
        self.port = int(front.getsockname()[1])
        target = _show(self.target_address)
        self.note(f"relay listening on {_show(front.getsockname())}, forwarding to {target}")
        loop = self._udp_loop if self.transport == "udp" else self._tcp_accept_loop
        self._spawn(loop, front, name="driver relay")
        return self.port

    def close(self) -> None:
        """Stop forwarding, end the relay's threads and close its sockets."""
        self.stopped.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(2.0)
        for sock in sockets:
            sock.close()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _spawn(self, target: Any, *args: Any, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    # --- UDP -----------------------------------------------------------------------------------
    def _udp_loop(self, front: socket.socket) -> None:
        family, target = _resolve(*self.target_address, socket.SOCK_DGRAM)
        queue = _DatagramQueue(self)
        selector = selectors.DefaultSelector()
        front.setblocking(False)
        selector.register(front, selectors.EVENT_READ, None)
        backs: dict[Address, socket.socket] = {}
        try:
            while not self.stopped.is_set():
                wait = queue.send_due()
                for key, _ in selector.select(wait):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data, sender = sock.recvfrom(MAX_DATAGRAM)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except ConnectionRefusedError:
                        self.note(f"relay: {_show(target)} answered 'port unreachable'")
                        continue
                    except OSError:
                        if self.stopped.is_set():
                            return
                        raise
                    if key.data is not None:
                        queue.forward(self.outbound, data, front, key.data)
                        continue
                    back = backs.get(tuple(sender))
                    if back is None:
                        # one socket per sender, so that replies find their way back
                        back = socket.socket(family, socket.SOCK_DGRAM)
                        back.setblocking(False)
                        self._keep(back)
                        backs[tuple(sender)] = back
                        selector.register(back, selectors.EVENT_READ, tuple(sender))
                    queue.forward(self.inbound, data, back, target)
        finally:
            selector.close()

    # --- TCP -----------------------------------------------------------------------------------
    def _tcp_accept_loop(self, listener: socket.socket) -> None:
        listener.settimeout(TICK)
        number = 0
        while not self.stopped.is_set():
            try:
                front, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            number += 1
            self._keep(front)
            self._spawn(self._tcp_connection, front, number, name=f"driver relay {number}")

    def _connect_target(self) -> socket.socket | None:
        deadline = time.monotonic() + self.connect_timeout
        while not self.stopped.is_set():
            family, address = _resolve(*self.target_address, socket.SOCK_STREAM)
            back = socket.socket(family, socket.SOCK_STREAM)
            back.settimeout(max(min(deadline - time.monotonic(), 2.0), 0.01))
            try:
                back.connect(address)
            except OSError:
                back.close()
                if time.monotonic() >= deadline:
                    return None
                self.stopped.wait(TICK)
                continue
            return back
        return None

    def _tcp_connection(self, front: socket.socket, number: int) -> None:
        back = self._connect_target()
        if back is None:
            self.note(
                f"relay connection {number}: could not reach {_show(self.target_address)} "
                f"within {self.connect_timeout:g} s, so it reset the incoming connection"
            )
            _reset(front)
            return
        self._keep(back)
        for sock in (front, back):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
        described = [
            f"{WHO[d]}: {how}" for d in DIRECTIONS if (how := _describe(self.impairment.channel(d)))
        ]
        if described:
            self.note(f"relay connection {number}: " + "; ".join(described))
        ends = (front, back)
        pumps = [
            threading.Thread(
                target=self._pump,
                args=(front, back, self.inbound, ends),
                daemon=True,
                name=f"driver relay {number} in",
            ),
            threading.Thread(
                target=self._pump,
                args=(back, front, self.outbound, ends),
                daemon=True,
                name=f"driver relay {number} out",
            ),
        ]
        for pump in pumps:
            pump.start()
        for pump in pumps:
            while pump.is_alive() and not self.stopped.is_set():
                pump.join(TICK)
            pump.join(1.0)
        for sock in ends:
            sock.close()

    def _pump(
        self,
        src: socket.socket,
        dst: socket.socket,
        direction: str,
        ends: tuple[socket.socket, socket.socket],
    ) -> None:
        """Forward one direction of a connection until EOF, a reset or the relay's end."""
        selector = selectors.DefaultSelector()
        sent = [0, 0]  # bytes forwarded, chunks forwarded
        try:
            # the other direction may reset (and close) both sockets at any moment
            selector.register(src, selectors.EVENT_READ)
            while not self.stopped.is_set():
                if not selector.select(TICK):
                    continue
                if not self._pass_on(src, dst, direction, ends, selector, sent):
                    return
        except (OSError, ValueError):  # a socket closed by the other direction's reset
            return
        finally:
            selector.close()

    def _pass_on(
        self,
        src: socket.socket,
        dst: socket.socket,
        direction: str,
        ends: tuple[socket.socket, socket.socket],
        selector: selectors.BaseSelector,
        sent: list[int],
    ) -> bool:
        """Read what has arrived and forward it, impaired; False when this direction ends."""
        channel = self.impairment.channel(direction)
        try:
            data = src.recv(65536)
        except ConnectionResetError:
            _reset(dst)
            return False
        if not data:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
            return False
        if channel.coalesce:
            data += self._gather(src, selector, channel.coalesce)
        sent[1] += 1
        delay = self.impairment.chunk_delay(direction, sent[1])
        if delay and self.stopped.wait(delay):
            return False
        if channel.reset_after is not None and sent[0] + len(data) >= channel.reset_after:
            self._write(dst, data[: channel.reset_after - sent[0]], channel)
            self.note(
                f"relay reset both connections after {channel.reset_after} bytes {WHO[direction]}"
            )
            for sock in ends:
                _reset(sock)
            return False
        sent[0] += len(data)
        return self._write(dst, data, channel)

    def _gather(self, src: socket.socket, selector: selectors.BaseSelector, window: float) -> bytes:
        """More bytes arriving within the window, to forward in one write."""
        more = bytearray()
        until = time.monotonic() + window
        while (left := until - time.monotonic()) > 0 and not self.stopped.is_set():
            if selector.select(min(left, TICK)):
                try:
                    data = src.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                more += data
        return bytes(more)

    def _write(self, dst: socket.socket, data: bytes, channel: Channel) -> bool:
        size = channel.segment or len(data) or 1
        try:
            for i in range(0, len(data), size):
                if i and channel.gap and self.stopped.wait(channel.gap):
                    return False
                dst.sendall(data[i : i + size])
        except OSError:
            return False
        return True


class _DatagramQueue:
    """Datagrams on their way: each one's fate decided when it arrives, sent when it is due."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.numbers = dict.fromkeys(DIRECTIONS, 0)
        self.order = itertools.count()
        self.pending: list[tuple[float, int, socket.socket, bytes, Address]] = []
        self.held: dict[str, tuple[float, socket.socket, bytes, Address] | None] = dict.fromkeys(
            DIRECTIONS
        )

    def forward(self, direction: str, data: bytes, out: socket.socket, to: Address) -> None:
        self.numbers[direction] += 1
        n = self.numbers[direction]
        fate = self.relay.impairment.fate(direction, n)
        what = f"datagram {n} {WHO[direction]}"
        if fate.drop:
            self.relay.note(f"relay dropped {what}", "dropped", data)
            return
        due = time.monotonic() + fate.delay
        copies = 2 if fate.duplicate else 1
        if fate.duplicate:
            self.relay.note(f"relay duplicated {what}", "duplicated", data)
        if fate.hold and self.held[direction] is None:
            self.relay.note(f"relay held back {what}: the next one overtakes it (reordering)")
            self.held[direction] = (due, out, data, to)
            copies -= 1
        else:
            self._release(direction, after=due)
        for _ in range(copies):
            self._push(due, out, data, to)

    def _push(self, due: float, out: socket.socket, data: bytes, to: Address) -> None:
        heapq.heappush(self.pending, (due, next(self.order), out, data, to))

    def _release(self, direction: str, after: float) -> None:
        """The held datagram goes just after the one that overtakes it."""
        kept = self.held[direction]
        if kept is not None:
            self.held[direction] = None
            _, out, data, to = kept
            self._push(after + 0.001, out, data, to)

    def send_due(self) -> float:
        """Send what is due; the seconds until the next datagram is (at most TICK)."""
        now = time.monotonic()
        for direction, kept in self.held.items():
            if kept is not None and now >= kept[0] + HOLD_LIMIT:
                self._release(direction, after=now)
        while self.pending and self.pending[0][0] <= now:
            _, _, out, data, to = heapq.heappop(self.pending)
            with contextlib.suppress(OSError):  # a program gone away: UDP has no one to tell
                out.sendto(data, to)
        return TICK if not self.pending else min(TICK, max(self.pending[0][0] - now, 0.0))


def _describe(channel: Channel) -> str:
    parts = []
    if channel.segment:
        parts.append(f"{channel.segment}-byte writes")
    if channel.coalesce:
        parts.append(f"writes coalesced over {channel.coalesce:g} s")
    if channel.delay or channel.jitter:
        parts.append(
            f"delayed {channel.delay:g} s"
            + (f" (+ up to {channel.jitter:g} s)" if channel.jitter else "")
        )
    if channel.reset_after:
        parts.append(f"reset after {channel.reset_after} bytes")
    return ", ".join(parts)


def _reset(sock: socket.socket) -> None:
    """Abort a connection with a RST (SO_LINGER 0, then close)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def start_relay(
    raw: Any,
    transport: str,
    role: str,
    host: str,
    port: int,
    transcript: Transcript,
    connect_timeout: float,
) -> tuple[Relay, str, int]:
    """Start the relay a request asks for; the host and port the driver must use instead.

    Role server: the relay listens on a loopback port and forwards to the program at host:port.
    Role client: the relay takes the run's port (host:port, where the program sends) and
    forwards to a free loopback port where the driver listens.
    """
    impairment = Impairment.parse(raw)
    kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
    if role == "server":
        relay = Relay(
            impairment,
            transport,
            ("127.0.0.1", 0),
            (host, port),
            front_is_program=False,
            transcript=transcript,
            connect_timeout=connect_timeout,
        )
        return relay, "127.0.0.1", relay.start()
    driver_port = free_loopback_port(kind)
    relay = Relay(
        impairment,
        transport,
        (host, port),
        ("127.0.0.1", driver_port),
        front_is_program=True,
        transcript=transcript,
        connect_timeout=connect_timeout,
    )
    relay.start()
    return relay, "127.0.0.1", driver_port
