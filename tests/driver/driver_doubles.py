"""Test doubles for the driver: small peers on 127.0.0.1 and fake controls of the program."""

from __future__ import annotations

import contextlib
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from grader.driver.state import ProgramState, from_wait_status, program_state

HOST = "127.0.0.1"
Handler = Callable[[socket.socket], None]


# --- TCP peers --------------------------------------------------------------------------------


def echo(conn: socket.socket) -> None:
    """Echo everything; close when the client closes its side."""
    while data := conn.recv(65536):
        conn.sendall(data)


def echo_by_halves(conn: socket.socket) -> None:
    """Echo each chunk in two halves, 50 ms apart: the client sees fragments."""
    while data := conn.recv(65536):
        half = max(len(data) // 2, 1)
        conn.sendall(data[:half])
        time.sleep(0.05)
        conn.sendall(data[half:])


def answer_then_close(conn: socket.socket) -> None:
    """Answer the first chunk with 'hi' and close normally (FIN)."""
    conn.recv(65536)
    conn.sendall(b"hi")


def answer_then_reset(conn: socket.socket) -> None:
    """Answer the first chunk with 'hi', then abort the connection (RST)."""
    conn.recv(65536)
    conn.sendall(b"hi")
    time.sleep(0.2)  # the client reads 'hi' before the RST discards what it has not read
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def never_answer(conn: socket.socket) -> None:
    """Read and never send (until the client goes away)."""
    while conn.recv(65536):
        pass


class TcpPeers:
    """Starts threaded TCP servers on free loopback ports; stops all of them at teardown."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, handler: Handler, *, listener: socket.socket | None = None) -> int:
        """Serve each connection with handler in its own thread; the port."""
        if listener is None:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, 0))
            listener.listen(64)
        listener.settimeout(0.05)  # so that the accept loop notices the teardown
        self._keep(listener)
        thread = threading.Thread(target=self._accept_loop, args=(listener, handler), daemon=True)
        thread.start()
        self._threads.append(thread)
        return int(listener.getsockname()[1])

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _accept_loop(self, listener: socket.socket, handler: Handler) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self._keep(conn)
            thread = threading.Thread(target=self._serve, args=(conn, handler), daemon=True)
            thread.start()
            self._threads.append(thread)

    @staticmethod
    def _serve(conn: socket.socket, handler: Handler) -> None:
        try:
            handler(conn)
        except OSError:
            pass  # the client reset or went away: what several tests do on purpose
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        for thread in self._threads:
            thread.join(2)


# --- UDP peers --------------------------------------------------------------------------------


class UdpPeers:
    """Threaded UDP servers on loopback: each calls reply(data, sender, sock) per datagram."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def start(self, reply: Callable[[bytes, Any, socket.socket], None]) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((HOST, 0))
        sock.settimeout(0.05)
        self._sockets.append(sock)
        thread = threading.Thread(target=self._loop, args=(sock, reply), daemon=True)
        thread.start()
        self._threads.append(thread)
        return int(sock.getsockname()[1])

    def socket(self) -> socket.socket:
        """A spare UDP socket on loopback, closed at teardown."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((HOST, 0))
        self._sockets.append(sock)
        return sock

    def _loop(
        self, sock: socket.socket, reply: Callable[[bytes, Any, socket.socket], None]
    ) -> None:
        while not self._stop.is_set():
            try:
                data, sender = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            reply(data, sender, sock)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        for sock in self._sockets:
            sock.close()


# --- Controls of the program ------------------------------------------------------------------


class FakeControl:
    """An in-memory program whose state the test sets; implements grader.driver.Control."""

    def __init__(
        self,
        *,
        running: bool = True,
        exit_code: int | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self.running = running
        self.exit_code = exit_code
        self.signal: int | None = None
        self.on_start = on_start
        self.calls: list[str] = []
        self.stdin = bytearray()
        self.stdout = bytearray()
        self.stderr = bytearray()

    def exit(self, code: int) -> None:
        self.running, self.exit_code, self.signal = False, code, None

    def start(self) -> None:
        self.calls.append("start")
        if not self.running:
            self.running, self.exit_code, self.signal = True, None, None
            if self.on_start is not None:
                self.on_start()

    def stop(self) -> ProgramState:
        self.calls.append("stop")
        if self.running:
            self.running, self.exit_code, self.signal = False, None, 15
        return self.state()

    def restart(self) -> None:
        self.calls.append("restart")
        self.stop()
        self.start()

    def state(self) -> ProgramState:
        return program_state(self.running, self.exit_code, self.signal)

    def wait_exit(self, timeout: float) -> ProgramState:
        self.calls.append("wait_exit")
        end = time.monotonic() + timeout
        while self.running and time.monotonic() < end:
            time.sleep(0.01)
        return self.state()

    def write_stdin(self, data: bytes, close: bool) -> None:
        self.calls.append("write_stdin")
        self.stdin += data

    def output(self, stream: str) -> bytes:
        return bytes(self.stdout if stream == "stdout" else self.stderr)


# A real program for the process steps: echoes stdin lines to stdout as "got: ...", writes
# "ready" first, and exits with the code N on a line "exit N" (or 0 at the end of stdin).
PROGRAM = r"""
import sys
print("ready", flush=True)
for line in sys.stdin:
    line = line.strip()
    if line.startswith("exit "):
        sys.exit(int(line.split()[1]))
    print("got: " + line, flush=True)
"""


class SubprocessControl:
    """A Control over a real child process (python3 -c PROGRAM), with captured output."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.stdout = bytearray()
        self.stderr = bytearray()
        self._readers: list[threading.Thread] = []

    def start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        if self.proc is not None:
            self.stop()  # release the pipes of the previous run
        self.stdout.clear()
        self.stderr.clear()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PROGRAM],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream: Any, into: bytearray) -> None:
        while chunk := stream.read1(65536):
            into.extend(chunk)

    def stop(self) -> ProgramState:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for reader in self._readers:
            reader.join(2)
        if self.proc is not None:
            for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if pipe is not None and not pipe.closed:
                    with contextlib.suppress(OSError):
                        pipe.close()
        return self.state()

    def restart(self) -> None:
        self.stop()
        self.start()

    def state(self) -> ProgramState:
        if self.proc is None:
            return program_state(False)
        return from_wait_status(self.proc.poll())

    def wait_exit(self, timeout: float) -> ProgramState:
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        return self.state()

    def write_stdin(self, data: bytes, close: bool) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        if close:
            self.proc.stdin.close()

    def output(self, stream: str) -> bytes:
        return bytes(self.stdout if stream == "stdout" else self.stderr)


# --- Running the driver -----------------------------------------------------------------------


def make_request(steps: list[dict[str, Any]], port: int, **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "steps": steps,
        "role": "server",
        "host": HOST,
        "port": port,
        "step_timeout": 5.0,
        "connect_timeout": 5.0,
        "test_timeout": 30.0,
        "preview_bytes": 4096,
    }
    request.update(overrides)
    return request


Drive = Callable[..., dict[str, Any]]
