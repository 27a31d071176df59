"""The docker backend: the engine (the one user of the docker SDK), the backend and cleanup."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import requests

from grader import images
from grader.backends.base import Backend
from grader.backends.docker_exec import EXIT_WAIT, GATE, PROGRAM_UID, PROGRAM_USER, WORK, ExecStream
from grader.backends.docker_labels import LABEL, LABEL_OWNER, owner_gone
from grader.backends.docker_sandbox import ContainerLimits, DockerSandbox
from grader.capture import OutputCapture
from grader.errors import BackendError
from grader.program import ProgramPlan
from grader.spec import LoadedAssignment
from grader.submission import Submission

ENVIRONMENT = {
    "HOME": WORK, "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
}
IDLE_COMMAND = ["sleep", "infinity"]  # each container idles until we exec in it
IDLE_USER = "65534:65534"  # nobody: out of reach of `kill -1` as PROGRAM_USER
CLIENT_TIMEOUT = 60.0  # seconds an engine API call may take
PING_TIMEOUT = 2.0
POLL = 0.01

# The SDK has no type information, and mypy run from the repository root would take the
# docker/ folder (the image recipe) for it; imported by name, it is Any to mypy.
docker: Any = importlib.import_module("docker")
# Errors the SDK raises when the engine or the connection to it fails.
SDK_ERRORS = (docker.errors.DockerException, requests.RequestException)
NotFound = docker.errors.NotFound


@contextmanager
def _engine_errors(doing: str) -> Iterator[None]:
    """Turn an SDK error into a BackendError that says what the grader was doing."""
    try:
        yield
    except (*SDK_ERRORS, OSError) as e:  # OSError: the connection of an attached exec
        raise BackendError(f"docker: could not {doing}: {e}") from e


def engine_answers() -> bool:
    """Whether a Docker engine answers a ping within 2 s (False on any error)."""
    try:
        client = docker.from_env(timeout=PING_TIMEOUT)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (*SDK_ERRORS, OSError):
        return False


# --- The engine ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Swept:
    """What a cleanup sweep removed."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # left for the next sweep, with the reason


class Engine:
    """A connection to the Docker engine, with the few operations the grader needs."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.api = client.api

    @classmethod
    def connect(cls) -> Engine:
        try:
            client = docker.from_env(timeout=CLIENT_TIMEOUT)
            client.ping()
        except SDK_ERRORS as e:
            raise BackendError(
                f"no Docker engine answers ({e}); tip: start it (`dockerd`, or Docker Desktop) "
                "and check DOCKER_HOST, or use --backend local for code you trust"
            ) from e
        return cls(client)

    # images.ImageEngine
    def image_labels(self, reference: str) -> tuple[str, dict[str, str]] | None:
        with _engine_errors(f"inspect the image {reference}"):
            try:
                found = self.api.inspect_image(reference)
            except NotFound:
                return None
        return str(found["Id"]), dict(found["Config"].get("Labels") or {})

    def import_rootfs(self, tarball: Path, reference: str, labels: dict[str, str]) -> str:
        repository, tag = reference.rsplit(":", 1)
        changes = [f"LABEL {key}={value}" for key, value in labels.items()]
        with _engine_errors(f"import {tarball} as {reference}"):
            self.api.import_image_from_file(str(tarball), repository, tag, changes=changes)
            return str(self.api.inspect_image(reference)["Id"])

    def build_image(
        self, context: Path, reference: str, buildargs: dict[str, str], labels: dict[str, str]
    ) -> str:
        with _engine_errors(f"build {reference} from {context}"):
            try:
                image, _ = self.client.images.build(
                    path=str(context), tag=reference, buildargs=buildargs, labels=labels,
                    rm=True, forcerm=True,
                )
            except docker.errors.BuildError as e:
                log = "".join(str(chunk.get("stream", "")) for chunk in e.build_log)[-2000:]
                raise BackendError(f"docker build of {reference} failed: {e}\n{log}") from e
        return str(image.id)

    # Sweeping
    def sweep(self, *, everything: bool) -> Swept:
        """Remove labelled containers and networks: all of them, or those of ended graders."""
        swept = Swept()
        with _engine_errors("list the grader's containers and networks"):
            containers = self.api.containers(all=True, filters={"label": LABEL})
            networks = self.api.networks(filters={"label": LABEL})
        for found, remove, names in (
            (containers, self.remove_container, swept.containers),
            (networks, self.remove_network, swept.networks),
        ):
            for item in found:
                owner = (item.get("Labels") or {}).get(LABEL_OWNER, "")
                if everything or owner_gone(owner):
                    name = item["Names"][0].lstrip("/") if "Names" in item else item["Name"]
                    try:
                        remove(item["Id"])
                    except BackendError as e:  # e.g. another grader's sweep is removing it
                        swept.failed.append(str(e))
                    else:
                        names.append(name)
        return swept

    # Networks and containers
    def create_network(self, name: str, labels: dict[str, str]) -> str:
        """A fresh internal bridge network: no way out, and none to the host."""
        with _engine_errors(f"create the network {name}"):
            return str(self.api.create_network(
                name, driver="bridge", internal=True, labels=labels,
                # without it, containers reach host services on 0.0.0.0 through the gateway
                options={"com.docker.network.bridge.inhibit_ipv4": "true"},
            )["Id"])

    def create_container(
        self, name: str, image: str, labels: dict[str, str], limits: ContainerLimits,
        network: str, alias: str | None,
    ) -> str:
        """A hardened container, not started: on `network` by `alias`, or, with alias None, in
        the network namespace `network` names ("container:<id>")."""
        tmpfs_mb = limits.tmpfs_mb
        host_config = self.api.create_host_config(
            init=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=limits.pids,
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",  # equal: no swap on top of the memory limit
            nano_cpus=int(limits.cpus * 1e9),
            read_only=True,
            tmpfs={
                WORK: f"rw,exec,nosuid,nodev,size={tmpfs_mb}m,uid={PROGRAM_UID},gid={PROGRAM_UID}",
                "/tmp": f"rw,nosuid,nodev,size={tmpfs_mb}m,mode=1777",  # noqa: S108 - in the container
            },
            shm_size=f"{tmpfs_mb}m",
            ulimits=[
                docker.types.Ulimit(name="nofile", soft=1024, hard=1024),
                docker.types.Ulimit(name="core", soft=0, hard=0),
                docker.types.Ulimit(name="fsize", soft=tmpfs_mb << 20, hard=tmpfs_mb << 20),
            ],
            log_config=docker.types.LogConfig(
                type="json-file", config={"max-size": "1m", "max-file": "1"}
            ),
            network_mode=network,
            # IPv6 on the loopback only: the host's bridge has a link-local address a container
            # could reach over eth0, but ::1 must answer as on any machine (a client that dials
            # "localhost" tries ::1 first; without it, connect fails with EADDRNOTAVAIL, an
            # error no real machine gives, instead of ECONNREFUSED)
            sysctls=None
            if alias is None
            else {"net.ipv6.conf.lo.disable_ipv6": "0", "net.ipv6.conf.eth0.disable_ipv6": "1"},
        )
        networking_config = None if alias is None else self.api.create_networking_config(
            {network: self.api.create_endpoint_config(aliases=[alias])}
        )
        with _engine_errors(f"create the container {name}"):
            return str(self.api.create_container(
                image, IDLE_COMMAND, name=name, hostname=alias, user=IDLE_USER,
                environment=ENVIRONMENT, working_dir=WORK, labels=labels,
                host_config=host_config, networking_config=networking_config,
            )["Id"])

    def start_net_admin(
        self, name: str, image: str, labels: dict[str, str], container_id: str, argv: list[str]
    ) -> str:
        """Start argv as root with NET_ADMIN (and no other capability) in the network namespace
        of a container: a short-lived container that sets up the namespace (wait_container
        collects it; remove it as any other)."""
        host_config = self.api.create_host_config(
            cap_drop=["ALL"], cap_add=["NET_ADMIN"], security_opt=["no-new-privileges"],
            pids_limit=32, mem_limit="64m", memswap_limit="64m", read_only=True,
            tmpfs={"/run": "rw,nosuid,nodev,size=1m"},  # iptables' lock file
            network_mode=f"container:{container_id}",
        )
        with _engine_errors(f"start {argv[0]} in the network namespace of {container_id[:12]}"):
            helper = str(self.api.create_container(
                image, argv, name=name, user="0:0", labels=labels, host_config=host_config,
            )["Id"])
            self.api.start(helper)
        return helper

    def wait_container(self, container_id: str, timeout: float) -> ExecOutcome:
        """A container's exit code and output once it has ended (None at the timeout)."""
        with _engine_errors(f"wait for the container {container_id[:12]}"):
            try:
                code = self.api.wait(container_id, timeout=timeout)["StatusCode"]
            except requests.RequestException:  # the wait's read timed out
                return ExecOutcome(None, b"", timed_out=True)
            output = bytes(self.api.logs(container_id, stdout=True, stderr=True))
        return ExecOutcome(code, output, timed_out=False)

    def start_containers(self, container_ids: list[str]) -> None:
        """Start containers, at once: a start takes ~0.25 s, mostly waiting."""
        with _engine_errors("start a container"), ThreadPoolExecutor(2) as pool:
            list(pool.map(self.api.start, container_ids))

    def remove_containers(self, container_ids: list[str]) -> None:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(self.remove_container, container_ids))

    def remove_container(self, container_id: str) -> None:
        with _engine_errors(f"remove the container {container_id[:12]}"), suppress(NotFound):
            self.api.remove_container(container_id, force=True)  # NotFound: gone already

    def remove_network(self, network_id: str) -> None:
        with _engine_errors(f"remove the network {network_id[:12]}"), suppress(NotFound):
            self.api.remove_network(network_id)

    # Exec
    def attach(self, container_id: str, argv: list[str], user: str) -> tuple[str, ExecStream]:
        """Start argv in the container with stdin, stdout and stderr attached to us."""
        with _engine_errors(f"start {argv[0]} in a container"):
            exec_id = self.api.exec_create(
                container_id, [*GATE, *argv], stdin=True, user=user, workdir=WORK
            )["Id"]
            response = self.api.exec_start(exec_id, socket=True)
            stream = ExecStream(response._sock)  # the SDK's SocketIO wraps the real socket
            stream.write(b"\n")  # open the gate
        return str(exec_id), stream

    def exec_state(self, exec_id: str) -> tuple[bool, int | None]:
        """Whether the exec'd process runs, and its exit code once it has ended."""
        with _engine_errors("read a process's state"):
            found = self.api.exec_inspect(exec_id)
        return bool(found["Running"]), found["ExitCode"]

    def wait_exec(self, exec_id: str, timeout: float) -> tuple[bool, int | None]:
        deadline = time.monotonic() + timeout
        while True:
            running, code = self.exec_state(exec_id)
            if not running or time.monotonic() >= deadline:
                return running, code
            time.sleep(POLL)

    def run(
        self, container_id: str, argv: list[str], *, timeout: float, cap: int,
        stdin: bytes = b"", idle_user: bool = False,
    ) -> ExecOutcome:
        """Run argv (as the program user) to its end, or kill every process of its user at the
        deadline."""
        user = IDLE_USER if idle_user else PROGRAM_USER
        exec_id, stream = self.attach(container_id, argv, user)
        output = OutputCapture(cap)
        timed_out = False
        try:
            stream.write(stdin)
            stream.close_stdin()
            deadline = time.monotonic() + timeout
            while (frame := stream.read_frame(deadline)) is not None:
                output.append(frame[1])
        except TimeoutError:
            timed_out = True
            self.signal_all(container_id, "KILL", user)
        except OSError as e:
            raise BackendError(f"docker: the connection to {argv[0]} broke: {e}") from e
        finally:
            stream.close()
        _, code = self.wait_exec(exec_id, EXIT_WAIT)
        return ExecOutcome(code, output.text(), timed_out)

    def signal_all(self, container_id: str, signal: str, user: str = PROGRAM_USER) -> None:
        """Send a signal to every process of `user` in the container."""
        with _engine_errors(f"send SIG{signal} to the programs"):
            exec_id = self.api.exec_create(
                container_id, ["sh", "-c", f"kill -{signal} -1"], user=user
            )["Id"]
            self.api.exec_start(exec_id)


@dataclass(frozen=True)
class ExecOutcome:
    exit_code: int | None
    output: bytes
    timed_out: bool


class DockerBackend(Backend):
    """Hardened containers on an internal network per submission; for code nobody has read."""

    name: ClassVar[str] = "docker"
    isolated: ClassVar[bool] = True

    def __init__(self) -> None:
        self.engine = Engine.connect()
        self._image_id = images.require_runtime(self.engine)
        # what graders killed before they could clean up left behind (never a live grader's)
        self.engine.sweep(everything=False)

    def image_id(self) -> str | None:
        return self._image_id

    @contextmanager
    def open(
        self, loaded: LoadedAssignment, submission: Submission, plan: ProgramPlan
    ) -> Iterator[DockerSandbox]:
        with ExitStack() as stack:
            sandbox = DockerSandbox(self.engine, self._image_id, loaded, submission, plan)
            sandbox.create(stack)
            yield sandbox


def cleanup() -> Swept:
    """Remove every container and network the grader made on this engine (`grader cleanup`)."""
    return Engine.connect().sweep(everything=True)
