"""What a test runs in: its settings and deadlines (Run) and each client's named sockets (Scope)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .state import ProgramState
from .transcript import Transcript
from .verdict import Verdict, error, seconds

if TYPE_CHECKING:
    from . import Control

Step = Mapping[str, Any]
T = TypeVar("T")


class Endpoint(Protocol):
    """Something a scenario names: a TCP connection, a listening socket or a UDP socket."""

    name: str

    def flush(self) -> None:
        """Record what is still pending (merged received chunks)."""

    def close(self, *, record: bool) -> None:
        """Close it (idempotent); ``record`` adds a "close" event."""


E = TypeVar("E", bound=Endpoint)


@dataclass(frozen=True)
class Settings:
    """The request, checked: a malformed request is a driver error, not a student's failure."""

    steps: list[Step]
    role: str
    host: str
    port: int
    step_timeout: float
    connect_timeout: float
    test_timeout: float
    preview: int

    @classmethod
    def from_request(cls, request: Mapping[str, Any]) -> Settings:
        """Raise ValueError naming the first bad field."""
        steps = request.get("steps")
        if not isinstance(steps, list) or not all(isinstance(s, Mapping) for s in steps):
            raise ValueError("'steps' must be a list of step mappings")
        role = request.get("role")
        if role not in ("server", "client"):
            raise ValueError(f"'role' must be 'server' or 'client', not {role!r}")
        host = request.get("host")
        if not isinstance(host, str) or not host:
            raise ValueError(f"'host' must be a host name or address, not {host!r}")
        port = request.get("port")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ValueError(f"'port' must be a port number, not {port!r}")

        def positive(key: str, default: float) -> float:
            value = request.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{key!r} must be a positive number of seconds, not {value!r}")
            return float(value)

        preview = request.get("preview_bytes", 4096)
        if not isinstance(preview, int) or isinstance(preview, bool) or preview <= 0:
            raise ValueError(f"'preview_bytes' must be a positive integer, not {preview!r}")
        return cls(
            steps=list(steps),
            role=role,
            host=host,
            port=port,
            step_timeout=positive("step_timeout", 5.0),
            connect_timeout=positive("connect_timeout", 10.0),
            test_timeout=positive("test_timeout", 60.0),
            preview=preview,
        )


@dataclass(frozen=True)
class Deadline:
    """When a step stops waiting: its own timeout, or the test's deadline if that comes first."""

    begun: float
    at: float
    asked: float
    test_limit: float | None  # the test's timeout, when it cut this step's wait short

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def waited(self) -> str:
        """How long the step waited, for a reason: '5.0 s'."""
        if self.test_limit is None:
            return seconds(self.asked)
        waited = max(self.at - self.begun, 0.0)
        return f"{seconds(waited)} (the rest of the test's {seconds(self.test_limit)} limit)"


@dataclass
class Group:
    """The clients of one parallel step: their barrier, and where each one is (for reasons)."""

    barrier: threading.Barrier
    positions: dict[int, str]


class Run:
    """One test's shared state: settings, the program's control, the transcript, the clock."""

    def __init__(self, settings: Settings, control: Control, started: float) -> None:
        self.settings = settings
        self.control = control
        self.started = started
        self.test_deadline = started + settings.test_timeout
        self.transcript = Transcript(started, settings.preview)
        # Set when a parallel client fails: every wait of every client then stops.
        self.abort = threading.Event()
        # Whether a connect reached the program since it (re)started: a refused connect then
        # means that it stopped listening, not that it never did.
        self.listened = False
        # Whether the program ended a connection (EOF, RST, broken pipe): it may be dying.
        self.peer_ended = False
        self._control_lock = threading.Lock()
        self._endpoints: list[Endpoint] = []
        self._groups: list[Group] = []
        self._lock = threading.Lock()

    def deadline(self, timeout: float | None, default: float | None = None) -> Deadline:
        """The deadline of a step starting now; the step's timeout, else the default one."""
        now = time.monotonic()
        asked = float(timeout) if timeout is not None else default or self.settings.step_timeout
        if now + asked <= self.test_deadline:
            return Deadline(now, now + asked, asked, None)
        return Deadline(now, self.test_deadline, asked, self.settings.test_timeout)

    def control_call(self, what: str, call: Callable[[], T]) -> T:
        """Call the sandbox, one call at a time; its failure is the grader's ("error")."""
        with self._control_lock:
            try:
                return call()
            except Exception as e:
                raise error(f"the grader could not {what}: {e}") from e

    def program_state(self, wait: float = 0.0) -> ProgramState | None:
        """The program's state, or None when the sandbox cannot tell; ``wait`` gives a program
        that is exiting this long to finish."""

        def read() -> ProgramState:
            return self.control.wait_exit(wait) if wait > 0 else self.control.state()

        try:
            return self.control_call("read the program's state", read)
        except Verdict:
            return None

    def track(self, endpoint: Endpoint) -> None:
        """Remember a socket so that it is closed when the test ends, whatever happens."""
        with self._lock:
            self._endpoints.append(endpoint)

    def close_all(self) -> None:
        with self._lock:
            endpoints, self._endpoints = self._endpoints, []
        for endpoint in endpoints:
            endpoint.close(record=False)

    def add_group(self, group: Group) -> None:
        with self._lock:
            self._groups.append(group)

    def stop_everything(self) -> None:
        """A client failed: every wait of every client ends (socket waits see the abort flag,
        barrier waits are broken)."""
        self.abort.set()
        with self._lock:
            groups = list(self._groups)
        for group in groups:
            group.barrier.abort()


class Scope:
    """A namespace of sockets and payload variables: the test's, or one parallel client's."""

    def __init__(
        self,
        run: Run,
        *,
        prefix: str = "",
        variables: Mapping[str, str] | None = None,
        parent: Scope | None = None,
        group: Group | None = None,
        client: int = 0,
    ) -> None:
        self.run = run
        self.prefix = prefix  # "c3." for client 3: its connection names in the transcript
        self.variables = dict(variables or {})
        self.parent = parent
        self.group = group  # the parallel step this scope is a client of, if any
        self.client = client
        self._names: dict[str, Endpoint] = {}

    def label(self, name: str) -> str:
        """A connection's name in the transcript."""
        return f"{self.prefix}{name}"

    def lookup(self, name: str, cls: type[E], what: str, *, inherit: bool = False) -> E:
        """The endpoint with this name; an unknown name is a scenario error.

        ``inherit`` also looks in enclosing scopes (parallel clients sharing a listener).
        """
        scope: Scope | None = self
        while scope is not None:
            found = scope._names.get(name)
            if isinstance(found, cls):
                return found
            if found is not None:
                raise error(f"'{name}' is not a {what} in this scenario")
            scope = scope.parent if inherit else None
        private = " (each parallel client has its own)" if self.prefix else ""
        raise error(f"there is no open {what} named '{name}' at this point{private}")

    def lookup_any(self, name: str) -> Endpoint:
        """The endpoint with this name, whatever its kind."""
        found = self._names.get(name)
        if found is None:
            private = " (each parallel client has its own)" if self.prefix else ""
            raise error(f"there is nothing open named '{name}' at this point{private}")
        return found

    def bind(self, name: str, endpoint: Endpoint) -> None:
        """Name an endpoint; one already bearing the name is closed first."""
        old = self._names.pop(name, None)
        if old is not None:
            old.close(record=True)
        self._names[name] = endpoint
        self.run.track(endpoint)

    def forget(self, name: str) -> None:
        self._names.pop(name, None)

    def flush(self) -> None:
        for endpoint in self._names.values():
            endpoint.flush()

    def close_all(self) -> None:
        for endpoint in self._names.values():
            endpoint.flush()
            endpoint.close(record=False)
        self._names.clear()
