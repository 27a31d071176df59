"""The similarity views: the summary's section of top pairs, and a side-by-side page per pair."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from grader import __version__
from grader.report.bytes_view import printable
from grader.report.gradescope import readable
from grader.report.html import environment
from grader.results import Student
from grader.similarity import PUBLIC, Pair, Side, SimilarityReport

FOLDER = "similarity"
TOP = 10  # pairs listed in the summary


@dataclass(frozen=True, slots=True)
class PairLine:
    """One pair in the summary's similarity section."""

    a: str
    a_name: str
    b: str
    b_name: str
    share: str
    files: str
    link: str
    flagged: bool


@dataclass(frozen=True, slots=True)
class SimilarityView:
    """The summary's similarity section."""

    headline: str
    pairs: tuple[PairLine, ...]
    boilerplate: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a file's text, shared with the other side or not."""

    text: str
    shared: bool


@dataclass(frozen=True, slots=True)
class SideView:
    """One column of the side-by-side page."""

    who: str
    file: str
    share: str
    segments: tuple[Segment, ...]


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


def who(side_id: str, students: dict[str, Student]) -> str:
    """'Name (id)', the id alone, or 'public solution <path>'."""
    if side_id.startswith(PUBLIC):
        return f"public solution {printable(side_id.removeprefix(PUBLIC))}"
    student = students.get(side_id)
    name = student.name if student else None
    return printable(f"{name} ({side_id})" if name else side_id)


def page_name(pair: Pair, names: dict[str, str]) -> str:
    """similarity/<a>--<b>.html, from the file-safe names of the students (a hash for public)."""

    def safe(side_id: str) -> str:
        if side_id in names:
            return names[side_id]
        return "public-" + hashlib.sha256(side_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]

    return f"{FOLDER}/{safe(pair.a.id)}--{safe(pair.b.id)}.html"


def similar_to(report: SimilarityReport | None, student_id: str) -> list[tuple[Pair, Side]]:
    """The flagged pairs a student is in, with the other side of each."""
    if report is None:
        return []
    found = []
    for pair in report.pairs:
        if pair.flagged and student_id in (pair.a.id, pair.b.id):
            found.append((pair, pair.b if pair.a.id == student_id else pair.a))
    return found


def similarity_view(
    report: SimilarityReport, students: dict[str, Student], names: dict[str, str]
) -> SimilarityView:
    flagged = sum(1 for p in report.pairs if p.flagged)
    public = f" and {report.public} files of known public solutions" if report.public else ""
    headline = (
        f"{report.students} students' code compared{public}: {len(report.pairs)} pairs share "
        f"at least a third of a file, {flagged} flagged (60% or more). A flag asks for a look; "
        "it never changes a grade."
    )
    lines = tuple(
        PairLine(
            a=printable(p.a.id),
            a_name=who(p.a.id, students),
            b=printable(p.b.id),
            b_name=who(p.b.id, students),
            share=percent(p.share),
            files=printable(f"{p.a.file} \u2194 {p.b.file}"),
            link=page_name(p, names),
            flagged=p.flagged,
        )
        for p in report.pairs[:TOP]
    )
    left_out = ", ".join(printable(b) for b in report.boilerplate) or "nothing (no starter code)"
    return SimilarityView(headline=headline, pairs=lines, boilerplate=left_out)


def _segments(side: Side) -> tuple[Segment, ...]:
    out: list[Segment] = []
    at = 0
    for span in side.spans:
        if span.start > at:
            out.append(Segment(readable(side.code[at : span.start]), shared=False))
        out.append(Segment(readable(side.code[span.start : span.end]), shared=True))
        at = max(at, span.end)
    if at < len(side.code):
        out.append(Segment(readable(side.code[at:]), shared=False))
    return tuple(out)


def render_pair(pair: Pair, students: dict[str, Student], title: str) -> str:
    """One self-contained page: both files side by side, the shared code marked."""
    sides = tuple(
        SideView(who(s.id, students), printable(s.file), percent(s.share), _segments(s))
        for s in (pair.a, pair.b)
    )
    return (
        environment()
        .get_template("similarity_pair.html.j2")
        .render(
            title=printable(title),
            sides=sides,
            tokens=pair.tokens,
            flagged=pair.flagged,
            generator=f"socket-grader {__version__}",
        )
    )
