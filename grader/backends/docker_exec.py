"""Processes exec'd in a container: the attached stream, the driver's pipe, the student program."""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Protocol

from grader.backends.process_tree import SETTLE, tree_state, wait_gone
from grader.capture import OutputCapture
from grader.driver.state import ProgramState, program_state

# Student programs, builds and the driver run as PROGRAM_USER; each container's idle main
# process runs as IDLE_USER, so that `kill -1` as PROGRAM_USER stops every program process
# (children, daemons, fork bombs) and nothing else. `kill` is a shell builtin: it needs no
# fork, so it works even when a fork bomb holds every pid of the pids limit.
PROGRAM_UID = 10001
PROGRAM_USER = f"{PROGRAM_UID}:{PROGRAM_UID}"
WORK = "/work"  # every container's tmpfs work dir, where execs start
# Every attached exec waits for one line on stdin before it runs the command, so that no
# output can be sent before we hold the connection (the SDK's HTTP parser would swallow it).
GATE = ["sh", "-c", 'read -r _ && exec "$@"', "sh"]
HEADER = struct.Struct(">BxxxL")  # docker's multiplexed stream: stream id, payload size
STDOUT, STDERR = 1, 2
STOP_GRACE = 1.0  # seconds between SIGTERM and SIGKILL, as in the local backend
EXIT_WAIT = 5.0  # seconds to wait for a killed process to be reported gone
# Output read per test and stream beyond which we stop reading: the engine's copying of a flood
# costs host CPU outside the container's quota (~60% of a core at 360 MB/s here). The program
# then blocks on its writes, as it would with a full pipe.
OUTPUT_BUDGET = 16 << 20


class Execs(Protocol):
    """The exec operations of the engine (backends/docker.py) that a program run needs."""

    def attach(self, container_id: str, argv: list[str], user: str) -> tuple[str, ExecStream]:
        """Start argv in the container with stdin, stdout and stderr attached to us."""

    def exec_state(self, exec_id: str) -> tuple[bool, int | None]:
        """Whether the exec'd process runs, and its exit code once it has ended."""

    def wait_exec(self, exec_id: str, timeout: float) -> tuple[bool, int | None]:
        """exec_state once the process has ended, or at the timeout."""


class ExecStream:
    """An attached exec's connection: raw bytes to its stdin, multiplexed frames from it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        # reads wait in poll() with their own deadline; this bounds a write to a program
        # that never reads its stdin
        sock.settimeout(10)
        self._poller = select.poll()  # not select(): it fails on descriptors past 1023
        self._poller.register(sock, select.POLLIN)
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        if data:
            self.sock.sendall(data)

    def close_stdin(self) -> None:
        self.sock.shutdown(socket.SHUT_WR)  # the engine closes the process's stdin

    def read_frame(self, deadline: float | None) -> tuple[int, bytes] | None:
        """The next (stream, payload) frame, None at the end; TimeoutError past the deadline."""
        if not self._fill(HEADER.size, deadline):
            return None
        kind, size = HEADER.unpack_from(self._buffer)
        if not self._fill(HEADER.size + size, deadline):
            return None
        payload = bytes(self._buffer[HEADER.size : HEADER.size + size])
        del self._buffer[: HEADER.size + size]
        return kind, payload

    def _fill(self, size: int, deadline: float | None) -> bool:
        while len(self._buffer) < size:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise TimeoutError
            if not self._poller.poll(None if wait is None else wait * 1000):
                raise TimeoutError
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return False  # shut down by close()
            if not chunk:
                return False
            self._buffer += chunk
        return True

    def close(self) -> None:
        with suppress(OSError):  # not connected any more
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes a reader blocked in poll
        self.sock.close()


class DriverPipe:
    """The driver's stdin and stdout as the file objects ``serve`` reads and writes lines on."""

    def __init__(self, stream: ExecStream, deadline: float, cap: int) -> None:
        self.stream = stream
        self.deadline = deadline
        self.stderr = OutputCapture(cap)
        self._stdout = bytearray()
        self._ended = False

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: write sends at once."""

    def readline(self) -> bytes:
        while b"\n" not in self._stdout and not self._ended:
            frame = self.stream.read_frame(self.deadline)
            if frame is None:
                self._ended = True
            elif frame[0] == STDERR:
                self.stderr.append(frame[1])
            else:
                self._stdout += frame[1]
        end = self._stdout.find(b"\n") + 1 or len(self._stdout)
        line = bytes(self._stdout[:end])
        del self._stdout[:end]
        return line


def _state(running: bool, code: int | None) -> ProgramState:
    if running or code is None:
        return program_state(running)
    if 128 < code <= 128 + 64:  # the engine reports a death by signal N as 128 + N
        return program_state(False, signal=code - 128)
    return program_state(False, exit_code=code)


class DockerProgram:
    """One run of the student program, exec'd in the student container; the driver's Control."""

    def __init__(
        self, engine: Execs, container_id: str, argv: list[str], cap: int,
        signal_all: Callable[[str], None],
        count_programs: Callable[[], int] = lambda: 0,
    ) -> None:
        self.engine = engine
        self.container_id = container_id
        self.argv = argv
        self.signal_all = signal_all
        self.count_programs = count_programs  # processes of the program (a daemon's too)
        self.daemonized = False  # the exec'd process exited 0 while its tree ran on
        self.stdout = OutputCapture(cap)
        self.stderr = OutputCapture(cap)
        self.exec_id: str | None = None
        self.stream: ExecStream | None = None
        self._reader: threading.Thread | None = None
        self.stopped_by_us = False
        self.flooded = False

    # --- Control -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.exec_id is not None and self.state()["running"]:
            return
        self._release()
        self.stopped_by_us = False
        self.exec_id, self.stream = self.engine.attach(self.container_id, self.argv, PROGRAM_USER)
        self._reader = threading.Thread(target=self._pump, args=(self.stream,), daemon=True)
        self._reader.start()

    def stop(self) -> ProgramState:
        if self.exec_id is not None and self.state()["running"]:
            self.stopped_by_us = True
            self.signal_all("TERM")
            self.wait_exit(STOP_GRACE)
        self.kill()
        return self.state()

    def restart(self) -> None:
        self.stop()
        self.start()

    def state(self) -> ProgramState:
        if self.exec_id is None:
            return program_state(False)
        first = _state(*self.engine.exec_state(self.exec_id))
        state, daemonized = tree_state(first, lambda: self.count_programs() > 0)
        self.daemonized |= daemonized
        return state

    def final_state(self) -> ProgramState:
        """state() at the end of a test: a first process still exiting while others of its tree
        run (a daemon's parent) is given a moment, so the daemonized note is not a race."""
        running = self.exec_id is not None and self.engine.exec_state(self.exec_id)[0]
        if running and self.exec_id is not None and self.count_programs() > 1:
            self.engine.wait_exec(self.exec_id, SETTLE)
        return self.state()

    def wait_exit(self, timeout: float) -> ProgramState:
        if self.exec_id is not None:
            until = time.monotonic() + timeout
            self.engine.wait_exec(self.exec_id, timeout)
            return wait_gone(self.state, until - time.monotonic())
        return self.state()

    def write_stdin(self, data: bytes, close: bool) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write(data)
            if close:
                self.stream.close_stdin()
        except OSError:
            pass  # the program exited or closed stdin; the scenario's checks will say so

    def output(self, stream: str) -> bytes:
        return (self.stdout if stream == "stdout" else self.stderr).text()

    # --- Teardown ------------------------------------------------------------------------------
    def kill(self) -> None:
        """SIGKILL every program process in the container and finish reading the output."""
        if self.exec_id is None:
            return
        self.signal_all("KILL")
        self.engine.wait_exec(self.exec_id, EXIT_WAIT)
        wait_gone(self.state, EXIT_WAIT)  # a daemon's processes too, before a restart
        self._release()

    def _release(self) -> None:
        if self._reader is not None:
            self._reader.join(2)  # the output ends when the last process holding it is gone
        if self.stream is not None:
            self.stream.close()
        self._reader = None
        self.stream = None

    def _pump(self, stream: ExecStream) -> None:
        try:
            while (frame := stream.read_frame(None)) is not None:
                capture = self.stderr if frame[0] == STDERR else self.stdout
                capture.append(frame[1])
                if capture.total > OUTPUT_BUDGET:
                    self.flooded = True
                    return  # the stream stays open, unread, until kill()
        except (OSError, ValueError):
            pass  # closed under us by kill()
