"""Sandbox backends: where the student program is built and run."""

from __future__ import annotations

from typing import Literal

from grader.backends.base import Backend
from grader.errors import BackendError

BackendName = Literal["auto", "local", "docker"]


def docker_available() -> bool:
    """Whether a Docker engine answers (quickly; False when the SDK or the engine is missing)."""
    try:
        from grader.backends.docker import engine_answers  # noqa: PLC0415 - optional engine
    except ImportError:
        return False
    return engine_answers()


def get_backend(name: BackendName) -> tuple[Backend, list[str]]:
    """The backend to use, and notes for the user (e.g. why auto fell back to local)."""
    from grader.backends.local import LocalBackend  # noqa: PLC0415 - avoid import cycles

    if name == "local":
        return LocalBackend(), []
    if name == "auto" and not docker_available():
        return LocalBackend(), [
            "no Docker engine answered, so the local backend was used (--backend auto)"
        ]
    try:
        from grader.backends.docker import DockerBackend  # noqa: PLC0415 - optional engine
    except ImportError as e:
        raise BackendError(f"the docker backend is not available: {e}") from e
    try:
        return DockerBackend(), []
    except BackendError as e:
        if name == "docker":
            raise
        return LocalBackend(), [f"Docker is not ready ({e}), so the local backend was used"]
