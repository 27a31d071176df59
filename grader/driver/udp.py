"""The UDP steps: udp_bind, sendto, echo, expect_datagram, expect_no_datagram, count_datagrams."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .context import Scope, Step
from .netio import Address, Poller, is_loopback, resolve, same_address, show
from .payload import materialise, substitute
from .verdict import comparison, error, failed, first_difference, plural, quote, seconds, timed_out

if TYPE_CHECKING:
    from .context import Run

MAX_DATAGRAM = 65535
SHORT = 60


class UdpSocket:
    """A UDP socket of the scenario; remembers who sent the last datagram (to reply to it)."""

    def __init__(self, sock: socket.socket, name: str, label: str, run: Run) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.name = name
        self.label = label
        self.run = run
        self.last_sender: Address | None = None
        self.last_data: bytes | None = None
        self._poller = Poller(sock, run.abort)
        self._closed = False

    def receive(self, until: float) -> tuple[bytes, Address] | None:
        """The next datagram and its sender, or None when `until` passed first."""
        while True:
            readable, _ = self._poller.wait(until, read=True)
            if not readable:
                return None
            try:
                data, sender = self.sock.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionRefusedError as e:
                # An ICMP "port unreachable" for an earlier datagram: nothing listens there.
                note = "the program's port answered 'port unreachable': nothing listens there"
                self.run.transcript.record(self.label, "error", note=note)
                raise failed(f"no program listens on the UDP port: {note} ({e.strerror})") from e
            sender = tuple(sender)
            self.last_sender, self.last_data = sender, data
            self.run.transcript.record(self.label, "datagram_in", data, note=f"from {show(sender)}")
            return data, sender

    def send(self, data: bytes, to: Address, until: float) -> None:
        """Send one datagram (waiting, until `until`, for room in the send buffer)."""
        while True:
            try:
                self.sock.sendto(data, to)
            except (BlockingIOError, InterruptedError):
                _, writable = self._poller.wait(until, read=False, write=True)
                if not writable:
                    raise timed_out(
                        f"could not send a datagram on '{self.name}' within the step's deadline"
                    ) from None
                continue
            except OSError as e:
                self.run.transcript.record(self.label, "error", note=e.strerror or str(e))
                raise failed(
                    f"sending a datagram on '{self.name}' to {show(to)} failed: {e.strerror or e}"
                ) from e
            self.run.transcript.record(self.label, "datagram_out", data, note=f"to {show(to)}")
            return

    def flush(self) -> None:
        """Nothing is merged on a UDP socket."""

    def close(self, *, record: bool) -> None:
        if self._closed:
            return
        self._closed = True
        if record:
            self.run.transcript.record(self.label, "close")
        self._poller.close()
        self.sock.close()


def _socket(scope: Scope, name: Any) -> UdpSocket:
    return scope.lookup(name or "main", UdpSocket, "UDP socket")


def _program(run: Run) -> Address:
    """The student server's address, resolved once per step (a container may move)."""
    try:
        return resolve(run.settings.host, run.settings.port, socket.SOCK_DGRAM)[1]
    except OSError as e:
        raise failed(f"cannot resolve the program's host {run.settings.host}: {e}") from e


def udp_bind(scope: Scope, step: Step) -> None:
    settings = scope.run.settings
    name = step.get("udp_bind") or "main"
    assigned = step.get("port") == "assigned"
    try:
        family, address = resolve(settings.host, settings.port, socket.SOCK_DGRAM)
    except OSError as e:
        raise error(f"the grader cannot resolve {settings.host}: {e}") from e
    if not assigned:
        # An ephemeral port on loopback when the program is local (nothing else can reach it);
        # otherwise on every interface, so that replies arrive whatever route they take.
        wildcard = "::" if family == socket.AF_INET6 else "0.0.0.0"
        address = (address[0] if is_loopback(settings.host) else wildcard, 0, *address[2:])
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise error(f"the grader could not bind a UDP socket to {show(address)}: {e}") from e
    udp = UdpSocket(sock, name, scope.label(name), scope.run)
    scope.bind(name, udp)
    scope.run.transcript.record(udp.label, "udp_bind", note=f"bound to {show(sock.getsockname())}")


def sendto(scope: Scope, step: Step) -> None:
    udp = _socket(scope, step.get("conn"))
    data = materialise(step["sendto"], scope.variables)
    if step.get("to", "program") == "last_sender":
        if udp.last_sender is None:
            raise failed(
                f"no datagram has arrived on '{udp.name}' yet: there is nobody to reply to"
            )
        to = udp.last_sender
    else:
        to = _program(scope.run)
    udp.send(data, to, scope.run.deadline(step.get("timeout")).at)


TRANSFORMS: dict[str, Callable[[bytes], bytes]] = {
    "none": lambda data: data,
    "upper": bytes.upper,  # ASCII letters only, like Python's bytes.upper and C's toupper
    "lower": bytes.lower,
}


def echo(scope: Scope, step: Step) -> None:
    """Send the last datagram received back to its sender, transformed: a reference server
    whose replies depend on what the client sent (a ping's sequence number and time)."""
    udp = _socket(scope, step.get("echo"))
    transform = step.get("transform") or "none"
    if transform not in TRANSFORMS:
        raise error(f"echo's transform must be one of {', '.join(TRANSFORMS)}, not {transform!r}")
    if udp.last_sender is None or udp.last_data is None:
        raise failed(f"no datagram has arrived on '{udp.name}' yet: there is nothing to echo")
    data = TRANSFORMS[transform](udp.last_data)
    udp.send(data, udp.last_sender, scope.run.deadline(step.get("timeout")).at)


def expect_datagram(scope: Scope, step: Step) -> None:
    run = scope.run
    udp = _socket(scope, step.get("conn"))
    payload, regex = step.get("expect_datagram"), step.get("regex")
    if payload is None and regex is None:
        raise error("expect_datagram needs a payload or a regex")
    deadline = run.deadline(step.get("timeout"))
    what = "a datagram" if regex is None else "a datagram matching the pattern"
    received = udp.receive(deadline.at)
    if received is None:
        detail = f"waited {deadline.waited()} for {what} on '{udp.name}', none arrived"
        run.transcript.record(udp.label, "timeout", note=detail)
        raise timed_out(detail)
    data, sender = received
    if run.settings.role == "server":
        server = _program(run)
        if not same_address(sender, server):
            raise failed(
                f"the reply on '{udp.name}' came from {show(sender)}, not from the server's "
                f"address {show(server)} (reply with the socket the request arrived on)"
            )
    preview = run.settings.preview
    if regex is not None:
        source = substitute(str(regex), scope.variables)
        try:
            pattern = re.compile(source)
        except re.error as e:
            raise error(f"the regular expression /{source}/ is invalid: {e}") from e
        if pattern.fullmatch(data.decode("utf-8", "surrogateescape")) is None:
            raise failed(
                f"the datagram {quote(data)} received on '{udp.name}' does not match /{source}/",
                comparison=comparison("regex", source.encode(), data, preview=preview),
            )
        return
    expected = materialise(payload, scope.variables)
    if data != expected:
        diff = first_difference(expected, data)
        cmp = comparison("datagram", expected, data, preview=preview, around=diff)
        if len(expected) <= SHORT and len(data) <= SHORT:
            detail = (
                f"received the datagram {quote(data)} on '{udp.name}' instead of {quote(expected)}"
            )
        else:
            detail = (
                f"the datagram received on '{udp.name}' ({len(data)} bytes) differs from the "
                f"expected one ({len(expected)} bytes) at byte {diff}"
            )
        raise failed(detail, comparison=cmp)


def _window(scope: Scope, udp: UdpSocket, length: float, what: str) -> float:
    """The end of a listening window; a window the test's deadline cuts short is a timeout."""
    deadline = scope.run.deadline(length)
    if deadline.test_limit is not None:
        detail = (
            f"{what} on '{udp.name}' needs {seconds(length)}, more than the test's "
            f"{seconds(deadline.test_limit)} limit leaves"
        )
        raise timed_out(detail)
    return deadline.at


def expect_no_datagram(scope: Scope, step: Step) -> None:
    udp = _socket(scope, step.get("conn"))
    length = float(step["expect_no_datagram"])
    until = _window(scope, udp, length, "waiting for no datagram")
    started = time.monotonic()
    received = udp.receive(until)
    if received is not None:
        data, sender = received
        raise failed(
            f"a datagram arrived on '{udp.name}' from {show(sender)} "
            f"{seconds(time.monotonic() - started)} into {seconds(length)} when none was "
            f"expected: {quote(data)}",
            comparison=comparison("datagram", b"", data, preview=scope.run.settings.preview),
        )


def count_datagrams(scope: Scope, step: Step) -> None:
    """Datagrams already queued when the window opens count too: they have not been read."""
    udp = _socket(scope, step.get("conn"))
    length = float(step["count_datagrams"])
    least, most = int(step.get("min") or 0), step.get("max")
    until = _window(scope, udp, length, "counting datagrams")
    count = 0
    while udp.receive(until) is not None:
        count += 1
        if most is not None and count > int(most):
            raise failed(
                f"more than {plural(int(most), 'datagram')} arrived on '{udp.name}' within "
                f"{seconds(length)}"
            )
    if count < least:
        raise failed(
            f"{plural(count, 'datagram')} arrived on '{udp.name}' in {seconds(length)}, "
            f"expected at least {least}"
        )


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {
    "udp_bind": udp_bind,
    "sendto": sendto,
    "echo": echo,
    "expect_datagram": expect_datagram,
    "expect_no_datagram": expect_no_datagram,
    "count_datagrams": count_datagrams,
}
