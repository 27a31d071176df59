"""The batch's durable store: one JSON entry per student, written atomically as soon as known."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from grader.course import Course
from grader.errors import SubmissionError
from grader.files import write_atomic
from grader.results import BatchEntry, Student
from grader.similarity import SimilarityReport
from grader.spec import Assignment

ENTRIES = "entries"
PREVIOUS = "previous"
RUN_MARKER = "run-in-progress.json"
ASSIGNMENT = "assignment.json"
ROSTER = "roster.json"
COURSE = "course.json"
SOURCES = "sources"
SIMILARITY = "similarity.json"


def known_student(new: Student, stored: Student | None) -> Student:
    """new, with the name and email it lacks taken from the stored entry: never lost on regrade."""
    if stored is None or stored.id != new.id:
        return new
    return Student(id=new.id, name=new.name or stored.name, email=new.email or stored.email)


class ResultStore:
    """out/entries/<student>.json, and out/previous/ as the snapshot of the run before.

    The first write of a run that changes an entry snapshots entries/ into previous/; a
    resumed run finds the marker the interrupted one left and keeps that snapshot, so the
    regrade diff still compares with the run before the interrupted one. Safe to use from
    several threads (each student has a file of their own).
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.entries_dir = out / ENTRIES
        self.previous_dir = out / PREVIOUS
        self._lock = threading.Lock()
        self._begun = False

    def path(self, student_id: str) -> Path:
        return self.entries_dir / f"{student_id}.json"

    def load(self, student_id: str) -> BatchEntry | None:
        """The stored entry, or None when there is none or it cannot be read (then regraded)."""
        try:
            return BatchEntry.model_validate_json(self.path(student_id).read_bytes())
        except (OSError, ValidationError):
            return None

    def save(self, entry: BatchEntry) -> bool:
        """Store entry unless it is what is stored already, or an infrastructure error that would
        replace a graded result; whether the file was written. The name and email the entry
        lacks are kept from the stored one."""
        stored = self.load(entry.student.id)
        if stored is not None:
            entry = entry.model_copy(
                update={"student": known_student(entry.student, stored.student)}
            )
        if stored == entry:
            return False
        if entry.status == "infrastructure_error" and stored and stored.status == "graded":
            return False
        with self._lock:
            if not self._begun:
                self._begin_run()
                self._begun = True
        write_atomic(self.path(entry.student.id), entry.model_dump_json(indent=1))
        return True

    @staticmethod
    def _read_all(folder: Path) -> list[BatchEntry]:
        found: list[BatchEntry] = []
        for path in sorted(folder.glob("*.json")):
            try:
                found.append(BatchEntry.model_validate_json(path.read_bytes()))
            except ValidationError as e:
                raise SubmissionError(
                    f"{path}: not a batch entry ({e.error_count()} problems); tip: delete it "
                    "and run `grader grade` again to regrade that student"
                ) from e
        return found

    def entries(self) -> list[BatchEntry]:
        """Every stored entry, by student id."""
        return self._read_all(self.entries_dir)

    def previous(self) -> list[BatchEntry] | None:
        """The entries of the run before the last one that changed anything, if there was one."""
        return self._read_all(self.previous_dir) if self.previous_dir.is_dir() else None

    def _begin_run(self) -> None:
        """Snapshot the entries as 'previous' unless an interrupted run already did."""
        marker = self.out / RUN_MARKER
        if marker.exists():
            return
        if any(self.entries_dir.glob("*.json")):
            staging = self.out / f".{PREVIOUS}.new"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(self.entries_dir, staging)
            shutil.rmtree(self.previous_dir, ignore_errors=True)
            staging.rename(self.previous_dir)
        write_atomic(marker, json.dumps({"started": datetime.now(UTC).isoformat()}) + "\n")

    def end_run(self) -> None:
        """Say the run finished: the next run that changes an entry snapshots anew."""
        (self.out / RUN_MARKER).unlink(missing_ok=True)

    def roster(self) -> dict[str, Student]:
        """The names and emails of every roster given to a run into this folder, by id."""
        try:
            raw = json.loads((self.out / ROSTER).read_bytes())
            students = [Student.model_validate(s) for s in raw]
        except (OSError, ValueError, TypeError):
            return {}
        return {s.id: s for s in students}

    def save_roster(self, students: dict[str, Student]) -> None:
        """Add a run's roster to the stored one (a later roster's fields win where it has them)."""
        merged = self.roster()
        for sid, student in students.items():
            merged[sid] = known_student(student, merged.get(sid))
        rows = [merged[sid].model_dump() for sid in sorted(merged)]
        write_atomic(self.out / ROSTER, json.dumps(rows, indent=1, ensure_ascii=False) + "\n")

    def sources(self, student_id: str) -> Path:
        """out/sources/<student>/: the student's source files, kept for similarity."""
        return self.out / SOURCES / student_id

    def save_similarity(self, report: SimilarityReport) -> None:
        write_atomic(self.out / SIMILARITY, report.model_dump_json(indent=1) + "\n")

    def load_similarity(self) -> SimilarityReport | None:
        """The similarity report of the last run that asked for one, if it can be read."""
        try:
            return SimilarityReport.model_validate_json((self.out / SIMILARITY).read_bytes())
        except (OSError, ValidationError):
            return None

    def save_course(self, course: Course) -> None:
        write_atomic(self.out / COURSE, course.model_dump_json(indent=1) + "\n")

    def load_course(self) -> Course:
        """The course settings of the last run (the defaults when it had none, or unreadable)."""
        try:
            return Course.model_validate_json((self.out / COURSE).read_bytes())
        except (OSError, ValidationError):
            return Course()

    def save_assignment(self, assignment: Assignment) -> None:
        write_atomic(self.out / ASSIGNMENT, assignment.model_dump_json(indent=1))

    def load_assignment(self) -> Assignment:
        """The assignment the entries were graded against (`grader report` needs no spec)."""
        path = self.out / ASSIGNMENT
        try:
            return Assignment.model_validate_json(path.read_bytes())
        except OSError as e:
            raise SubmissionError(
                f"{path}: missing; tip: give the --out folder of a `grader grade` run"
            ) from e
        except ValidationError as e:
            raise SubmissionError(
                f"{path}: written by another grader version ({e.error_count()} problems); "
                "tip: run `grader grade` again"
            ) from e
