"""The corpus of textbook-style submissions gets, on docker, the verdict an instructor gives.

Each submission in tests/corpus/<assignment>/<name>/ is graded as handed in (fixed ports,
hard-coded destinations, several files, textbook file names, crashes at start) and its label,
verdict.yaml, must hold: full marks for a correct one; for a buggy one, the tests named in
`loses` are lost. The whole corpus is graded once, by a small pool, for the tests selected
(`-k web-server` grades only those). `python3 tests/corpus/measure.py` prints the same per
pattern.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from corpus.verdicts import (
    ASSIGNMENTS,
    PATTERNS,
    CorpusSubmission,
    Outcome,
    Verdict,
    grade_all,
    judge,
    load_corpus,
    spec_names,
    spec_of,
)

from grader.results import BuildResult, Status, SubmissionResult, TestResult
from grader.spec import load_assignment

CORPUS = load_corpus()
WORKERS = 3  # the docker backend gains nothing past 3 on this 2-core machine (README)


def test_the_corpus_covers_each_pattern_with_correct_and_buggy_submissions() -> None:
    assert len(CORPUS) >= 45, f"{len(CORPUS)} submissions"
    for pattern in PATTERNS:
        subs = [s for s in CORPUS if pattern in s.verdict.patterns]
        assert len(subs) >= 3, f"{pattern}: only {[s.id for s in subs]}"
    correct = [s for s in CORPUS if s.verdict.correct]
    share = len(correct) / len(CORPUS)
    assert 0.35 <= share <= 0.65, f"{len(correct)} of {len(CORPUS)} are correct"


@pytest.mark.parametrize("sub", CORPUS, ids=lambda s: s.id)
def test_each_label_names_tests_of_its_assignment(sub: CorpusSubmission) -> None:
    """Every test a label names exists in the spec (directly or through RENAMED)."""
    assert (ASSIGNMENTS / sub.assignment).is_dir(), f"{sub.id}: no assignment {sub.assignment}"
    spec = load_assignment(ASSIGNMENTS / sub.assignment).spec
    if sub.verdict.loses != "all":
        spec_names(spec, sub.verdict.loses)  # raises naming the unknown test


def _graded_as(sub: CorpusSubmission, statuses: dict[str, Status]) -> SubmissionResult:
    """A result of sub's assignment where each test has the given status (passed if absent)."""
    spec = spec_of(sub.assignment)
    tests = [
        TestResult(
            name=t.name,
            description=t.description,
            visibility="visible",
            points=t.points if statuses.get(t.name, "passed") == "passed" else 0,
            max_points=t.points,
            extra_credit=t.extra_credit,
            status=statuses.get(t.name, "passed"),
        )
        for t in spec.tests
    ]
    return SubmissionResult(
        assignment_id=spec.id,
        assignment_title=spec.title,
        spec_hash="",
        submission_id=sub.name,
        submission_hash="",
        grader_version="",
        backend="local",
        started_at=datetime.now(UTC),
        build=BuildResult(ok=True, language="python"),
        score=sum(t.points for t in tests if not t.extra_credit),
        max_score=spec.max_score,
        tests=tests,
    )


def _labelled(assignment: str, **verdict: object) -> CorpusSubmission:
    return CorpusSubmission(
        assignment, "example", ASSIGNMENTS, Verdict.model_validate({"patterns": [], **verdict})
    )


def test_a_buggy_label_fails_at_full_marks_and_holds_when_its_test_is_lost() -> None:
    sub = _labelled(
        "web-server", verdict="partial", loses=["split-request"], reason="One recv per request."
    )
    spec = spec_of("web-server")
    assert judge(sub, spec, _graded_as(sub, {})).problems == [
        "labelled partial, but passed split-request",
        "labelled partial, but passed every test",
    ]
    assert judge(sub, spec, _graded_as(sub, {"split-request": "failed"})).holds
    other = judge(sub, spec, _graded_as(sub, {"binary-file": "failed"}))
    assert other.problems == ["labelled partial, but passed split-request"]


def test_a_correct_label_fails_on_any_lost_test_and_a_zero_on_any_point() -> None:
    full = _labelled("tcp-echo", verdict="full", reason="A correct threaded echo server.")
    spec = spec_of("tcp-echo")
    assert judge(full, spec, _graded_as(full, {})).holds
    lost = judge(full, spec, _graded_as(full, {"half-close": "timeout"}))
    assert lost.problems == ["labelled full marks, but lost half-close"]
    zero = _labelled("tcp-echo", verdict="zero", loses="all", reason="Crashes at start, always.")
    crashed: dict[str, Status] = {t.name: "failed" for t in spec.tests}
    assert judge(zero, spec, _graded_as(zero, crashed)).holds
    assert not judge(zero, spec, _graded_as(zero, {**crashed, "echo-one": "passed"})).holds


def test_a_fixed_port_costs_exactly_the_test_that_takes_the_port_from_argv() -> None:
    spec = spec_of("tcp-echo")
    plain = [t for t in spec.tests if t.port_discovery is None]  # no convention test of its own
    argv = spec.tests[0].model_copy(update={"name": "takes-port", "port_discovery": False})
    spec = spec.model_copy(update={"tests": [*plain, argv]})
    fixed = _labelled(
        "tcp-echo", verdict="full", reason="Correct, on port 12000.", patterns=["fixed-port"]
    )
    argv_port = _labelled("tcp-echo", verdict="full", reason="Correct, on the port it is given.")
    result = _graded_as(fixed, {})
    result.tests.append(result.tests[0].model_copy(update={"name": "takes-port"}))
    assert judge(argv_port, spec, result).holds
    assert judge(fixed, spec, result).problems == [
        "breaks the handout's convention, but passed takes-port"
    ]
    result.tests[-1] = result.tests[-1].model_copy(update={"status": "failed"})
    assert judge(fixed, spec, result).holds
    assert judge(argv_port, spec, result).problems == ["labelled full marks, but lost takes-port"]


def test_a_label_that_names_an_unknown_test_says_where_to_map_it() -> None:
    sub = _labelled("tcp-echo", verdict="partial", loses=["echo-twice"], reason="Not a real test.")
    with pytest.raises(ValueError, match=r"'echo-twice', which the spec does not have.*RENAMED"):
        judge(sub, spec_of("tcp-echo"), _graded_as(sub, {}))


@pytest.fixture(scope="module")
def graded(request: pytest.FixtureRequest, docker_backend: object) -> dict[str, Outcome]:
    """Every corpus submission selected in this session, graded once on docker."""
    from grader.backends.base import Backend  # noqa: PLC0415

    assert isinstance(docker_backend, Backend)
    selected: list[object] = [
        item.callspec.params["sub"]
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname == "test_label_holds_on_docker"
    ]
    subs = [s for s in CORPUS if any(s is chosen for chosen in selected)]
    return grade_all(subs, docker_backend, workers=WORKERS)


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("sub", CORPUS, ids=lambda s: s.id)
def test_label_holds_on_docker(sub: CorpusSubmission, graded: dict[str, Outcome]) -> None:
    outcome = graded[sub.id]
    assert outcome.result is not None, f"{sub.id}: the grader failed: {outcome.error}"
    judgement = judge(sub, spec_of(sub.assignment), outcome.result)
    result = outcome.result
    tests = "; ".join(f"{t.name} {t.status}: {t.reason}" for t in result.tests)
    build = "" if result.build.ok else f"; build failed: {result.build.log[-400:]}"
    assert judgement.holds, (
        f"{sub.id} ({sub.verdict.reason}): {'; '.join(judgement.problems)}; "
        f"score {result.score:g}/{result.max_score:g}; {tests}; notes: {result.notes}{build}"
    )
