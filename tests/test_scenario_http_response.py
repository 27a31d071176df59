"""The http_response step in a spec: what it accepts, and the one-line errors of a misuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import SpecError
from grader.scenario import HttpResponse
from grader.spec import load_assignment

SPEC = """\
id: web
title: Web
summary: A web server.
role: server
transport: tcp
languages:
  python: {{entry: server.py, run: "python3 server.py {{port}}"}}
tests:
  - name: page
    points: 5
    description: A page.
    scenario:
      - connect: main
      - send: "GET / HTTP/1.1\\r\\n\\r\\n"
      - {step}
"""


def load(tmp_path: Path, step: str) -> HttpResponse:
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(SPEC.format(step=step))
    found = load_assignment(folder).spec.tests[0].scenario[2]
    assert isinstance(found, HttpResponse), found
    return found


def test_the_protocol_is_checked_by_default(tmp_path: Path) -> None:
    step = load(tmp_path, "{http_response: 404, body_contains: gone}")
    assert (step.http_response, step.check, step.closes, step.conn) == (
        404,
        "protocol",
        True,
        "main",
    )


def test_served_reads_any_answer(tmp_path: Path) -> None:
    step = load(tmp_path, "{http_response: any, check: served, body_contains: Hello}")
    assert (step.http_response, step.check) == ("any", "served")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{http_response: 200, check: served}", "check: served reads any answer"),
        ("{http_response: any, check: served, closes: false}", "closes is checked only with"),
        ("{http_response: 42}", "greater than or equal to 100"),
        ("{http_response: any, check: lenient}", "'protocol' or 'served'"),
    ],
)
def test_a_misused_option_is_one_clear_line(tmp_path: Path, step: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load(tmp_path, step)
