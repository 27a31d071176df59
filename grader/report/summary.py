"""The class summary page: the instructor's view of a whole batch, hidden tests included."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from grader import __version__
from grader.report import extra_credit
from grader.report.bytes_view import Token, printable, str_tokens
from grader.report.html import (
    ANSI_STYLE,
    STATUS_LABELS,
    VISIBILITY_TAGS,
    environment,
    number,
    seconds,
)
from grader.report.regrade import RegradeView, StudentChange, regrade_view
from grader.report.similarity import SimilarityView, percent, similar_to, similarity_view, who
from grader.results import BatchEntry, Status, Student, SubmissionResult
from grader.similarity import SimilarityReport
from grader.spec import Assignment

BINS = 10  # histogram bars, each a tenth of the score range (the last one includes 100%)
HIST_WIDTH, HIST_HEIGHT = 640, 220  # SVG user units of the histogram
HIST_LEFT, HIST_BOTTOM, HIST_TOP = 36, 36, 22  # room for the axis and the labels
RATE_WIDTH = 220  # pixels of a test's pass-rate bar
SLOWEST = 5  # submissions listed as the slowest
MESSAGE_LINE = 140  # characters of a problem's message shown before it is expanded
# The files write_outputs puts beside the page, linked from its header.
EXPORTS = (
    "gradebook.csv",
    "canvas.csv",
    "moodle-worksheet.csv",
    "results.json",
    "junit/",
    "gradescope/",
)
ORDER: tuple[Status, ...] = ("passed", "failed", "timeout", "error", "skipped")


@dataclass(frozen=True, slots=True)
class Count:
    """One of the headline counts: how many entries ended a given way."""

    key: str
    label: str
    value: int
    share: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One histogram bar, in the SVG's user units."""

    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True, slots=True)
class Histogram:
    """The score histogram: bars, horizontal grid lines and the axis scale."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    grid: tuple[tuple[float, int], ...]  # (y, count) of each grid line
    axis_y: float
    left: int
    right: int


@dataclass(frozen=True, slots=True)
class Piece:
    """A status's share of a test's bar."""

    status: Status
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class TestRate:
    """How the class did on one test."""

    __test__ = False  # not a pytest class

    number: int
    name: str
    tag: str
    points: str
    passed: int
    total: int
    rate: str
    mean: str
    pieces: tuple[Piece, ...]
    breakdown: str


@dataclass(frozen=True, slots=True)
class Mark:
    """A student's status on one test, as a glyph in the class table."""

    status: Status | None
    glyph: str
    title: str


@dataclass(frozen=True, slots=True)
class Row:
    """One student's line in the class table."""

    id: str
    name: str
    link: str
    status: str
    status_label: str
    score: str
    extra_credit: str
    percent: str
    late: str  # 'late: -20%' when the late policy took points (or the LMS marks it late)
    marks: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class Slow:
    """A slow submission."""

    id: str
    link: str
    duration: str
    score: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A submission that was rejected, not graded, failed to build or crashed."""

    id: str
    name: str
    link: str
    kind: str
    kind_label: str
    headline: str
    detail: tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class ProblemGroup:
    """Problems of one kind; crashes, often many, start folded."""

    kind: str
    label: str
    problems: tuple[Problem, ...]
    folded: bool


@dataclass(frozen=True, slots=True)
class SummaryView:
    """Everything the summary template needs."""

    title: str
    assignment_id: str
    max_score: str
    extra_credit: str
    headline: str
    counts: tuple[Count, ...]
    histogram: Histogram
    graded: int
    tests: tuple[TestRate, ...]
    columns: tuple[tuple[int, str], ...]
    slowest: tuple[Slow, ...]
    problems: tuple[ProblemGroup, ...]
    problem_count: int
    rows: tuple[Row, ...]
    regrade: RegradeView | None
    similarity: SimilarityView | None
    exports: tuple[str, ...]
    generator: str


ENTRY_LABELS = {"graded": "graded", "rejected": "rejected", "infrastructure_error": "not graded"}
COUNT_LABELS = {
    "full": "full marks",
    "partial": "partial",
    "zero": "zero",
    "rejected": "rejected",
    "infrastructure_error": "infrastructure error",
}


PROBLEM_LABELS = {  # kind: (tag, group heading), in the order the page lists them
    "rejected": ("rejected", "Rejected: the input could not be graded"),
    "infrastructure_error": ("not graded", "Not graded: infrastructure error, retried next run"),
    "build_failed": ("build failed", "The build failed"),
    "no_program": ("no program", "No program could be chosen among the files"),
    "crashed_at_start": ("crashed at start", "The program crashed at start"),
    "timed_out": ("timed out", "Every test timed out"),
    "crashed": ("error", "A test ended in an error (crash, signal, lost connection)"),
    "late": ("late", "Late: handed in after the due date"),
    "similar": ("similar", "Similar to another submission (a flag: the grade is unchanged)"),
}


def _percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole):d}%" if whole else "\u2013"


def outcome(entry: BatchEntry) -> str:
    """full, partial, zero (graded), rejected or infrastructure_error."""
    result = entry.result
    if entry.status != "graded" or result is None:
        return "infrastructure_error" if entry.status == "infrastructure_error" else "rejected"
    if result.score >= result.max_score and extra_credit.required_passed(result):
        return "full"  # with or without the extra credit
    return "zero" if result.score == 0 else "partial"


def duration(result: SubmissionResult) -> float:
    """Seconds the submission took: its phase timings, else its build and tests."""
    if result.timings:
        return sum(result.timings.values())
    return result.build.duration + sum(t.duration for t in result.tests)


def _histogram(results: list[SubmissionResult]) -> Histogram:
    counts = [0] * BINS
    for r in results:
        share = r.score / r.max_score if r.max_score else 0
        counts[min(int(share * BINS), BINS - 1)] += 1
    top = max(counts, default=0)
    step = max(1, -(-top // 4))  # about four grid lines
    scale_top = max(step * 4, 1)
    plot_h = HIST_HEIGHT - HIST_BOTTOM - HIST_TOP
    slot = (HIST_WIDTH - HIST_LEFT - 8) / BINS
    bars = []
    for i, c in enumerate(counts):
        h = plot_h * c / scale_top
        x = HIST_LEFT + i * slot + 3
        low, high = i * 100 // BINS, (i + 1) * 100 // BINS - (0 if i == BINS - 1 else 1)
        bars.append(
            Bar(
                label=f"{low}\u2013{high}%",
                count=c,
                x=round(x, 1),
                y=round(HIST_TOP + plot_h - h, 1),
                width=round(slot - 6, 1),
                height=round(h, 1),
                label_x=round(x + (slot - 6) / 2, 1),
            )
        )
    grid = tuple(
        (round(HIST_TOP + plot_h - plot_h * v / scale_top, 1), v)
        for v in range(0, scale_top + 1, step)
    )
    return Histogram(
        HIST_WIDTH,
        HIST_HEIGHT,
        tuple(bars),
        grid,
        HIST_TOP + plot_h,
        HIST_LEFT,
        HIST_WIDTH - 8,
    )


def _rates(assignment: Assignment, results: list[SubmissionResult]) -> tuple[TestRate, ...]:
    rates = []
    for number_, spec in enumerate(assignment.tests, start=1):
        found = [t for r in results for t in r.tests if t.name == spec.name]
        statuses = Counter(t.status for t in found)
        total = len(found)
        pieces = []
        x = 0.0
        for status in ORDER:
            if statuses[status]:
                w = RATE_WIDTH * statuses[status] / total
                label = STATUS_LABELS[status][1]
                pieces.append(Piece(status, label, statuses[status], round(x, 1), round(w, 1)))
                x += w
        tags = [extra_credit.NAME] if spec.extra_credit else []
        if spec.visibility != "visible":
            tags.append(VISIBILITY_TAGS[spec.visibility][1])
        rates.append(
            TestRate(
                number=number_,
                name=printable(spec.name),
                tag=" · ".join(tags),
                points=("+" if spec.extra_credit else "") + number(spec.points),
                passed=statuses["passed"],
                total=total,
                rate=_percent(statuses["passed"], total),
                mean=number(sum(t.points for t in found) / total) if total else "\u2013",
                pieces=tuple(pieces),
                breakdown=", ".join(f"{p.count} {p.label}" for p in pieces) or "not run",
            )
        )
    # the tests the class fails most come first; spec order among equals
    rates.sort(key=lambda r: (r.passed / r.total if r.total else 1.0, r.number))
    return tuple(rates)


def _groups(problems: list[Problem]) -> tuple[ProblemGroup, ...]:
    return tuple(
        ProblemGroup(kind, heading, group, folded=kind == "crashed")
        for kind, (_, heading) in PROBLEM_LABELS.items()
        if (group := tuple(p for p in problems if p.kind == kind))
    )


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    line = printable(line)
    return line if len(line) <= MESSAGE_LINE else line[: MESSAGE_LINE - 1] + "\u2026"


def _reasons(entry: BatchEntry) -> list[tuple[str, str]]:
    """(kind, message) of every reason this entry needs a look; none for a plain grade."""
    result = entry.result
    if result is None or entry.status != "graded":
        return [(entry.status, entry.message or "No message was recorded.")]
    found: list[tuple[str, str]] = []
    if not result.build.ok:
        found.append(
            ("build_failed", f"The build failed: {result.build.command}\n{result.build.log}")
        )
    elif result.entry_ambiguity:
        found.append(("no_program", result.entry_ambiguity))
    elif result.startup_crash is not None:
        crash = result.startup_crash
        lines = "\n".join(f"{line.number:>4}  {line.text}" for line in crash.source)
        found.append(("crashed_at_start", f"{crash.headline} ({crash.ended})\n{lines}".rstrip()))
    elif result.tests and all(t.status == "timeout" for t in result.tests):
        found.append(
            (
                "timed_out",
                "every test timed out: " + "; ".join(f"{t.name}: {t.reason}" for t in result.tests),
            )
        )
    elif errors := [t for t in result.tests if t.status == "error"]:
        found.append(("crashed", "\n".join(f"{t.name}: {t.reason}" for t in errors)))
    late = entry.late
    if late is not None and late.late:
        found.append(
            (
                "late",
                f"{late.reason}; raw {number(late.raw_score)}, penalty {number(late.penalty)}, "
                f"final {number(late.final_score)} (handed in "
                f"{late.submitted_at.isoformat() if late.submitted_at else 'at an unknown time'}, "
                f"by the {late.source})",
            )
        )
    return found


def _similar(
    entry: BatchEntry, report: SimilarityReport | None, students: dict[str, Student]
) -> list[tuple[str, str]]:
    """One reason per student, naming the closest match first and every match below it."""
    lines = [
        f"{percent(mine.share)} of {mine.file} is also in {who(other.id, students)}'s "
        f"{other.file} ({pair.tokens} tokens)"
        for pair, other in similar_to(report, entry.student.id)
        for mine in [pair.a if pair.a.id == entry.student.id else pair.b]
    ]
    if not lines:
        return []
    more = f", and {len(lines) - 1} more" if len(lines) > 1 else ""
    headline = f"{lines[0]}{more}; a flag, the grade is unchanged"
    return [("similar", "\n".join([headline, *lines]) if more else headline)]


def _problems(
    entry: BatchEntry,
    link: str,
    similarity: SimilarityReport | None = None,
    students: dict[str, Student] | None = None,
) -> list[Problem]:
    student = entry.student
    return [
        Problem(
            id=printable(student.id),
            name=printable(student.name or ""),
            link=link,
            kind=kind,
            kind_label=PROBLEM_LABELS[kind][0],
            headline=_first_line(message),
            detail=tuple(str_tokens(ANSI_STYLE.sub("", message))),
        )
        for kind, message in [*_reasons(entry), *_similar(entry, similarity, students or {})]
    ]


def _late_tag(entry: BatchEntry) -> str:
    late = entry.late
    if late is None or not late.late:
        return ""
    if not late.penalty:
        return "late, no penalty"
    return f"late: \u2212{number(late.percent)}% (raw {number(late.raw_score)})"


def _bonus(result: SubmissionResult | None) -> str:
    """'+5 extra credit' when the result earned some, else ''."""
    got = extra_credit.earned(result) if result else 0
    return f"+{number(got)} {extra_credit.NAME}" if got else ""


def _row(assignment: Assignment, entry: BatchEntry, link: str) -> Row:
    result = entry.result
    by_name = {t.name: t for t in result.tests} if result else {}
    marks = []
    for spec in assignment.tests:
        test = by_name.get(spec.name)
        if test is None:
            marks.append(Mark(None, "\u00b7", f"{printable(spec.name)}: no result"))
        else:
            glyph, label = STATUS_LABELS[test.status]
            score = f"{number(test.points)} / {number(test.max_points)}"
            if test.extra_credit:
                score += f" {extra_credit.NAME}"
            marks.append(Mark(test.status, glyph, f"{printable(spec.name)}: {label}, {score}"))
    return Row(
        id=printable(entry.student.id),
        name=printable(entry.student.name or ""),
        link=link,
        status=outcome(entry),
        status_label=COUNT_LABELS[outcome(entry)],
        score=number(final) if (final := entry.final_score) is not None else "",
        extra_credit=_bonus(result),
        percent=_percent(final, result.max_score) if result and final is not None else "",
        late=_late_tag(entry),
        marks=tuple(marks),
    )


def build_summary(
    assignment: Assignment,
    entries: list[BatchEntry],
    reports: dict[str, str],
    changes: list[StudentChange] | None = None,
    similarity: SimilarityReport | None = None,
    names: dict[str, str] | None = None,
) -> SummaryView:
    """The page's data. reports maps a student id to the relative link of their report."""
    entries = sorted(entries, key=lambda e: e.student.id)
    results = [e.result for e in entries if e.status == "graded" and e.result is not None]
    outcomes = Counter(outcome(e) for e in entries)
    counts = tuple(
        Count(key, label, outcomes[key], _percent(outcomes[key], len(entries)))
        for key, label in COUNT_LABELS.items()
    )
    shares = [r.score / r.max_score for r in results if r.max_score]
    if shares:
        headline = (
            f"{len(entries)} submissions, {len(results)} graded · "
            f"mean {round(100 * statistics.fmean(shares))}% · "
            f"median {round(100 * statistics.median(shares))}%"
        )
    else:
        headline = f"{len(entries)} submissions, none graded"
    by_time = sorted(
        (e for e in entries if e.result is not None and e.status == "graded"),
        key=lambda e: (-duration(e.result), e.student.id),  # type: ignore[arg-type]
    )
    slowest = tuple(
        Slow(
            printable(e.student.id),
            reports.get(e.student.id, ""),
            seconds(duration(e.result)),
            f"{number(e.result.score)} / {number(e.result.max_score)}",
        )
        for e in by_time[:SLOWEST]
        if e.result is not None
    )
    students = {e.student.id: e.student for e in entries}
    problems = [
        p
        for e in entries
        for p in _problems(e, reports.get(e.student.id, ""), similarity, students)
    ]
    return SummaryView(
        title=printable(assignment.title),
        assignment_id=assignment.id,
        max_score=number(assignment.max_score),
        extra_credit=extra_credit.label(
            extra_credit.available(assignment), extra_credit.available(assignment)
        ),
        headline=headline,
        counts=counts,
        histogram=_histogram(results),
        graded=len(results),
        tests=_rates(assignment, results),
        columns=tuple((i, printable(t.name)) for i, t in enumerate(assignment.tests, start=1)),
        slowest=slowest,
        problems=_groups(problems),
        problem_count=len({p.id for p in problems}),
        rows=tuple(_row(assignment, e, reports.get(e.student.id, "")) for e in entries),
        regrade=regrade_view(changes, reports) if changes is not None else None,
        similarity=similarity_view(similarity, students, names or {}) if similarity else None,
        exports=EXPORTS + (("regrade-diff.csv",) if changes is not None else ()),
        generator=f"socket-grader {__version__}",
    )


def render_summary(
    assignment: Assignment,
    entries: list[BatchEntry],
    reports: dict[str, str],
    changes: list[StudentChange] | None = None,
    similarity: SimilarityReport | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """The class summary as one self-contained HTML page; the same input gives the same bytes.

    reports maps a student id to the relative link of their report (students without one
    are listed without a link); changes, when given, adds the regrade diff section.
    """
    view = build_summary(assignment, entries, reports, changes, similarity, names)
    return environment().get_template("summary.html.j2").render(s=view)
