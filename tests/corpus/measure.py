"""Grade the corpus on a backend and print, per pattern, how the labels fare.

    python3 tests/corpus/measure.py --backend docker [--workers 3] [--only web-server]
                                    [--json out.json] [--assignments OTHER/assignments]

Per pattern of issue 8: how many correct submissions (labelled full) get full marks, how many
buggy ones (partial or zero) get full marks (false passes), how many labels hold, and the mean
grading time per submission ("full marks" leaves out bonus tests and the test of a handout
convention the submission breaks, see verdicts.CONVENTION_SWITCH). Then one line per
submission: whether its label holds, its score and time, and the tests it lost beyond its label.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.backends import get_backend

from verdicts import (
    ASSIGNMENTS,
    PATTERNS,
    CorpusSubmission,
    Judgement,
    Outcome,
    convention_tests,
    grade_all,
    judge,
    load_corpus,
)


def _full_marks(outcome: Outcome) -> bool:
    """Every test that counts passed, but a test of a handout convention the submission breaks."""
    r = outcome.result
    if r is None:
        return False
    conventions = convention_tests(outcome.sub, outcome.spec)
    return all(
        t.status == "passed" for t in r.tests if not t.extra_credit and t.name not in conventions
    )


def _judge(outcome: Outcome) -> Judgement:
    if outcome.result is None:
        return Judgement(holds=False, problems=[f"not graded: {outcome.error}"])
    return judge(outcome.sub, outcome.spec, outcome.result)


def _row(name: str, outcomes: list[Outcome], judged: dict[str, Judgement]) -> str:
    correct = [o for o in outcomes if o.sub.verdict.correct]
    buggy = [o for o in outcomes if not o.sub.verdict.correct]
    correct_full = sum(_full_marks(o) for o in correct)
    buggy_full = sum(_full_marks(o) for o in buggy)
    holds = sum(judged[o.sub.id].holds for o in outcomes)
    seconds = sum(o.seconds for o in outcomes) / len(outcomes) if outcomes else 0.0
    return (
        f"| {name} | {len(outcomes)} | {correct_full}/{len(correct)} | {buggy_full}/{len(buggy)} "
        f"| {holds}/{len(outcomes)} | {seconds:.1f} |"
    )


def table(outcomes: list[Outcome]) -> str:
    """The per-pattern table (markdown) and the labels that do not hold."""
    judged = {o.sub.id: _judge(o) for o in outcomes}
    lines = [
        "| pattern | submissions | correct at full marks | buggy at full marks | labels hold "
        "| s per submission |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for pattern in PATTERNS:
        chosen = [o for o in outcomes if pattern in o.sub.verdict.patterns]
        if chosen:
            lines.append(_row(pattern, chosen, judged))
    for assignment in sorted({o.sub.assignment for o in outcomes}):
        lines.append(
            _row(assignment, [o for o in outcomes if o.sub.assignment == assignment], judged)
        )
    lines.append(_row("**all**", outcomes, judged))
    lines.append("")
    for o in outcomes:
        j = judged[o.sub.id]
        score = f"{o.result.score:g}/{o.result.max_score:g}" if o.result else "-"
        extra = f"; also lost {', '.join(j.extra_lost)}" if j.extra_lost else ""
        mark = "ok  " if j.holds else "FAIL"
        detail = "; ".join(j.problems) if j.problems else "label holds"
        lines.append(
            f"{mark} {o.sub.id} ({o.sub.verdict.verdict}) {score} {o.seconds:.1f} s: "
            f"{detail}{extra}"
        )
    return "\n".join(lines)


def _record(outcome: Outcome) -> dict[str, object]:
    r = outcome.result
    return {
        "id": outcome.sub.id,
        "verdict": outcome.sub.verdict.verdict,
        "patterns": outcome.sub.verdict.patterns,
        "seconds": round(outcome.seconds, 2),
        "error": outcome.error,
        "score": r.score if r else None,
        "max_score": r.max_score if r else None,
        "tests": {t.name: t.status for t in r.tests} if r else {},
        "notes": r.notes if r else [],
        "build": r.build.log[-2000:] if r and not r.build.ok else "",
        "reasons": {t.name: t.reason for t in r.tests if t.status != "passed"} if r else {},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["docker", "local"], default="docker")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--only", action="append", default=[], help="an assignment or id prefix")
    parser.add_argument("--json", type=Path, help="also write each submission's result here")
    parser.add_argument(
        "--assignments", type=Path, default=ASSIGNMENTS, help="the specs (default: this checkout's)"
    )
    args = parser.parse_args(argv)
    subs: list[CorpusSubmission] = [
        s for s in load_corpus() if not args.only or any(s.id.startswith(p) for p in args.only)
    ]
    if not subs:
        print("no corpus submission matches --only", file=sys.stderr)
        return 2
    backend, notes = get_backend(args.backend)
    for note in notes:
        print(note, file=sys.stderr)

    def progress(o: Outcome) -> None:
        print(f"graded {o.sub.id} in {o.seconds:.1f} s", file=sys.stderr, flush=True)

    graded = grade_all(
        subs, backend, workers=args.workers, assignments=args.assignments, on_outcome=progress
    )
    outcomes = list(graded.values())
    print(
        f"corpus on the {backend.name} backend, {args.workers} workers, {len(outcomes)} "
        f"submissions, specs from {args.assignments}"
    )
    print(table(outcomes))
    if args.json:
        args.json.write_text(json.dumps([_record(o) for o in outcomes], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
