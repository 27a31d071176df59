"""The corpus of textbook-style submissions: their labels, how to grade them, whether a label holds.

Each submission lives in `tests/corpus/<assignment>/<name>/`, as handed in, beside a
`verdict.yaml` that says what an instructor would give it:

    verdict: partial                 # full | partial | zero
    loses: [split-request]           # tests the instructor takes points for ("all" for zero)
    reason: One recv(1024) per request.
    patterns: [fixed-port, textbook-name]

`loses` names tests as the instructor thinks of them. Test names change while the specs are
reworked: `RENAMED` maps a name used in the labels to an older spec's name for it, per
assignment, and is the one place to update when a spec renames or splits a test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from grader.backends.base import Backend
from grader.grading import grade
from grader.results import SubmissionResult, TestResult
from grader.spec import Assignment, LoadedAssignment, load_assignment
from grader.submission import load_submission
from pydantic import BaseModel, ConfigDict, Field, model_validator

CORPUS = Path(__file__).resolve().parent
ROOT = CORPUS.parent.parent
ASSIGNMENTS = ROOT / "assignments"

# The patterns of issue 8, as the labels name them.
PATTERNS: dict[str, str] = {
    "fixed-port": "a server on a fixed port (6789, 12000, 80, 65432, 13331), not argv's",
    "hardcoded-destination": "a client dialing a fixed host: localhost:12000, smtp.gmail.com",
    "textbook-name": "one file named as the textbook names it (WebServer.py, TCPServer.py ...)",
    "text-mode": "text-mode reads (open(name), makefile('r'), decode and print)",
    "textbook-prints": "prints as the textbook does (replies, 'Ready to serve...')",
    "python2": "Python 2 leftovers: does not run on Python 3",
    "helper-files": "the entry imports a helper module of the student's",
    "several-py": "several .py programs: a client and a server together",
    "c-several-files": "C in several .c files, one main and helpers",
    "makefile-target": "a Makefile that builds another name than the handout's",
    "startup-crash": "crashes at start (IndentationError, TabError)",
    "plain-broadcast": "a chat server that broadcasts plain lines, no nickname protocol",
}

# Label name -> the spec's older name for that test, per assignment: the one place to follow
# renamed or split tests. The labels use the names of the reworked specs (branches web, echo,
# smtp of issue 8); a spec that has a label's name is used as it is, and one that lacks it
# (today's main) grades the label's test under the name given here.
RENAMED: dict[str, dict[str, str]] = {
    "chat-server": {
        # No test of its own on main: "broadcast" checks the "nick: " prefix.
        "nickname-protocol": "broadcast",
        "leave": "leave-notice",
    },
    # No test of its own on main: HELO is the first line checked for its CRLF.
    "smtp-client": {"crlf-lines": "greeting-helo"},
}

# A fixed port or a hard-coded destination costs exactly the test that checks the handout's
# convention, where the spec has one: a server test with `port_discovery: false` (the port from
# argv), a client test with `redirect: false` (the host and port it is given). Such a submission
# must lose that test, and only that test beyond its label.
CONVENTION_SWITCH: dict[str, str] = {
    "fixed-port": "port_discovery",
    "hardcoded-destination": "redirect",
}

VerdictName = Literal["full", "partial", "zero"]


class Verdict(BaseModel):
    """What an instructor gives a submission, and why (the content of verdict.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict: VerdictName = Field(description="full, partial or zero marks.")
    loses: list[str] | Literal["all"] = Field(
        default_factory=list,
        description="The tests an instructor takes points for; 'all' for a zero.",
    )
    reason: str = Field(
        min_length=10, description="One sentence: what the program does wrong or right."
    )
    patterns: list[str] = Field(description="The patterns of issue 8 it shows (PATTERNS).")

    @model_validator(mode="after")
    def _consistent(self) -> Verdict:
        unknown = sorted(set(self.patterns) - set(PATTERNS))
        if unknown:
            raise ValueError(f"unknown patterns {unknown}; known: {sorted(PATTERNS)}")
        if self.verdict == "full" and self.loses:
            raise ValueError("a full verdict loses no test")
        if self.verdict == "partial" and (self.loses == "all" or not self.loses):
            raise ValueError("a partial verdict names the tests it loses")
        if self.verdict == "zero" and self.loses != "all":
            raise ValueError("a zero verdict loses all")
        return self

    @property
    def correct(self) -> bool:
        return self.verdict == "full"


@dataclass(frozen=True)
class CorpusSubmission:
    """One submission of the corpus with its label."""

    assignment: str
    name: str
    path: Path
    verdict: Verdict

    @property
    def id(self) -> str:
        return f"{self.assignment}/{self.name}"


def load_corpus(root: Path = CORPUS) -> list[CorpusSubmission]:
    """Every labelled submission under root, in a stable order."""
    found = []
    for label in sorted(root.glob("*/*/verdict.yaml")):
        folder = label.parent
        try:
            verdict = Verdict.model_validate(yaml.safe_load(label.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValueError) as e:
            raise ValueError(f"{label}: {e}") from e
        found.append(CorpusSubmission(folder.parent.name, folder.name, folder, verdict))
    return found


def spec_names(spec: Assignment, labels: Iterable[str]) -> list[str]:
    """The spec's names of the tests a label names (through RENAMED); unknown ones raise."""
    known = {t.name for t in spec.tests}
    renamed = RENAMED.get(spec.id, {})
    names = []
    for label in labels:
        name = label if label in known else renamed.get(label, label)
        if name not in known:
            raise ValueError(
                f"{spec.id}: the label names test {label!r}, which the spec does not have "
                f"(tests: {', '.join(sorted(known))}); add it to RENAMED in {Path(__file__).name}"
            )
        names.append(name)
    return names


@dataclass
class Judgement:
    """Whether a graded submission got the verdict of its label, and what was seen."""

    holds: bool
    problems: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # tests that did not pass
    extra_lost: list[str] = field(default_factory=list)  # lost, and not named by the label


def _lost(tests: list[TestResult]) -> list[str]:
    return [t.name for t in tests if t.status != "passed"]


def convention_tests(sub: CorpusSubmission, spec: Assignment) -> list[str]:
    """The spec's tests of a handout convention that this submission's patterns break."""
    switches = [CONVENTION_SWITCH[p] for p in sub.verdict.patterns if p in CONVENTION_SWITCH]
    return [t.name for t in spec.tests if any(getattr(t, s, None) is False for s in switches)]


def judge(sub: CorpusSubmission, spec: Assignment, result: SubmissionResult) -> Judgement:
    """Compare a result with the label: full marks, the named tests lost, or nothing earned.

    Full marks means every test that counts passed (a bonus test may be missed), but the tests
    of a handout convention the submission breaks (CONVENTION_SWITCH), which it must lose. A
    partial or zero label holds when every test it names is lost and the submission did not
    pass every test: a lost bonus test is a point not given, as the instructor would.
    """
    lost = _lost(result.tests)
    errors = [t.name for t in result.grader_errors]
    problems = [f"the grader could not run {name} (status error)" for name in errors]
    verdict = sub.verdict
    conventions = convention_tests(sub, spec)
    if verdict.loses == "all":
        named = [t.name for t in spec.tests]
    else:
        named = spec_names(spec, verdict.loses) + conventions
    extra = [name for name in lost if name not in named]
    if verdict.verdict == "full":
        counted = [
            t.name
            for t in result.tests
            if not t.extra_credit and t.status != "passed" and t.name not in conventions
        ]
        if counted:
            problems.append(f"labelled full marks, but lost {', '.join(counted)}")
        kept = [name for name in conventions if name not in lost]
        if kept:
            problems.append(f"breaks the handout's convention, but passed {', '.join(kept)}")
        extra = []
    else:
        kept = [name for name in named if name not in lost]
        if kept:
            problems.append(f"labelled {verdict.verdict}, but passed {', '.join(kept)}")
        if not lost:
            problems.append(f"labelled {verdict.verdict}, but passed every test")
        if verdict.verdict == "zero" and result.score > 0:
            problems.append(f"labelled zero, but scored {result.score:g}")
    return Judgement(holds=not problems, problems=problems, lost=lost, extra_lost=extra)


@dataclass
class Outcome:
    """One corpus submission graded: the result (or the error that stopped it) and the time."""

    sub: CorpusSubmission
    spec: Assignment
    seconds: float
    result: SubmissionResult | None = None
    error: str | None = None


def grade_one(sub: CorpusSubmission, loaded: LoadedAssignment, backend: Backend) -> Outcome:
    """Grade one corpus submission as handed in; a grader failure is kept as the error."""
    started = time.monotonic()
    try:
        result = grade(
            loaded,
            load_submission(sub.path),
            backend,
            rerun_command=lambda name: f"grader check {loaded.directory} {sub.path} --test {name}",
        )
    except Exception as e:  # the one broad catch: a grader bug is reported, not raised
        return Outcome(
            sub, loaded.spec, time.monotonic() - started, error=f"{type(e).__name__}: {e}"
        )
    return Outcome(sub, loaded.spec, time.monotonic() - started, result=result)


def grade_all(
    subs: list[CorpusSubmission],
    backend: Backend,
    *,
    workers: int = 3,
    assignments: Path = ASSIGNMENTS,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> dict[str, Outcome]:
    """Grade the submissions with a small pool, each on its own sandbox; by submission id.

    The specs come from `assignments` (this checkout's by default; another checkout's to see
    how its reworked specs grade the corpus).
    """
    specs = {a: load_assignment(assignments / a) for a in sorted({s.assignment for s in subs})}

    def work(sub: CorpusSubmission) -> Outcome:
        outcome = grade_one(sub, specs[sub.assignment], backend)
        if on_outcome:
            on_outcome(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="corpus") as pool:
        return {o.sub.id: o for o in pool.map(work, subs)}


def spec_of(assignment: str) -> Assignment:
    return load_assignment(ASSIGNMENTS / assignment).spec
