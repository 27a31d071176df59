"""The HTML feedback report: one self-contained page that tells a student why tests failed."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import jinja2

from grader.report import extra_credit, timeline
from grader.report.bytes_view import Token, printable, str_tokens
from grader.report.comparison import Bytes, ComparisonView, comparison_view, output_view
from grader.report.student_view import student_view as for_students
from grader.report.student_view import withheld
from grader.results import Status, SubmissionResult, TestResult

BAR_WIDTH = 200  # pixels of the widest test's bar in the overview
STATUS_LABELS: dict[Status, tuple[str, str]] = {
    "passed": ("✓", "passed"),
    "failed": ("✗", "failed"),
    "timeout": ("◷", "timed out"),
    "skipped": ("\u2013", "skipped"),
    "error": ("!", "error"),
}
LANGUAGES = {"python": "Python", "c": "C"}
# Colour codes in a compiler log are formatting, not content: they are dropped.
ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")
VISIBILITY_TAGS = {  # (student view, instructor view)
    "hidden": ("hidden test", "hidden from students"),
    "after_due_date": ("details after the due date", "shown after the due date"),
}
REDACTION_NOTES = {
    "hidden": "This is a hidden test: only its result is shown.",
    "after_due_date": "Details of this test are shown after the due date.",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A test's share of the score bar, in thousandths of its width, gaps already taken out."""

    status: Status
    name: str
    x: float
    width: float
    earned: float


@dataclass(frozen=True, slots=True)
class TestView:
    """One test as the template shows it; redacted tests carry only name, points and status."""

    __test__ = False  # not a pytest class

    anchor: str
    name: str
    status: Status
    glyph: str
    status_label: str
    points: str
    max_points: str
    bar_width: float
    bar_track: float
    bar_earned: float
    open: bool
    redacted: bool
    redaction_note: str
    visibility_tag: str
    extra_credit: bool
    description: str
    reason: str
    failed_step: str
    comparison: ComparisonView | None
    conversation: timeline.Timeline | None
    stdout: Bytes
    stderr: Bytes
    output_note: str
    printed: bool
    show_output: bool
    diagnostics: tuple[str, ...]
    hint: str
    rerun: str
    duration: str


@dataclass(frozen=True, slots=True)
class BuildView:
    """The build step: its command and, when it failed or warned, its log."""

    ok: bool
    language: str
    command: str
    outcome: str
    log: tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class HeadlineView:
    """What stopped the whole submission, said once at the top: a crash at start (with the
    source lines around it) or a program the grader could not single out."""

    title: str
    text: str
    test_anchor: str  # the test the crash was seen in, "" for none
    source: tuple[tuple[str, str, bool], ...]  # (line number, text, the error's line)


def _headline(result: SubmissionResult) -> HeadlineView | None:
    crash = result.startup_crash
    if crash is not None:
        anchor = next(
            (_anchor(i, t.name) for i, t in enumerate(result.tests) if t.name == crash.test), ""
        )
        return HeadlineView(
            title="Your program crashed at start",
            text=printable(
                f"{crash.headline}; it {crash.ended} before it was ready, so the other tests "
                "were not run."
            ),
            test_anchor=anchor,
            source=tuple(
                (str(s.number), printable(s.text), s.number == crash.line) for s in crash.source
            ),
        )
    if result.entry_ambiguity is not None:
        text = printable(result.entry_ambiguity)
        return HeadlineView("Which file is your program?", text, "", ())
    return None


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled line of the run's details."""

    label: str
    value: str
    code: bool = False


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything the page template needs, computed from a SubmissionResult."""

    title: str
    assignment_id: str
    submission_id: str
    view: Literal["student", "instructor"]
    score: str
    max_score: str
    percent: str
    extra_credit: str
    full_marks: bool
    counts: str
    segments: tuple[Segment, ...]
    local: bool
    build: BuildView
    headline: HeadlineView | None
    facts: tuple[Fact, ...]
    notes: tuple[str, ...]
    tests: tuple[TestView, ...]
    generator: str
    started: str


def number(value: float) -> str:
    """Points as people write them: 10, 2.5, 0.33."""
    return f"{round(value, 2):g}"


def seconds(value: float) -> str:
    """A duration: milliseconds below a second, else seconds."""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _anchor(index: int, name: str) -> str:
    return f"test-{index + 1}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)[:40]


def _output_note(test: TestResult) -> str:
    if not (test.stdout_tail or test.stderr_tail):
        return "Your program printed nothing on stdout or stderr."
    if test.output_truncated:
        return "Your program wrote more than the output cap: only the end of its output was kept."
    return ""


def _test(index: int, test: TestResult, widest: float, *, student_view: bool) -> TestView:
    glyph, label = STATUS_LABELS[test.status]
    redacted = student_view and withheld(test.visibility)
    track = BAR_WIDTH * test.max_points / widest if widest else 0
    earned = track * test.points / test.max_points if test.max_points else 0
    tag = ""
    if test.visibility != "visible":
        tag = VISIBILITY_TAGS[test.visibility][0 if student_view else 1]
    redacted_view = TestView(
        anchor=_anchor(index, test.name),
        name=printable(test.name),
        status=test.status,
        glyph=glyph,
        status_label=label,
        points=number(test.points),
        max_points=number(test.max_points),
        bar_width=round(track + 2, 1),
        bar_track=round(track, 1),
        bar_earned=round(earned, 1),
        open=test.status != "passed",
        redacted=True,
        redaction_note=REDACTION_NOTES.get(test.visibility, ""),
        visibility_tag=tag,
        extra_credit=test.extra_credit,
        description="",
        reason="",
        failed_step="",
        comparison=None,
        conversation=None,
        stdout=Bytes("", ()),
        stderr=Bytes("", ()),
        output_note="",
        printed=False,
        show_output=False,
        diagnostics=(),
        hint="",
        rerun="",
        duration="",
    )
    if redacted:
        return redacted_view
    printed = bool(test.stdout_tail or test.stderr_tail)
    return dataclasses.replace(
        redacted_view,
        redacted=False,
        redaction_note="",
        description=printable(test.description),
        reason=printable(test.reason),
        failed_step=printable(test.failed_step or ""),
        comparison=comparison_view(test.comparison) if test.comparison else None,
        conversation=timeline.build(test.transcript) if test.transcript else None,
        stdout=output_view("stdout", test.stdout_tail),
        stderr=output_view("stderr", test.stderr_tail),
        output_note=_output_note(test),
        printed=printed,
        show_output=printed or test.status != "skipped",
        diagnostics=tuple(printable(d) for d in test.diagnostics),
        hint=printable(test.hint or "") if test.status != "passed" else "",
        rerun=printable(test.rerun),
        duration=seconds(test.duration) if test.duration else "",
    )


def _segments(result: SubmissionResult) -> tuple[Segment, ...]:
    total = sum(t.max_points for t in result.tests)
    out = []
    x = 0.0
    for test in result.tests:
        width = 1000 * test.max_points / total if total else 0
        drawn = max(width - 2, 0)  # a 2-unit gap between neighbours
        earned = drawn * test.points / test.max_points if test.max_points else 0
        out.append(
            Segment(
                test.status,
                printable(test.name),
                round(x + 1, 2),
                round(drawn, 2),
                round(earned, 2),
            )
        )
        x += width
    return tuple(out)


def _counts(result: SubmissionResult) -> str:
    """'5 passed, 1 failed'; extra credit not passed is counted apart: it lost no point."""
    parts = []
    missed = sum(1 for t in result.tests if t.extra_credit and t.status != "passed")
    for status, (_, label) in STATUS_LABELS.items():
        count = sum(1 for t in result.tests if t.status == status)
        if status != "passed":
            count -= sum(1 for t in result.tests if t.status == status and t.extra_credit)
        if count:
            parts.append(f"{count} {label}")
    if missed:
        parts.append(f"{missed} {extra_credit.NAME} not earned")
    return ", ".join(parts) or "no tests"


def _started(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _build_outcome(result: SubmissionResult) -> str:
    build = result.build
    if not build.ok:
        return f"failed after {seconds(build.duration)}"
    if not build.command:
        return "nothing to build"
    return f"succeeded in {seconds(build.duration)}"


def _facts(result: SubmissionResult) -> tuple[Fact, ...]:
    facts = [
        Fact("Backend", printable(result.backend)),
    ]
    if result.image_id:
        facts.append(Fact("Image", printable(result.image_id[:19]), code=True))
    facts += [
        Fact("Grader", f"socket-grader {printable(result.grader_version)}"),
        Fact("Started", _started(result.started_at)),
        Fact("Language", LANGUAGES.get(result.build.language, printable(result.build.language))),
    ]
    if result.build.command:
        facts.append(Fact("Build command", printable(result.build.command), code=True))
    if result.timings:
        phases = (f"{printable(k)} {seconds(v)}" for k, v in result.timings.items())
        facts.append(Fact("Time", " · ".join(phases)))
    facts += [
        Fact("Spec", f"{printable(result.assignment_id)} · sha256 {result.spec_hash[:16]}…"),
        Fact("Submission", f"sha256 {result.submission_hash[:16]}…"),
    ]
    return tuple(facts)


def build_view(result: SubmissionResult, *, student_view: bool = True) -> ReportView:
    """The page's data: every string made printable, bytes tokenised, and in the student view
    the result redacted (grader.report.student_view) before anything is read from it."""
    if student_view:
        result = for_students(result)
    widest = max((t.max_points for t in result.tests), default=0)
    percent = 100 * result.score / result.max_score if result.max_score else 0
    build = result.build
    return ReportView(
        title=printable(result.assignment_title),
        assignment_id=printable(result.assignment_id),
        submission_id=printable(result.submission_id),
        view="student" if student_view else "instructor",
        score=number(result.score),
        max_score=number(result.max_score),
        percent=f"{round(percent, 1):g}%" if result.max_score else "\u2013",
        extra_credit=extra_credit.result_label(result),
        full_marks=extra_credit.required_passed(result),
        counts=_counts(result),
        segments=_segments(result),
        local=result.backend == "local",
        build=BuildView(
            ok=build.ok,
            language=LANGUAGES.get(build.language, printable(build.language)),
            command=printable(build.command),
            outcome=_build_outcome(result),
            log=tuple(str_tokens(ANSI_STYLE.sub("", build.log))),
        ),
        headline=_headline(result),
        facts=_facts(result),
        notes=tuple(printable(n) for n in result.notes),
        tests=tuple(
            _test(i, t, widest, student_view=student_view) for i, t in enumerate(result.tests)
        ),
        started=_started(result.started_at),
        generator=f"socket-grader {printable(result.grader_version)}",
    )


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment: autoescaping everything, failing on any undefined name."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("grader.report", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2", "svg"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(result: SubmissionResult, *, student_view: bool = True) -> str:
    """The report as one self-contained HTML page; the same result always gives the same bytes.

    With student_view, tests that are hidden or shown after the due date keep only their name,
    points and status; without it (the instructor's copy) everything is shown.
    """
    view = build_view(result, student_view=student_view)
    return environment().get_template("report.html.j2").render(r=view)


def write_html(result: SubmissionResult, path: Path, *, student_view: bool = True) -> None:
    """Render the report and write it to path atomically: a reader sees the old file or the new
    one, never half of one. The parent directory must exist."""
    page = render_html(result, student_view=student_view)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(page)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
