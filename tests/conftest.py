"""Shared fixtures: paths of the repository's assignments and reference solutions, and Docker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import BackendError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def tcp_echo() -> Path:
    return ROOT / "assignments" / "tcp-echo"


@pytest.fixture(scope="session")
def docker_backend() -> Iterator[object]:
    """A DockerBackend with a current runtime image (built here if missing or stale).

    The docker-marked tests skip without an engine, except in CI (CI=true), where they fail.
    """
    from grader.backends.docker import DockerBackend, engine_answers  # noqa: PLC0415
    from grader.images import build_images  # noqa: PLC0415

    if not engine_answers():
        message = "no Docker engine answers"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: Docker is required in CI (see .ci/run)", pytrace=False)
        pytest.skip(f"{message} (CI=true turns this skip into a failure)")
    try:
        build_images()
    except BackendError as e:
        pytest.fail(f"the runtime image could not be built: {e}", pytrace=False)
    yield DockerBackend()
