"""The corpus of textbook-style submissions gets, on docker, the verdict an instructor gives.

Each submission in tests/corpus/<assignment>/<name>/ is graded as handed in (fixed ports,
hard-coded destinations, several files, textbook file names, crashes at start) and its label,
verdict.yaml, must hold: full marks for a correct one; for a buggy one, the tests named in
`loses` are lost. The whole corpus is graded once, by a small pool, for the tests selected
(`-k web-server` grades only those). `python3 tests/corpus/measure.py` prints the same per
pattern.
"""

from __future__ import annotations

import pytest
from corpus.verdicts import (
    ASSIGNMENTS,
    PATTERNS,
    CorpusSubmission,
    Outcome,
    grade_all,
    judge,
    load_corpus,
    spec_names,
    spec_of,
)

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
    tests = ", ".join(f"{t.name}={t.status}" for t in outcome.result.tests)
    assert judgement.holds, (
        f"{sub.id} ({sub.verdict.reason}): {'; '.join(judgement.problems)}; "
        f"score {outcome.result.score:g}/{outcome.result.max_score:g}; {tests}; "
        f"notes: {outcome.result.notes}"
    )
