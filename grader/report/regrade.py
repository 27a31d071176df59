"""The regrade diff: which students' scores and test statuses changed since the previous run."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from grader.report.bytes_view import printable
from grader.report.gradebook import cell
from grader.report.html import STATUS_LABELS, number
from grader.results import BatchEntry

RESULT_LESS = {"rejected": "rejected", "infrastructure_error": "not graded"}


@dataclass(frozen=True, slots=True)
class TestChange:
    """One test whose status differs between the two runs ('' where the run has no status)."""

    __test__ = False  # not a pytest class

    name: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class StudentChange:
    """One student whose outcome changed; scores are None when that run has no grade."""

    student_id: str
    name: str
    old_status: str
    new_status: str
    old_score: float | None
    new_score: float | None
    tests: tuple[TestChange, ...]

    @property
    def delta(self) -> float | None:
        """New minus old score, None unless both runs graded the student."""
        if self.old_score is None or self.new_score is None:
            return None
        return self.new_score - self.old_score


def _status(entry: BatchEntry | None) -> str:
    if entry is None:
        return "absent"
    return RESULT_LESS.get(entry.status, "graded")


def _score(entry: BatchEntry | None) -> float | None:
    if entry is None or entry.result is None:
        return None
    return entry.result.score


def _test_statuses(entry: BatchEntry | None) -> dict[str, str]:
    if entry is None or entry.result is None:
        return {}
    return {t.name: t.status for t in entry.result.tests}


def _tests(old: BatchEntry | None, new: BatchEntry | None) -> tuple[TestChange, ...]:
    before, after = _test_statuses(old), _test_statuses(new)
    if not before or not after:
        return ()  # one side has no result: the status change says it all
    names = list(after) + [n for n in before if n not in after]
    return tuple(
        TestChange(n, before.get(n, ""), after.get(n, ""))
        for n in names
        if before.get(n, "") != after.get(n, "")
    )


def regrade_diff(previous: list[BatchEntry], current: list[BatchEntry]) -> list[StudentChange]:
    """The students whose status, score or any test's status differs, sorted by student id.

    Students present in only one run appear with the status 'absent' on the other side.
    """
    old = {e.student.id: e for e in previous}
    new = {e.student.id: e for e in current}
    changes = []
    for sid in sorted(old.keys() | new.keys()):
        before, after = old.get(sid), new.get(sid)
        known = after or before
        change = StudentChange(
            student_id=sid,
            name=(known.student.name if known else None) or "",
            old_status=_status(before),
            new_status=_status(after),
            old_score=_score(before),
            new_score=_score(after),
            tests=_tests(before, after),
        )
        if (
            change.old_status != change.new_status
            or change.old_score != change.new_score
            or change.tests
        ):
            changes.append(change)
    return changes


def _num(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def regrade_csv(changes: list[StudentChange]) -> str:
    """The diff as CSV: id, name, statuses, old and new score, delta, changed tests."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["id", "name", "old_status", "new_status", "old_score", "new_score", "delta", "tests"]
    )
    for c in changes:
        writer.writerow(
            [
                cell(c.student_id),
                cell(c.name),
                c.old_status,
                c.new_status,
                _num(c.old_score),
                _num(c.new_score),
                "" if c.delta is None else f"{round(c.delta, 2):+g}",
                cell("; ".join(f"{t.name}: {t.old or '-'} -> {t.new or '-'}" for t in c.tests)),
            ]
        )
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class TestChangeView:
    """A changed test as the summary shows it: name, and each side's status and words."""

    __test__ = False  # not a pytest class

    name: str
    old: str
    old_label: str
    new: str
    new_label: str


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One student's line in the regrade diff."""

    id: str
    link: str
    old: str
    new: str
    delta: str
    direction: str
    statuses: str
    tests: tuple[TestChangeView, ...]


@dataclass(frozen=True, slots=True)
class RegradeView:
    """The regrade diff section."""

    changes: tuple[ChangeRow, ...]
    summary: str


def _label(status: str) -> str:
    for key, (glyph, label) in STATUS_LABELS.items():
        if key == status:
            return f"{glyph} {label}"
    return "no result"


def _test_view(change: TestChange) -> TestChangeView:
    return TestChangeView(
        printable(change.name), change.old, _label(change.old), change.new, _label(change.new)
    )


def _signed(value: float) -> str:
    return f"{round(value, 2):+g}".replace("-", "\u2212")


def regrade_view(changes: list[StudentChange], links: dict[str, str]) -> RegradeView:
    """The summary page's section on the diff; links maps a student id to their report."""
    rows = []
    up = down = 0
    for c in changes:
        delta = c.delta
        direction = "same"
        if delta is not None and delta > 0:
            direction, up = "up", up + 1
        elif delta is not None and delta < 0:
            direction, down = "down", down + 1
        tests = tuple(_test_view(t) for t in c.tests)
        rows.append(
            ChangeRow(
                id=printable(c.student_id),
                link=links.get(c.student_id, ""),
                old=number(c.old_score) if c.old_score is not None else c.old_status,
                new=number(c.new_score) if c.new_score is not None else c.new_status,
                delta=_signed(delta) if delta is not None else "",
                direction=direction,
                statuses=f"{c.old_status} \u2192 {c.new_status}"
                if c.old_status != c.new_status
                else "",
                tests=tests,
            )
        )
    if not changes:
        summary = "No student's score or test results changed since the previous run."
    else:
        same = sum(1 for c in changes if c.delta == 0)
        one_sided = sum(1 for c in changes if c.delta is None)
        parts = [
            (up, "up"),
            (down, "down"),
            (same, "with the same score and other test results"),
            (one_sided, "graded in only one of the two runs"),
        ]
        summary = f"{len(changes)} student{'s' if len(changes) != 1 else ''} changed: " + ", ".join(
            f"{n} {what}" for n, what in parts if n
        )
    return RegradeView(tuple(rows), summary)
