"""The batch's progress line: its phases named, and whole at 80 columns."""

from __future__ import annotations

import io
import re

from rich.console import Console

from grader.batch import PHASE_GRADING, PHASE_OUTPUTS, PHASE_REFERENCES, Outcome
from grader.batch_view import BatchView, clock
from grader.results import BatchEntry, Student

WIDTH = 80


def _console() -> Console:
    return Console(file=io.StringIO(), width=WIDTH, force_terminal=True, color_system=None)


def _line(view: BatchView) -> str:
    """The progress line as an 80-column terminal shows it."""
    console = _console()
    console.print(view.progress.make_tasks_table(view.progress.tasks))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    lines = text.rstrip("\n").splitlines()
    assert len(lines) == 1, lines
    return lines[0].rstrip()


def _rejected(n: int) -> BatchEntry:
    student = Student(id=f"40{n:02d}", name=f"Student Number{n}")
    return BatchEntry(student=student, source="x.zip", status="rejected", message="bad archive")


def test_the_phases_are_named_before_anything_is_graded() -> None:
    view = BatchView(_console(), quiet=False)
    view.start(150, 170)
    view.counts["rejected"] = 20  # known before the model solutions are checked
    view.entry(Outcome(entry=_rejected(1), reused=False, stored=True))
    for phase in (PHASE_REFERENCES, PHASE_GRADING, PHASE_OUTPUTS):
        view.phase(phase)
        line = _line(view)
        assert line.startswith(phase) and len(line) <= WIDTH, line
        assert line.endswith(" 0/150") or phase == PHASE_GRADING, line
    view.stop()


def test_at_80_columns_the_eta_is_whole_with_every_count() -> None:
    view = BatchView(_console(), quiet=False)
    view.start(150, 170)
    view.phase(PHASE_GRADING)
    view.started -= 600  # ten minutes in
    view.counts |= {"full": 97, "partial": 20, "zero": 10, "rejected": 9}
    view.progress.update(view.task, completed=128)
    view.entry(Outcome(entry=_rejected(1), reused=False, stored=True))
    view.counts["error"] = 3
    view.entry(Outcome(entry=_rejected(2), reused=False, stored=True))
    line = _line(view)
    assert len(line) <= WIDTH, line
    assert re.search(r"128/150 12\.8/min ETA 1:43 ", line), line
    assert line.endswith("full 97 part 20 zero 10 rej 11 err 3"), line
    view.stop()


def test_a_rejected_line_names_the_student_not_only_the_lms_id() -> None:
    assert BatchView._line(_rejected(3)) == (
        "Student Number3 (4003): [magenta]rejected[/magenta]: bad archive"
    )


def test_clock() -> None:
    assert [clock(s) for s in (9, 309, 3909)] == ["0:09", "5:09", "1:05:09"]
