"""A hint is chosen by the check that failed: a step's own hint wins over its test's."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.api import check
from grader.scenario import step_at
from grader.spec import load_assignment

SPEC = """
    id: tiny
    title: Tiny
    summary: A server.
    role: server
    transport: tcp
    languages: {python: {entry: server.py, run: "python3 server.py {port}"}}
    tests:
      - name: greets
        points: 1
        description: Says hi, then bye.
        hint: the test's hint
        scenario:
          - connect: main
          - expect: "hi\\n"
            hint: the greeting's hint
          - parallel:
              - connect: c
              - repeat:
                  - expect: "bye\\n"
                    conn: c
                    hint: the farewell's hint
                times: 2
            clients: 2
"""


WRONG_GREETING = (
    "import socket, sys\n"
    "s = socket.create_server(('127.0.0.1', int(sys.argv[1])))\n"
    "while True:\n"
    "    c, _ = s.accept()\n"
    "    c.sendall(b'hello\\n')\n"
    "    c.close()\n"
)


def write_spec(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(textwrap.dedent(SPEC))
    return folder


def test_step_at_follows_parallel_and_repeat_paths(tmp_path: Path) -> None:
    test = load_assignment(write_spec(tmp_path)).spec.tests[0]
    greeting = step_at(test.scenario, "1")
    assert greeting is not None and greeting.hint == "the greeting's hint"
    inner = step_at(test.scenario, "2.client 1.1.iteration 1.0")
    assert inner is not None and inner.hint == "the farewell's hint"
    first = step_at(test.scenario, "0")
    assert first is not None and first.hint is None
    assert step_at(test.scenario, "9") is None
    assert step_at(test.scenario, "2.client 0.7") is None


def test_the_failed_steps_hint_replaces_the_tests(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "server.py").write_text(WRONG_GREETING)
    result = check(spec, submission, backend="local")
    (test,) = result.tests
    assert test.status == "failed" and test.failed_step == "1"
    assert test.hint == "the greeting's hint"


def test_a_step_without_a_hint_falls_back_to_the_tests(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    lines = (spec / "assignment.yaml").read_text().splitlines(keepends=True)
    (spec / "assignment.yaml").write_text("".join(x for x in lines if "greeting's" not in x))
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "server.py").write_text(WRONG_GREETING)
    result = check(spec, submission, backend="local")
    (test,) = result.tests
    assert test.failed_step == "1" and test.hint == "the test's hint"
