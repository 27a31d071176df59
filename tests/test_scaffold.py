"""`grader new`: the scaffold it makes, that it validates as it is, and that it never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import api
from grader.cli import app
from grader.errors import SpecError
from grader.scaffold import scaffold
from grader.spec import load_assignment

runner = CliRunner()


def test_scaffold_makes_spec_handout_models_and_a_mutant(tmp_path: Path) -> None:
    made = scaffold(tmp_path, "udp-thing", "client", "udp")
    assert made.directory == tmp_path / "assignments" / "udp-thing"
    assert sorted(map(str, made.files)) == [
        "assignments/udp-thing/README.md",
        "assignments/udp-thing/assignment.yaml",
        "reference/udp-thing/c/Makefile",
        "reference/udp-thing/c/client.c",
        "reference/udp-thing/mutants/example/client.py",
        "reference/udp-thing/mutants/example/mutant.yaml",
        "reference/udp-thing/python/client.py",
    ]
    spec = load_assignment(made.directory).spec
    assert (spec.id, spec.role, spec.transport) == ("udp-thing", "client", "udp")
    assert "# Made by `grader new`" in (made.directory / "assignment.yaml").read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("role", "transport"),
    [("server", "tcp"), ("server", "udp"), ("client", "tcp"), ("client", "udp")],
)
def test_the_scaffold_validates_as_it_is(tmp_path: Path, role: str, transport: str) -> None:
    made = scaffold(tmp_path, f"new-{role}-{transport}", role, transport)  # type: ignore[arg-type]
    report = api.validate_assignment(made.directory, backend="local", jobs=3)
    assert report.ok, report.problems()
    assert [c.kind for c in sorted(report.checks, key=lambda c: c.solution)] == [
        "model",
        "mutant",
        "model",
    ], report.checks


def test_scaffold_refuses_to_overwrite(tmp_path: Path) -> None:
    scaffold(tmp_path, "taken", "server", "tcp")
    spec = tmp_path / "assignments" / "taken" / "assignment.yaml"
    spec.write_text("edited")
    with pytest.raises(SpecError, match="already exists"):
        scaffold(tmp_path, "taken", "client", "udp")
    assert spec.read_text() == "edited", "an existing assignment is never touched"


def test_scaffold_refuses_a_bad_id(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not a valid assignment id"):
        scaffold(tmp_path, "Bad_Id", "server", "tcp")
    assert list(tmp_path.iterdir()) == []


def test_cli_new_prints_what_it_made_and_exit_2_when_taken(tmp_path: Path) -> None:
    args = ["new", "echo2", "--role", "server", "--transport", "udp", "--root", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "assignments/echo2/assignment.yaml" in result.output
    assert "reference/echo2/mutants/example/mutant.yaml" in result.output
    again = runner.invoke(app, args)
    assert again.exit_code == 2, again.output
    assert "already exists" in again.output
