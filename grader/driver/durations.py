"""expect_durations: durations the program printed (round-trip times, say), checked in seconds
whatever unit the program printed them in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .context import Run, Scope, Step
from .netio import pause
from .payload import substitute
from .verdict import Verdict, comparison, error, plural

POLL = 0.02  # seconds between two looks at the program's output
STATE_EVERY = 5  # polls between two looks at whether the program still runs
MISSING = "missing"
# Numbers printed without a unit are read in one of these, the same for every number of the
# step: whichever makes every bound hold (a made-up constant fits neither).
UNITLESS = (("s", 1.0), ("ms", 1e-3))


def unit_factor(unit: str) -> float | None:
    """Seconds per unit for what a program may print after a duration: s, ms, us, sec, msec,
    seconds, milliseconds, µs ...; None for anything else."""
    word = unit.strip().lower().rstrip(".")
    if word in ("ms", "msec", "msecs") or word.startswith("milli"):
        return 1e-3
    if word in ("us", "µs", "μs", "usec", "usecs") or word.startswith("micro"):
        return 1e-6
    if word in ("ns", "nsec", "nsecs") or word.startswith("nano"):
        return 1e-9
    if word in ("s", "sec", "secs") or word.startswith("second"):
        return 1.0
    return None


def _compile(source: str) -> re.Pattern[str]:
    try:
        pattern = re.compile(source, re.MULTILINE)
    except re.error as e:
        raise error(f"the regular expression /{source}/ is invalid: {e}") from e
    if "value" not in pattern.groupindex:
        raise error(f"expect_durations' pattern /{source}/ needs a group named 'value'")
    return pattern


def _shown(number: float) -> str:
    return f"{number:.6g}"


def _bounds_text(want: Any) -> str:
    if want == MISSING:
        return "no duration"
    low, high = want.get("min"), want.get("max")
    if low is not None and high is not None:
        return f"between {_shown(low)} s and {_shown(high)} s"
    if low is not None:
        return f"at least {_shown(low)} s"
    return "any duration" if high is None else f"at most {_shown(high)} s"


def _problems(
    found: list[tuple[str, str, float | None, float | None]],
    expected: list[Any],
    unitless: float,
) -> list[str]:
    """What breaks the bounds when numbers without a unit are worth `unitless` seconds each.

    ``found`` holds (label, matched text, number, seconds per unit or None) per match."""
    problems = []
    for (label, text, number, factor), want in zip(found, expected, strict=True):
        where = f"{label} ({text!r})"
        if want == MISSING:
            if number is not None:
                problems.append(f"{where} shows a duration where none was expected")
            continue
        if number is None:
            problems.append(f"{where} shows no duration, expected {_bounds_text(want)}")
            continue
        value = number * (unitless if factor is None else factor)
        low, high = want.get("min"), want.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(f"{where} is {_shown(value)} s, expected {_bounds_text(want)}")
    return problems


def _read(
    pattern: re.Pattern[str], text: str, count: int, label: str
) -> list[tuple[str, str, float | None, float | None]]:
    """The first `count` matches as (label, matched text, number, seconds per unit)."""
    found = []
    for index, match in enumerate(pattern.finditer(text)):
        if index == count:
            break
        raw, unit = match.group("value"), match.groupdict().get("unit")
        number: float | None = None
        if raw is not None:
            try:
                number = float(raw)
            except ValueError:
                number = None
        factor = unit_factor(unit) if unit else None
        shown = match.group(0).strip()
        name = label.replace("{n}", str(index + 1))
        found.append((name, shown[:80] + ("…" if len(shown) > 80 else ""), number, factor))
    return found


def _judge(found: list[tuple[str, str, float | None, float | None]], expected: list[Any]) -> str:
    """'' when every match keeps its bounds (numbers without a unit read in one unit for all),
    else the reason."""
    readings = UNITLESS if any(f[2] is not None and f[3] is None for f in found) else UNITLESS[:1]
    tried = [(unit, _problems(found, expected, factor)) for unit, factor in readings]
    if any(not problems for _, problems in tried):
        return ""
    unit, problems = min(tried, key=lambda t: len(t[1]))  # the closest reading
    more = f" (and {plural(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
    reading = ""
    if len(tried) > 1:
        other = next(u for u, _ in tried if u != unit)
        reading = (
            f"; numbers without a unit were read as {unit} (as {other} they break the bounds too)"
        )
    return problems[0] + more + reading


def expect_durations(scope: Scope, step: Step) -> None:
    """Wait until the output holds as many matches as ``expected`` has entries (or the program
    ends, or the deadline passes), then check each match's duration against its entry."""
    run = scope.run
    pattern = _compile(substitute(str(step["expect_durations"]), scope.variables))
    expected = list(step.get("expected") or [])
    if not expected:
        raise error("expect_durations needs a non-empty list 'expected'")
    for want in expected:
        if want != MISSING and not isinstance(want, dict):
            raise error(f"an entry of expected must be {{min, max}} or 'missing', not {want!r}")
    stream = step.get("stream") or "stdout"
    if stream not in ("stdout", "stderr"):
        raise error(f"expect_durations' stream must be stdout or stderr, not {stream!r}")
    label = str(step.get("label") or "match {n}")
    deadline = run.deadline(step.get("timeout"))
    out, ended = _await_matches(run, pattern, stream, len(expected), deadline)
    text = out.decode("utf-8", "replace")
    found = _read(pattern, text, len(expected), label)
    wanted = "; ".join(
        f"{label.replace('{n}', str(i + 1))}: {_bounds_text(w)}" for i, w in enumerate(expected)
    )
    cmp = comparison("output", wanted.encode(), out, preview=run.settings.preview)
    if len(found) < len(expected):
        detail = (
            f"the program's {stream} shows {len(found)} of the {len(expected)} expected matches "
            f"of /{pattern.pattern}/"
        )
        if ended:
            raise Verdict("failed", detail, comparison=cmp)
        run.transcript.record("program", "timeout", note=f"waited {deadline.waited()}: {detail}")
        raise Verdict("timeout", f"waited {deadline.waited()}: {detail}", comparison=cmp)
    reason = _judge(found, expected)
    if reason:
        raise Verdict("failed", reason, comparison=cmp)


def _await_matches(
    run: Run, pattern: re.Pattern[str], stream: str, count: int, deadline: Any
) -> tuple[bytes, bool]:
    """The output once it holds `count` matches, or at the deadline; and whether the program
    had ended (its last output read after it ended)."""
    ended = False
    polls = 0
    while True:
        out = bytes(
            run.control_call(f"read the program's {stream}", lambda: run.control.output(stream))
        )
        text = out.decode("utf-8", "replace")
        if ended or deadline.passed() or _count(pattern, text, count) >= count:
            return out, ended
        polls += 1
        if polls % STATE_EVERY == 0:
            state = run.program_state()
            if state is not None and not state["running"]:
                ended = True
                pause(run.abort, min(0.1, max(deadline.remaining(), 0.0)))
                continue
        pause(run.abort, min(POLL, max(deadline.remaining(), 0.0)))


def _count(pattern: re.Pattern[str], text: str, enough: int) -> int:
    count = 0
    for _ in pattern.finditer(text):
        count += 1
        if count >= enough:
            break
    return count


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {"expect_durations": expect_durations}
