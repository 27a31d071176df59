"""Hostile submissions on the docker backend get a grade: never an infrastructure error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_docker import ECHO_TEST, grade_on, write_assignment, write_submission

from grader.backends.docker import DockerBackend

BOMB_LIMITS = "limits: {pids: 32, connect_timeout: 3, step_timeout: 3, test_timeout: 15}\n"


@pytest.mark.docker
def test_a_thread_bomb_from_the_start_is_graded_with_the_process_limit(
    tmp_path: Path, docker_backend: DockerBackend
) -> None:
    tests = ECHO_TEST + ECHO_TEST.replace("name: echo", "name: echo-again")
    loaded = write_assignment(tmp_path, "python3 server.py {port}", tests, extra=BOMB_LIMITS)
    started = time.monotonic()
    result = grade_on(docker_backend, loaded, write_submission(tmp_path, "thread_bomb.py"))
    assert time.monotonic() - started < 60
    assert result.grader_errors == []
    for test in result.tests:
        assert test.status == "failed", test.reason
        assert any("process limit (32 processes and threads)" in d for d in test.diagnostics), (
            test.diagnostics
        )
