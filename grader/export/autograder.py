"""What run_autograder runs on Gradescope: grade /autograder/submission on the local backend as
an unprivileged user, and write /autograder/results/results.json once, whatever happens.

Two processes. The harness (root, as Gradescope starts it) copies the submission into a folder
the grading user owns, starts the grading child as that user and reads its verdict from a pipe,
then writes results.json in /autograder/results, which that user cannot write. The child
(`--grade`) grades on the local backend, so the student's program runs as the grading user
too: Gradescope's container is the sandbox, and the program can change neither the harness,
nor the installed grader, nor results.json. The harness's stdout, which Gradescope shows to
instructors only, gets every test's full reason; results.json gets what a student may see.
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.backends.local import NOT_ISOLATED
from grader.errors import BackendError, GraderError
from grader.files import write_atomic
from grader.report.gradescope import gradescope_results, readable
from grader.report.student_view import student_view
from grader.results import BatchEntry, Student, SubmissionResult, TestResult
from grader.spec import Assignment, LoadedAssignment, load_assignment

GRADER_USER = "sg-autograder"  # made by setup.sh
MARGIN = 120  # seconds on top of the spec's own deadlines before the child is killed
FAILED = (
    "The autograder failed before it could grade this submission (this is no verdict on your "
    "work): please tell your instructor, who sees the details."
)


class GradingOutcome(BaseModel):
    """What the grading child sends back: a result, or why the submission cannot be graded."""

    model_config = ConfigDict(extra="forbid")

    result: SubmissionResult | None = Field(default=None, description="The grade.")
    rejected: str | None = Field(
        default=None, description="Why the submission cannot be graded (the student's problem)."
    )


class GradescopeUser(BaseModel):
    """One submitter in submission_metadata.json (Gradescope adds fields: they are ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: int | str | None = Field(default=None, description="Gradescope's user id.")
    name: str | None = Field(default=None, description="Full name.")
    email: str | None = Field(default=None, description="Email.")


class SubmissionMetadata(BaseModel):
    """The parts of Gradescope's submission_metadata.json the grader reads."""

    model_config = ConfigDict(extra="ignore")

    id: int | str | None = Field(default=None, description="The submission's id.")
    created_at: str | None = Field(default=None, description="When it was submitted.")
    users: list[GradescopeUser] = Field(default_factory=list, description="Who submitted it.")


class Layout:
    """Gradescope's /autograder folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.source = root / "source"
        self.submission = root / "submission"
        self.metadata = root / "submission_metadata.json"
        self.results = root / "results" / "results.json"

    def assignment(self) -> LoadedAssignment:
        folders = sorted(p for p in (self.source / "assignment").glob("*") if p.is_dir())
        if len(folders) != 1:
            raise GraderError(
                f"{self.source / 'assignment'}: expected one assignment folder, found "
                f"{[p.name for p in folders]}; tip: export the zip with `grader export gradescope`"
            )
        return load_assignment(folders[0])


def read_metadata(path: Path) -> SubmissionMetadata | None:
    """submission_metadata.json when present and readable, else None (said on stdout)."""
    if not path.is_file():
        return None
    try:
        return SubmissionMetadata.model_validate_json(path.read_bytes())
    except ValidationError as e:
        print(f"autograder: {path} ignored: {e.errors()[0]['msg']}")
        return None


def _student(metadata: SubmissionMetadata | None) -> Student:
    users = metadata.users if metadata else []
    if not users:
        return Student(id="submission")
    first = users[0]
    ident = first.email or (str(first.id) if first.id is not None else "submission")
    names = ", ".join(u.name or u.email or str(u.id) for u in users)
    return Student(id=ident, name=names or None, email=first.email)


def student_rerun(assignment_id: str, test: str) -> str:
    """The command with which a student re-runs one test on their own machine."""
    return shlex.join(["grader", "check", assignment_id, ".", "--test", test])


def for_student(result: SubmissionResult) -> SubmissionResult:
    """The result as results.json shows it: hidden details redacted, the student's re-run
    command, no word of the local backend's missing isolation."""
    shown = student_view(result)
    tests = [
        t.model_copy(update={"rerun": student_rerun(result.assignment_id, t.name)})
        for t in shown.tests
    ]
    # Gradescope's container is the sandbox: the local backend's warning is not the student's
    notes = [n for n in shown.notes if n != NOT_ISOLATED]
    return shown.model_copy(update={"tests": tests, "notes": notes})


def failure_results(spec: Assignment | None, error: str) -> dict[str, Any]:
    """A valid results.json for a grader failure: score 0, every test not run, and why."""
    tests = [
        {
            "name": t.name,
            "number": str(i),
            "score": 0,
            "max_score": 0 if t.extra_credit else t.points,
            "status": "failed",
            "output": "Not run: the autograder failed.",
            "output_format": "text",
            "visibility": t.visibility,
        }
        for i, t in enumerate(spec.tests if spec else [], start=1)
    ]
    return {
        "score": 0,
        "output": FAILED,
        "output_format": "text",
        "visibility": "visible",
        "tests": tests,
        "extra_data": {"grader_error": error},
    }


def _timeout(spec: Assignment) -> float:
    # a test in status error is run twice; the build once
    return spec.limits.build_timeout + 2 * spec.limits.test_timeout * len(spec.tests) + MARGIN


def _run_child(loaded: LoadedAssignment, submission: Path, work: Path) -> GradingOutcome:
    """Grade in a child process, as the grading user when we are root; its verdict by a pipe."""
    demote: dict[str, Any] = {}
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam(GRADER_USER)
        except KeyError as e:
            raise GraderError(f"no user {GRADER_USER}: did setup.sh run?") from e
        for path in [work, *work.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
        demote = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    read_end, write_end = os.pipe()
    command = [
        sys.executable, "-m", "grader.export.autograder", "--grade",
        str(loaded.directory), str(submission), str(write_end),
    ]
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb") as verdict:
        try:
            child = subprocess.Popen(
                command, cwd=work, env=env, pass_fds=(write_end,), **demote
            )
        finally:
            os.close(write_end)
        # read until the child closes its end (the programs it runs never get it: close_fds)
        reader = threading.Thread(target=lambda: chunks.append(verdict.read()), daemon=True)
        reader.start()
        limit = _timeout(loaded.spec)
        try:
            code = child.wait(timeout=limit)
        except subprocess.TimeoutExpired as e:
            child.kill()
            child.wait()
            raise GraderError(f"the grader did not finish in {limit:.0f} s") from e
        reader.join(timeout=10)
    data = b"".join(chunks)
    if code != 0 or not data:
        raise GraderError(f"the grading process exited with code {code} and no verdict")
    return GradingOutcome.model_validate_json(data)


def _notes(result: SubmissionResult) -> list[str]:
    broken = result.grader_errors
    if not broken:
        return []
    names = ", ".join(t.name for t in broken)
    return [
        f"The grader could not run {names} (twice): that is no verdict on your program; "
        "your instructor can regrade."
    ]


def grade_for_gradescope(layout: Layout) -> dict[str, Any]:
    """Grade the submission in layout and return its results.json object."""
    loaded = layout.assignment()
    metadata = read_metadata(layout.metadata)
    student = _student(metadata)
    print(f"autograder: {loaded.spec.id} for {student.name or student.id}")
    with tempfile.TemporaryDirectory(prefix="sg-autograder-") as tmp:
        work = Path(tmp)
        submission = work / "submission"
        shutil.copytree(layout.submission, submission, symlinks=True)
        outcome = _run_child(loaded, submission, work)
    if outcome.result is None:
        entry = BatchEntry(
            student=student, source="submission", status="rejected",
            message=outcome.rejected or "the submission could not be graded",
        )
        return gradescope_results(loaded.spec, entry)
    result = outcome.result
    if metadata and metadata.id is not None:
        result = result.model_copy(update={"submission_id": f"submission {metadata.id}"})
    entry = BatchEntry(
        student=student, source="submission", status="graded", result=for_student(result)
    )
    results = gradescope_results(loaded.spec, entry)
    results["output"] = "\n\n".join(
        filter(None, [*(readable(n) for n in _notes(result)), results["output"]])
    )
    results["extra_data"] = {
        "grader_version": result.grader_version,
        "backend": result.backend,
        "submission_sha256": result.submission_hash,
    }
    return results


def _print_test(test: TestResult) -> None:
    """One line per test on stdout, which Gradescope shows to instructors only: in full."""
    reason = f"  {test.reason}" if test.reason else ""
    print(f"  {test.status:>7}  {test.name}  {test.points:g}/{test.max_points:g}{reason}")


def _grade(assignment: str, submission: str, fd: str) -> int:
    """The child: grade on the local backend, send a GradingOutcome down fd."""
    from grader import api  # noqa: PLC0415 - the harness does not need the backends

    try:
        result = api.check(Path(assignment), Path(submission), backend="local", on_test=_print_test)
        outcome = GradingOutcome(result=result)
    except BackendError:
        raise  # the grader's failure: no verdict, the harness says so
    except GraderError as e:  # the submission's problem (empty, no source file): a grade of 0
        print(f"autograder: rejected: {e}")
        outcome = GradingOutcome(rejected=str(e).splitlines()[0])
    with os.fdopen(int(fd), "w", encoding="utf-8") as pipe:
        pipe.write(outcome.model_dump_json())
    return 0


def main(argv: list[str] | None = None) -> int:
    """run_autograder's body: always writes results.json, exits 0 once it has."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--grade"] and len(args) == 4:
        return _grade(*args[1:])
    layout = Layout(Path(args[0]) if args else Path("/autograder"))
    started = time.monotonic()
    spec: Assignment | None = None
    try:
        spec = layout.assignment().spec
        results = grade_for_gradescope(layout)
    except Exception as e:  # noqa: BLE001 - the one broad catch: a failure is still a results.json
        traceback.print_exc(file=sys.stdout)
        results = failure_results(spec, f"{type(e).__name__}: {e}")
    results["execution_time"] = round(time.monotonic() - started, 3)
    write_atomic(layout.results, json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"autograder: wrote {layout.results}: {results['score']:g} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
