"""Ingest: a folder of submissions, in any LMS export layout, becomes one item per student."""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from grader.archive import archive_stem, extract_archive, is_archive
from grader.errors import SubmissionError, one_line
from grader.results import Student
from grader.submission import IGNORED_NAMES
from grader.untrusted import LINK_REFUSED, copy_file, read_text

GRADESCOPE_METADATA = "submission_metadata.yml"
# Canvas: name_userid_submissionid_file, late ones name_LATE_userid_submissionid_file
CANVAS = re.compile(
    r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<number>\d+)_(?P<rest>.+)$"
)
# Moodle: "Full Name_12345_assignsubmission_file_" folders (or that prefix on each file)
MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_(?:file|onlinetext)_(?P<rest>.*)$", re.DOTALL
)
UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
SKIPPED_FILES = {GRADESCOPE_METADATA, "roster.csv", "Thumbs.db"}


@dataclass(frozen=True)
class Item:
    """One student's submission as found in the input: a folder or file to grade, or a rejection."""

    student: Student
    source: str  # the file or folder in the input, relative to it
    path: Path | None  # what to grade; None when rejected
    rejected: str = ""  # one line: why it cannot be graded
    missing: bool = False  # a roster entry with no submission in this input (never replaces one)
    submitted: datetime | None = None  # when it was handed in, by the clock below
    clock: str = ""  # where that time comes from: "Gradescope created_at", "file time", ...
    lms_late: bool = False  # the LMS itself marks it late (Canvas's _LATE_)


@dataclass
class Ingested:
    """The items to grade and what ingest decided along the way (duplicates, layouts)."""

    items: list[Item]
    log: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    """A submission before extraction: its files (or folder), whose, and how recent."""

    student: Student
    source: str
    paths: list[tuple[Path, str]]  # (file or folder in the input, name to give it)
    order: tuple[int, float]  # (submission number, mtime): the larger is the later
    clock: str = "file time"  # what order[1] is
    lms_late: bool = False


def safe_id(raw: str) -> str:
    """A student id usable as a file name: letters, digits, '.', '_' and '-' only."""
    return UNSAFE_ID.sub("-", raw).strip("-.") or "student"


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and path.name not in IGNORED_NAMES


def _mtime(path: Path) -> float:
    return path.lstat().st_mtime  # a link's own time: a dangling or looping link is no error


def _located(path: Path) -> Path:
    """path made absolute through its folder only: a link named path is not followed."""
    return path.parent.resolve() / path.name


def _item(candidate: _Candidate, path: Path | None, rejected: str = "") -> Item:
    """The item of a candidate; its source and rejection shown on one visible line."""
    return Item(
        student=candidate.student,
        source=one_line(candidate.source),
        path=path,
        rejected=one_line(rejected) if rejected else "",
    )


def _files_under(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and all(_visible(Path(part)) for part in p.relative_to(folder).parts)
    ]


def _unwrap(folder: Path) -> Path:
    """Descend through folders that hold nothing but one folder (a zipped 'project/' folder)."""
    while True:
        children = [c for c in folder.iterdir() if _visible(c)]
        if len(children) != 1 or not children[0].is_dir():
            return folder
        folder = children[0]


def _first_link(paths: list[tuple[Path, str]]) -> str | None:
    """The first submitted path that is a symbolic link (or holds one), shown relative."""
    for path, _ in paths:
        links = [path] if path.is_symlink() else []
        if not links and path.is_dir():
            links = [p for p in path.rglob("*") if p.is_symlink()]
        if links:
            return links[0].relative_to(path.parent).as_posix()
    return None


def _materialize(candidate: _Candidate, work: Path) -> Item:
    """Refuse links, then copy, extract and unwrap a candidate into what grading reads."""
    link = _first_link(candidate.paths)
    if link is not None:
        shown = "" if link == candidate.source else f"{link} "
        return _item(candidate, None, f"{candidate.source}: {shown}{LINK_REFUSED}")
    return _copy_in(candidate, work)


def _copy_in(candidate: _Candidate, work: Path) -> Item:
    """Copy, extract and unwrap a candidate into what grading reads; a bad one is rejected."""
    student = candidate.student

    def rejected(message: str) -> Item:
        return _item(candidate, None, message)

    paths = candidate.paths
    if len(paths) == 1 and paths[0][0].is_dir():
        folder = paths[0][0]
        files = _files_under(folder)
        if not files:
            return rejected(f"{candidate.source}: empty folder, nothing was submitted")
        if len(files) > 1 or not is_archive(files[0]):
            return _item(candidate, _unwrap(folder))
        paths = [(files[0], files[0].name)]
    if len(paths) == 1 and not is_archive(paths[0][0]) and paths[0][0].name == paths[0][1]:
        return _item(candidate, paths[0][0])
    target = work / student.id
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    try:
        for path, name in paths:
            if is_archive(path):
                extract_archive(path, target / archive_stem(name))
            else:
                copy_file(path, target / name)
    except SubmissionError as e:
        shutil.rmtree(target, ignore_errors=True)  # a rejection leaves no folder behind
        return rejected(str(e))
    if not _files_under(target):
        shutil.rmtree(target, ignore_errors=True)
        return rejected(f"{candidate.source}: the archive holds no files")
    return _item(candidate, _unwrap(target))


def _timestamp(value: object) -> float | None:
    """Seconds since the epoch of a YAML timestamp (parsed or a string), None if it is neither."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    try:
        return value.timestamp() if isinstance(value, datetime) else None
    except (OverflowError, ValueError, OSError):  # year 1 in local time, say
        return None


def _text(value: object) -> str | None:
    """A name or an email of the metadata as text, whatever YAML made of it."""
    return None if value is None else str(value)


def _gradescope(input_dir: Path, log: list[str]) -> tuple[list[_Candidate], set[str]]:
    """Candidates from a Gradescope 'Export Submissions' folder and the folder names it names."""
    meta_path = input_dir / GRADESCOPE_METADATA
    try:
        metadata: Any = yaml.safe_load(read_text(meta_path))  # never through a link
    except (yaml.YAMLError, RecursionError) as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise SubmissionError(f"{meta_path}: {where}not valid YAML ({problem})") from e
    if not isinstance(metadata, dict):
        raise SubmissionError(f"{meta_path}: expected a mapping of submission folders to students")
    found: list[_Candidate] = []
    for folder_name, info in metadata.items():
        name = str(folder_name)
        # a folder of the export itself: a name such as /etc or .. would lead out of it
        inside = "/" not in name and "\0" not in name and name not in ("", ".", "..")
        folder = input_dir / name
        submitters = info.get(":submitters") if isinstance(info, dict) else None
        if isinstance(submitters, list):
            submitters = [s for s in submitters if isinstance(s, dict)]
        else:
            submitters = None
        if not inside or not folder.is_dir() or not submitters:  # a link: rejected below
            log.append(
                one_line(f"{GRADESCOPE_METADATA}: {name} has no folder or no submitter; skipped")
            )
            continue
        first = submitters[0]
        raw_id = str(first.get(":sid") or first.get(":email") or first.get(":name") or folder_name)
        if len(submitters) > 1:
            others = ", ".join(str(s.get(":name")) for s in submitters[1:])
            group = f"{name}: a group submission; graded under {raw_id} (also {others})"
            log.append(one_line(group))
        created = _timestamp(info.get(":created_at"))
        when = created or _mtime(folder)
        number = int(re.sub(r"\D", "", str(folder_name)) or 0)
        found.append(
            _Candidate(
                student=Student(
                    id=safe_id(raw_id),
                    name=_text(first.get(":name")),
                    email=_text(first.get(":email")),
                ),
                source=name,
                paths=[(folder, folder.name)],
                order=(number, when),
                clock="Gradescope created_at" if created else "file time",
            )
        )
    return found, {str(k) for k in metadata}


def _lms_candidates(children: list[Path]) -> list[_Candidate]:
    """Candidates from Canvas- and Moodle-named files and folders, and plain per-student ones."""
    groups: dict[tuple[str, int], _Candidate] = {}
    plain: list[_Candidate] = []
    for child in children:
        canvas = CANVAS.match(child.name)
        moodle = MOODLE.match(child.name)
        lms_late = False
        if moodle:
            name, user, number, rest = moodle["name"], moodle["user"], 0, moodle["rest"]
            clock = "file time (Moodle download)"
        elif canvas:
            lms_late = bool(canvas["late"])
            clock = "file time (Canvas download)"
            name, user, number, rest = (
                canvas["name"],
                canvas["user"],
                int(canvas["number"]),
                canvas["rest"],
            )
        else:
            stem = child.name if child.is_dir() else archive_stem(child.name)
            if not child.is_dir() and not is_archive(child):
                stem = child.stem
            plain.append(
                _Candidate(
                    student=Student(id=safe_id(stem)),
                    source=child.name,
                    paths=[(child, child.name)],
                    order=(0, _mtime(child)),
                )
            )
            continue
        key = (user, number)
        if key not in groups:
            groups[key] = _Candidate(
                student=Student(id=safe_id(user), name=name.strip() or None),
                source=child.name,
                paths=[],
                order=(number, 0.0),
                clock=clock,
            )
        group = groups[key]
        # the name the file had on the student's machine; '.' or '..' would name a folder
        group.paths.append((child, rest if rest not in ("", ".", "..") else child.name))
        group.order = (number, max(group.order[1], _mtime(child)))
        group.lms_late = group.lms_late or lms_late
        if len(group.paths) > 1:
            group.source = f"{name}_{user} ({len(group.paths)} files)"
    return [*groups.values(), *plain]


def read_roster(path: Path) -> dict[str, Student]:
    """Students by id from a CSV with a header: id, and optionally name and email."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise SubmissionError(f"{path}: cannot read the roster ({e})") from e
    if rows and "id" not in {k.strip().lower() for k in rows[0] if k}:
        raise SubmissionError(
            f"{path}: the roster needs a header with an 'id' column (id,name,email)"
        )
    students: dict[str, Student] = {}
    for row in rows:
        # a row longer than the header puts its extra cells, a list, under the key None
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if clean.get("id"):
            sid = safe_id(clean["id"])
            students[sid] = Student(
                id=sid, name=clean.get("name") or None, email=clean.get("email") or None
            )
    return students


def ingest(
    input_dir: Path,
    work: Path,
    *,
    roster: Path | None = None,
    identities: dict[str, Student] | None = None,
) -> Ingested:
    """Find every student's submission under input_dir; archives are extracted under work.

    When one student has several submissions, the latest (by submission number, then file
    time) is graded and the log says so. Students of the roster without a submission get a
    rejected item (marked missing), so the gradebook lists them too. identities (a roster
    given to an earlier run) name students the roster file does not, without adding any.
    """
    if not input_dir.is_dir():
        raise SubmissionError(
            f"{input_dir}: not a folder; tip: give the folder that holds one folder, file or "
            "archive per student (or an unzipped Canvas, Moodle or Gradescope export)"
        )
    log: list[str] = []
    candidates: list[_Candidate] = []
    claimed: set[str] = set()
    if (input_dir / GRADESCOPE_METADATA).is_file():
        candidates, claimed = _gradescope(input_dir, log)
    roster_at = _located(roster) if roster else None
    work_at = work.resolve()
    children = sorted(
        c
        for c in input_dir.iterdir()
        if _visible(c)
        and c.name not in SKIPPED_FILES
        and c.name not in claimed
        and _located(c) != roster_at
        and not work_at.is_relative_to(_located(c))  # --out inside the input folder
    )
    candidates += _lms_candidates(children)
    by_student: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        by_student.setdefault(candidate.student.id, []).append(candidate)
    listed = read_roster(roster) if roster else {}
    known = {**(identities or {}), **listed}
    items: list[Item] = []
    for student_id, found in sorted(by_student.items()):
        found.sort(key=lambda c: c.order)
        latest = found[-1]
        if len(found) > 1:
            log.append(
                one_line(
                    f"{student_id}: {len(found)} submissions "
                    f"({', '.join(c.source for c in found)}); graded the latest, {latest.source}"
                )
            )
        if student_id in known:
            entry = known[student_id]
            latest.student = Student(
                id=student_id,
                name=entry.name or latest.student.name,
                email=entry.email or latest.student.email,
            )
        items.append(
            replace(
                _materialize(latest, work),
                submitted=datetime.fromtimestamp(latest.order[1], UTC),
                clock=latest.clock,
                lms_late=latest.lms_late,
            )
        )
    for student_id, student in sorted(listed.items()):
        if student_id not in by_student:
            items.append(
                Item(
                    student=student,
                    source="",
                    path=None,
                    rejected=f"no submission found in {input_dir} for this roster entry",
                    missing=True,
                )
            )
    return Ingested(items=items, log=log)
