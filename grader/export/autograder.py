"""What run_autograder runs on Gradescope: grade /autograder/submission on the local backend as
an unprivileged user, and write /autograder/results/results.json once, whatever happens.

Two processes. The harness (root, as Gradescope starts it) copies the submission and the
assignment's public files into a folder the grading user owns, makes /autograder/source
root-only, and starts the grading child. The child (`--grade`) reads the spec while still
root, becomes the grading user for good and grades on the local backend, so that the student's
program runs as that user too: Gradescope's container is the sandbox, and the program can read
neither the spec (hidden tests' expected bytes) nor the grader's memory, and can change neither
the installed grader nor /autograder/results. The verdict comes back by a pipe; the harness
then kills what the grading user left running and writes results.json. Its stdout, which
Gradescope shows to instructors only, gets every test's full reason; results.json gets what a
student may see.
"""

from __future__ import annotations

import ctypes
import json
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.backends import get_backend
from grader.backends.local import NOT_ISOLATED
from grader.errors import BackendError, GraderError
from grader.files import write_atomic
from grader.grading import grade
from grader.report.gradescope import gradescope_results, readable
from grader.report.student_view import student_view
from grader.results import BatchEntry, Student, SubmissionResult, TestResult
from grader.spec import SPEC_FILE, Assignment, LoadedAssignment, load_assignment
from grader.submission import load_submission

GRADER_USER = "sg-autograder"  # made by setup.sh
PR_SET_DUMPABLE = 4  # <linux/prctl.h>
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
    """The result as results.json shows it: hidden details redacted, and no word of the local
    backend's missing isolation (Gradescope's container is the sandbox)."""
    shown = student_view(result, release_after_due_date=True)
    return shown.model_copy(update={"notes": [n for n in shown.notes if n != NOT_ISOLATED]})


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


def _grading_user() -> pwd.struct_passwd | None:
    """The user that grades, when we are root (on Gradescope); None when we are not."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(GRADER_USER)
    except KeyError as e:
        raise GraderError(f"no user {GRADER_USER}: did setup.sh run?") from e


def _stage(loaded: LoadedAssignment, layout: Layout, work: Path) -> tuple[Path, Path]:
    """Copy the submission, and the assignment folder without its spec (the handout and the
    files the spec gives the program), into work; (submission, assignment) there."""
    submission = work / "submission"
    shutil.copytree(layout.submission, submission, symlinks=True)
    assignment = work / "assignment" / loaded.spec.id
    shutil.copytree(loaded.directory, assignment, ignore=shutil.ignore_patterns(SPEC_FILE))
    return submission, assignment


def _kill_leftovers(uid: int) -> None:
    """Kill every process of the grading user still alive (a daemonized program, say)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if proc.stat().st_uid == uid:
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue  # gone meanwhile


def _run_child(loaded: LoadedAssignment, layout: Layout, work: Path) -> GradingOutcome:
    """Grade in a child process; its verdict comes back by a pipe.

    As root, the spec (hidden tests' expected bytes) stays unreadable to the grading user:
    /autograder/source is made root-only, the child reads the spec while still root and then
    becomes the grading user for good (which also makes it undumpable: a program of the same
    user cannot read its memory), with a copy of the assignment's other files in work.
    """
    user = _grading_user()
    submission, staged = _stage(loaded, layout, work)
    if user is not None:
        layout.source.chmod(0o700)
        layout.results.parent.mkdir(parents=True, exist_ok=True)
        layout.results.parent.chmod(0o755)  # root's: a leftover process cannot replace it
        for path in [work, *work.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
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
        str(loaded.directory / SPEC_FILE), str(staged), str(submission), str(write_end),
        user.pw_name if user else "",
    ]
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb") as verdict:
        try:
            child = subprocess.Popen(command, cwd=work, env=env, pass_fds=(write_end,))
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
        finally:
            if user is not None:
                _kill_leftovers(user.pw_uid)
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


def grade_for_gradescope(layout: Layout, loaded: LoadedAssignment) -> dict[str, Any]:
    """Grade the submission in layout and return its results.json object."""
    metadata = read_metadata(layout.metadata)
    student = _student(metadata)
    print(f"autograder: {loaded.spec.id} for {student.name or student.id}")
    with tempfile.TemporaryDirectory(prefix="sg-autograder-") as tmp:
        outcome = _run_child(loaded, layout, Path(tmp))
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


def _become(name: str) -> None:
    """Become the grading user for good, undumpable (no same-user ptrace or /proc/PID/mem)."""
    user = pwd.getpwnam(name)
    os.setgroups([])
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    if os.getuid() != user.pw_uid or os.geteuid() != user.pw_uid:
        raise GraderError(f"could not become {name}")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise GraderError(f"prctl(PR_SET_DUMPABLE): {os.strerror(ctypes.get_errno())}")


def _grade(spec_file: str, staged: str, submission: str, fd: str, user: str) -> int:
    """The child: read the spec (as root on Gradescope), become the grading user, grade on the
    local backend, send a GradingOutcome down fd."""
    source = load_assignment(Path(spec_file))
    loaded = LoadedAssignment(spec=source.spec, directory=Path(staged), spec_hash=source.spec_hash)
    if user:
        _become(user)
    try:
        backend, notes = get_backend("local")
        result = grade(
            loaded,
            load_submission(Path(submission)),
            backend,
            rerun_command=lambda name: student_rerun(loaded.spec.id, name),
            on_test=_print_test,
            notes=notes,
        )
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
    if args[:1] == ["--grade"] and len(args) == 6:
        return _grade(*args[1:])
    layout = Layout(Path(args[0]) if args else Path("/autograder"))
    started = time.monotonic()
    spec: Assignment | None = None
    try:
        loaded = layout.assignment()
        spec = loaded.spec
        results = grade_for_gradescope(layout, loaded)
    except Exception as e:  # noqa: BLE001 - the one broad catch: a failure is still a results.json
        traceback.print_exc(file=sys.stdout)
        results = failure_results(spec, f"{type(e).__name__}: {e}")
    results["execution_time"] = round(time.monotonic() - started, 3)
    write_atomic(layout.results, json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"autograder: wrote {layout.results}: {results['score']:g} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
