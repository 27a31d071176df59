"""Everything a batch writes to its output folder, from the entries alone: one entry point."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from grader import __version__
from grader.files import write_atomic
from grader.report.gradebook import gradebook_csv
from grader.report.gradescope import gradescope_json
from grader.report.html import render_html
from grader.report.junit import junit_xml
from grader.report.lms import canvas_csv, moodle_csv
from grader.report.regrade import regrade_csv, regrade_diff
from grader.report.similarity import FOLDER, page_name, render_pair
from grader.report.student_view import student_entry
from grader.report.summary import render_summary
from grader.results import BatchEntry
from grader.similarity import SimilarityReport
from grader.spec import Assignment

REPORTS, GRADESCOPE, JUNIT = "reports", "gradescope", "junit"
INSTRUCTOR = "instructor"  # the full reports, hidden tests shown: not for students
SUMMARY, GRADEBOOK, RESULTS, REGRADE = (
    "summary.html",
    "gradebook.csv",
    "results.json",
    "regrade-diff.csv",
)
CANVAS, MOODLE = "canvas.csv", "moodle-worksheet.csv"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows refuses for a file whatever the extension.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)]
)


class ResultsFile(BaseModel):
    """results.json: every entry of the batch, and the file name each student's files carry."""

    model_config = ConfigDict(extra="forbid")

    assignment_id: str = Field(description="Assignment id.")
    assignment_title: str = Field(description="Assignment title.")
    max_score: float = Field(description="Points available.")
    grader_version: str = Field(description="Version of socket-grader that wrote the outputs.")
    files: dict[str, str] = Field(
        description="Student id to the file-safe name of their outputs: reports/<name>.html, "
        "junit/<name>.xml, gradescope/<name>/results.json."
    )
    entries: list[BatchEntry] = Field(description="One entry per student, sorted by id.")


def _digest(student_id: str) -> str:
    return hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _is_safe(name: str) -> bool:
    stem = name.split(".", maxsplit=1)[0].lower()
    return bool(_SAFE.fullmatch(name)) and not name.endswith(".") and stem not in _RESERVED


def file_names(student_ids: Iterable[str]) -> dict[str, str]:
    """A file-safe, unique name per student id, stable across runs and input order.

    An id that is already a safe name (letters, digits, '.', '_', '-'; at most 64) is kept;
    any other is cut to a safe form and given a short hash of the id. Ids that would collide
    on a case-insensitive file system all get the hash, so none depends on the others' order.
    """
    ids = sorted(set(student_ids))
    names = {}
    for sid in ids:
        if _is_safe(sid):
            names[sid] = sid
        else:
            stem = _UNSAFE_RUN.sub("_", sid).strip("._-")[:48] or "student"
            names[sid] = f"{stem}-{_digest(sid)}"
    for width in (8, 16, 64):
        folded: dict[str, list[str]] = {}
        for sid, name in names.items():
            folded.setdefault(name.lower(), []).append(sid)
        clashes = [group for group in folded.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            for sid in group:
                full = hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()
                stem = _UNSAFE_RUN.sub("_", sid).strip("._-")[:48] or "student"
                names[sid] = f"{stem}-{full[:width]}"
    return names


def _prune(folder: Path, pattern: str, keep: set[Path]) -> None:
    """Remove outputs of students no longer in the batch, so a re-render equals a fresh run."""
    if folder.is_dir():
        for path in folder.glob(pattern):
            if path not in keep and path.is_file():
                path.unlink()
                if path.parent != folder and not any(path.parent.iterdir()):
                    path.parent.rmdir()  # gradescope/<name>/ held only that file


def write_outputs(
    out_dir: Path,
    assignment: Assignment,
    entries: list[BatchEntry],
    previous: list[BatchEntry] | None = None,
    canvas_column: str | None = None,
    similarity: SimilarityReport | None = None,
) -> None:
    """Write every output of a batch into out_dir, each file atomically.

    - reports/<name>.html: the student view of each graded entry (hidden tests redacted);
      this, gradescope/ and junit/ are rendered from grader.report.student_view, since the
      students (or their CI, their Gradescope page) see them;
    - instructor/<name>.html: the same report with everything (hidden tests shown), for the
      instructor only;
    - summary.html: the class summary, instructor view (hidden tests shown), linking reports;
    - gradebook.csv: one row per student, points per test (and the late columns);
    - canvas.csv: the Canvas gradebook import (one column: canvas_column, else the title);
    - moodle-worksheet.csv: the Moodle assignment's offline grading worksheet;
    - results.json: all entries and the student-id-to-file-name mapping (ResultsFile);
    - gradescope/<name>/results.json: for graded and rejected entries (an infrastructure
      error has no grade to upload);
    - junit/<name>.xml: for every entry;
    - regrade-diff.csv and a section of summary.html when previous entries are given;
    - similarity/<a>--<b>.html, a page per similar pair, and a section of summary.html, when a
      similarity report is given (a flag: no grade depends on it).

    <name> is the file-safe form of the student id (see file_names). Outputs of students
    absent from entries are removed, so the folder equals one written from scratch.
    """
    entries = sorted(entries, key=lambda e: e.student.id)
    names = file_names(e.student.id for e in entries)
    reports: dict[str, str] = {}
    written: dict[str, set[Path]] = {k: set() for k in (REPORTS, INSTRUCTOR, GRADESCOPE, JUNIT)}
    for entry in entries:
        name = names[entry.student.id]
        if entry.status == "graded" and entry.result is not None:
            path = out_dir / REPORTS / f"{name}.html"
            write_atomic(path, render_html(entry.result, student_view=True))
            written[REPORTS].add(path)
            reports[entry.student.id] = f"{REPORTS}/{name}.html"
            path = out_dir / INSTRUCTOR / f"{name}.html"
            write_atomic(path, render_html(entry.result, student_view=False))
            written[INSTRUCTOR].add(path)
        if entry.status != "infrastructure_error":
            path = out_dir / GRADESCOPE / name / "results.json"
            # Gradescope itself withholds an after_due_date test until the due date
            shown = student_entry(entry, release_after_due_date=True)
            write_atomic(path, gradescope_json(assignment, shown))
            written[GRADESCOPE].add(path)
        path = out_dir / JUNIT / f"{name}.xml"
        write_atomic(path, junit_xml(assignment, student_entry(entry)))
        written[JUNIT].add(path)
    _prune(out_dir / REPORTS, "*.html", written[REPORTS])
    _prune(out_dir / INSTRUCTOR, "*.html", written[INSTRUCTOR])
    _prune(out_dir / GRADESCOPE, "*/results.json", written[GRADESCOPE])
    _prune(out_dir / JUNIT, "*.xml", written[JUNIT])

    changes = regrade_diff(previous, entries) if previous is not None else None
    if changes is None:
        (out_dir / REGRADE).unlink(missing_ok=True)
    else:
        write_atomic(out_dir / REGRADE, regrade_csv(changes))
    pages: set[Path] = set()
    students = {e.student.id: e.student for e in entries}
    for pair in similarity.pairs if similarity else []:
        path = out_dir / page_name(pair, names)
        write_atomic(path, render_pair(pair, students, assignment.title))
        pages.add(path)
    _prune(out_dir / FOLDER, "*.html", pages)
    summary = render_summary(assignment, entries, reports, changes, similarity, names)
    write_atomic(out_dir / SUMMARY, summary)
    write_atomic(out_dir / GRADEBOOK, gradebook_csv(assignment, entries))
    write_atomic(out_dir / CANVAS, canvas_csv(assignment, entries, canvas_column))
    write_atomic(out_dir / MOODLE, moodle_csv(assignment, entries))
    results = ResultsFile(
        assignment_id=assignment.id,
        assignment_title=assignment.title,
        max_score=assignment.max_score,
        grader_version=__version__,
        files=names,
        entries=entries,
    )
    write_atomic(out_dir / RESULTS, results.model_dump_json(indent=1) + "\n")


def read_results(path: Path) -> ResultsFile:
    """A results.json written by write_outputs, validated."""
    return ResultsFile.model_validate_json(path.read_bytes())
