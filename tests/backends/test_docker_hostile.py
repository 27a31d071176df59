"""Hostile submissions on the docker backend get a grade: never an infrastructure error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_docker import ECHO_TEST, grade_on, write_assignment, write_submission

from grader.backends.docker import DockerBackend
from grader.grading import grade
from grader.spec import load_assignment
from grader.submission import load_submission

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


@pytest.mark.docker
def test_a_build_killed_for_memory_says_so(tmp_path: Path, docker_backend: DockerBackend) -> None:
    folder = tmp_path / "assignments" / "tiny"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(
        "id: tiny\ntitle: Tiny\nsummary: A test assignment.\nrole: server\ntransport: tcp\n"
        "languages:\n  c: {entry: server, run: \"./server {port}\"}\n"
        "limits: {memory_mb: 64}\n" + "tests:\n" + ECHO_TEST
    )
    student = tmp_path / "student"
    student.mkdir()
    (student / "server.c").write_text("int main(void) { return 0; }\n")
    (student / "Makefile").write_text('server:\n\tpython3 -c "x = bytearray(1 << 30)"\n')
    loaded = load_assignment(folder)
    result = grade(loaded, load_submission(student), docker_backend, rerun_command=str)
    assert not result.build.ok
    assert result.build.log.endswith("the build was killed: out of memory (64 MiB)"), (
        result.build.log
    )
