"""Similarity across a batch: winnowed fingerprints (copydetect) of each student's source files.

A flag for the instructor, never a grade: pairs of students (or a student and a known public
solution) whose code shares a large part of its fingerprints after the handout's starter code
is taken out. copydetect is an optional dependency (`socket-grader[similarity]`).
"""

from __future__ import annotations

import io
import re
import shutil
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from grader.errors import GraderError
from grader.untrusted import copy_file, read_text

CODE_SUFFIXES = frozenset({".py", ".c", ".h", ".cc", ".cpp", ".java"})
MAX_FILES = 50  # source files of one student fingerprinted (the archive limit allows 500)
NOISE = 25  # copydetect's default: matches shorter than this many tokens are noise
# Every k-gram is kept (a winnowing window of 1): copydetect hashes with Python's hash(),
# which changes with each process, so a wider window would pick other fingerprints on each
# run and a pair could be flagged on one run and not the next.
WINDOW = 1
MIN_TOKENS = 2 * NOISE  # less in common is a coincidence (a line around the starter code)
FLAG_AT = 0.6  # a pair where either side shares this share of its code is flagged
SHOW_AT = 0.33  # pairs listed in the summary (copydetect's display threshold)
STARTER = "starter"  # assignments/<id>/starter/: code handed out with the assignment
_FENCE = re.compile(r"^```(?:python|py|c|cpp|java)\s*$(?P<code>.*?)^```", re.M | re.S)
_SUFFIX = {"python": ".py", "py": ".py", "c": ".c", "cpp": ".cpp", "java": ".java"}
PUBLIC = "public:"  # prefix of the id of a known public solution


class Span(BaseModel):
    """Characters [start, end) of a file that the other side shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: int
    end: int


class Side(BaseModel):
    """One side of a pair: whose, which file, how much of it is shared and where."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Student id, or 'public:<path>' for a known public solution.")
    file: str = Field(description="The file, relative to the submission (or the folder).")
    share: float = Field(description="Share of this file's code found in the other one (0-1).")
    spans: list[Span] = Field(description="Where the shared code is in this file.")
    code: str = Field(description="The file's text, to show the pair side by side.")


class Pair(BaseModel):
    """Two submissions that share code, by their most similar files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a: Side
    b: Side
    tokens: int = Field(description="Tokens shared (after copydetect's filtering).")

    @property
    def share(self) -> float:
        return max(self.a.share, self.b.share)

    @property
    def flagged(self) -> bool:
        return self.share >= FLAG_AT


class SimilarityReport(BaseModel):
    """out/similarity.json: every pair at or above SHOW_AT, most similar first."""

    model_config = ConfigDict(extra="forbid")

    students: int = Field(description="Students whose code was compared.")
    public: int = Field(description="Files of known public solutions compared with them.")
    boilerplate: list[str] = Field(description="What was excluded as the handout's code.")
    pairs: list[Pair] = Field(description="Pairs, most similar first.")


def _copydetect() -> Any:
    try:
        import copydetect  # noqa: PLC0415 - an optional dependency, loaded when asked for
    except ImportError as e:
        raise GraderError(
            "similarity needs copydetect, which is not installed; tip: "
            "pip install 'socket-grader[similarity]'"
        ) from e
    return copydetect


def code_files(folder: Path) -> list[Path]:
    """The source files under folder (or folder itself, a single file), by name."""
    if folder.is_file():
        return [folder] if folder.suffix in CODE_SUFFIXES else []
    found = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in CODE_SUFFIXES and p.is_file() and not p.is_symlink()
    )
    return found[:MAX_FILES]


def keep_sources(submission: Path, target: Path) -> None:
    """Copy a submission's source files to target (replacing what it held), for later batches."""
    shutil.rmtree(target, ignore_errors=True)
    base = submission.parent if submission.is_file() else submission
    for path in code_files(submission):
        dest = target / path.relative_to(base)
        dest.parent.mkdir(parents=True, exist_ok=True)
        copy_file(path, dest)


def handout_code(assignment: Path) -> list[tuple[str, str]]:
    """(name, code) of the starter code: starter/ files, and the handout's code blocks."""
    starter = assignment / STARTER
    found = [
        (f"{STARTER}/{p.relative_to(starter).as_posix()}", read_text(p))
        for p in (code_files(starter) if starter.is_dir() else [])
    ]
    handout = assignment / "README.md"
    if handout.is_file():
        text = handout.read_text(encoding="utf-8")
        for n, block in enumerate(_FENCE.finditer(text), start=1):
            lang = block.group(0).splitlines()[0].removeprefix("```").strip()
            found.append((f"README.md block {n}{_SUFFIX[lang]}", block["code"]))
    return found


def _fingerprint(cd: Any, name: str, code: str, boilerplate: Any = None) -> Any:
    """copydetect's fingerprint of code (named for its language); boilerplate is left out."""
    return cd.CodeFingerprint(name, NOISE, WINDOW, boilerplate, fp=io.StringIO(code))


def _side(sid: str, name: str, code: str, share: float, spans: Any) -> Side:
    cut = [Span(start=int(s), end=int(e)) for s, e in zip(spans[0], spans[1], strict=True)]
    return Side(id=sid, file=name, share=round(float(share), 3), spans=cut, code=code)


def compare(students: dict[str, Path], public: list[Path], assignment: Path) -> SimilarityReport:
    """Compare every two students, and every student with each public solution's files.

    A pair is kept when one of its files shares at least SHOW_AT of its code, and at least
    MIN_TOKENS tokens, with the other's most similar file.

    students maps an id to the folder of its source files; the handout's code (starter/ and
    the README's code blocks) is boilerplate: what it shares with a file is never counted.
    """
    cd = _copydetect()
    starter = handout_code(assignment)
    boilerplate: set[int] = set()
    for name, code in starter:  # every k-gram of the handout's code, as copydetect does
        boilerplate |= set(_fingerprint(cd, name, code).hashes)
    hashes = sorted(boilerplate)

    def prints(folder: Path) -> list[tuple[str, str, Any]]:
        base = folder.parent if folder.is_file() else folder
        out = []
        for path in code_files(folder):
            name, code = path.relative_to(base).as_posix(), read_text(path)
            out.append((name, code, _fingerprint(cd, name, code, hashes)))
        return out

    mine = {sid: prints(folder) for sid, folder in sorted(students.items())}
    known = {f"{PUBLIC}{p.as_posix()}": prints(p) for p in public}
    candidates = [*combinations(sorted(mine), 2)]
    candidates += [(sid, ref) for sid in sorted(mine) for ref in sorted(known)]
    everyone = mine | known
    pairs: list[Pair] = []
    for left, right in candidates:
        best: Pair | None = None
        for name_a, code_a, fp_a in everyone[left]:
            for name_b, code_b, fp_b in everyone[right]:
                tokens, (share_a, share_b), (spans_a, spans_b) = cd.compare_files(fp_a, fp_b)
                if not tokens:
                    continue
                pair = Pair(
                    a=_side(left, name_a, code_a, share_a, spans_a),
                    b=_side(right, name_b, code_b, share_b, spans_b),
                    tokens=int(tokens),
                )
                if best is None or pair.share > best.share:
                    best = pair
        if best is not None and best.share >= SHOW_AT and best.tokens >= MIN_TOKENS:
            pairs.append(best)
    pairs.sort(key=lambda p: (-p.share, p.a.id, p.b.id))
    return SimilarityReport(
        students=len(mine),
        public=sum(len(v) for v in known.values()),
        boilerplate=[name for name, _ in starter],
        pairs=pairs,
    )
