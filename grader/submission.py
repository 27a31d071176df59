"""Submissions: a student's files, their content hash and the language they are written in."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from grader.errors import SubmissionError
from grader.spec import Assignment
from grader.untrusted import copy_file, read_file, refuse_link

IGNORED_NAMES = {"__pycache__", ".git", ".DS_Store", "__MACOSX", ".venv", ".idea", ".vscode"}
MAX_FILES = 500
MAX_BYTES = 50 * 1024 * 1024


class Submission(BaseModel):
    """A submission as found on disk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Identifier: the folder's (or single file's) name.")
    path: Path = Field(description="The folder, or the single file, that was submitted.")
    files: tuple[str, ...] = Field(description="Relative paths of the files, sorted.")
    content_hash: str = Field(description="SHA-256 over the files' names and contents.")

    @property
    def root(self) -> Path:
        """The folder the relative paths of ``files`` start from."""
        return self.path if self.path.is_dir() else self.path.parent

    def copy_to(self, destination: Path) -> None:
        """Copy the files into destination (which exists), keeping their relative paths."""
        root = self.root
        for rel in self.files:
            target = destination / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_file(root / rel, target)


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in IGNORED_NAMES or part.endswith(".pyc") for part in rel.parts):
            continue
        refuse_link(path)
        if path.is_file():
            found.append(_utf8_name(rel.as_posix(), path))
    return found


def _utf8_name(name: str, path: Path) -> str:
    """name, if it is valid UTF-8 (it is hashed, stored and shown); else a rejection."""
    try:
        name.encode()
    except UnicodeEncodeError as e:
        raise SubmissionError(
            f"{path}: a file name that is not valid UTF-8; tip: rename it with plain letters"
        ) from e
    return name


def load_submission(path: Path) -> Submission:
    """Read a submission folder (or a single source file) and hash its content."""
    if not path.exists():
        raise SubmissionError(
            f"{path}: no such file or folder; tip: give the folder that holds your program "
            "(e.g. server.py or server.c)"
        )
    refuse_link(path)
    if path.is_dir():
        root, files = path, _walk(path)
    else:
        root, files = path.parent, [_utf8_name(path.name, path)]
    if not files:
        raise SubmissionError(f"{path}: the submission folder is empty")
    if len(files) > MAX_FILES:
        raise SubmissionError(f"{path}: {len(files)} files; a submission may hold {MAX_FILES}")
    digest = hashlib.sha256()
    total = 0
    for rel in files:
        data, _ = read_file(root / rel)
        total += len(data)
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    if total > MAX_BYTES:
        raise SubmissionError(f"{path}: {total} bytes; a submission may hold {MAX_BYTES}")
    name = _utf8_name(path.resolve().name, path)
    return Submission(id=name, path=path, files=tuple(files), content_hash=digest.hexdigest())


def detect_language(submission: Submission, assignment: Assignment) -> str:
    """The language of the submission among those the assignment accepts.

    C when there is a Makefile or a .c file, Python when there is a .py file; when both are
    present, the one whose entry file exists wins.
    """
    names = {Path(f).name for f in submission.files}
    suffixes = {Path(f).suffix for f in submission.files}
    candidates: list[str] = []
    if "c" in assignment.languages and (".c" in suffixes or "Makefile" in names):
        candidates.append("c")
    if "python" in assignment.languages and ".py" in suffixes:
        candidates.append("python")
    if len(candidates) > 1:
        with_entry = [c for c in candidates if assignment.languages[c].entry in names]  # type: ignore[index]
        candidates = with_entry or candidates
    if not candidates:
        accepted = " or ".join(
            {"python": "Python (.py)", "c": "C (.c or a Makefile)"}[lang]
            for lang in assignment.languages
        )
        raise SubmissionError(
            f"{submission.path}: no source file found; this assignment accepts {accepted}; "
            f"files seen: {', '.join(submission.files[:10])}"
        )
    return candidates[0]
