"""expect_durations: durations the program printed (round-trip times, say), checked in seconds
whatever unit the program printed them in, each found by what it says rather than where."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
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
# Group names with a meaning of their own: they never name a labelled entry.
RESERVED_GROUPS = ("value", "unit", "lost")
QUOTE = 80  # characters of a match quoted in a reason


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


@dataclass(frozen=True, slots=True)
class Found:
    """One match of the pattern in the output."""

    text: str  # the matched text, stripped and cut for quoting
    number: float | None  # the duration as printed; None when the match shows none
    factor: float | None  # seconds per unit printed; None when no unit was printed
    groups: frozenset[str]  # the named groups that took part in the match


@dataclass(frozen=True, slots=True)
class Pairing:
    """Which match stands for each expected entry, as far as the output goes."""

    pairs: list[tuple[str, Any, Found]]  # (entry's name, its bounds or 'missing', its match)
    missing: list[str]  # names of the entries no match stands for (yet)
    skipped: list[Found]  # matches without a duration passed over where one was expected


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


def _read(pattern: re.Pattern[str], text: str) -> list[Found]:
    """Every match of the pattern, in order."""
    found = []
    for match in pattern.finditer(text):
        raw, unit = match.group("value"), match.groupdict().get("unit")
        number: float | None = None
        if raw is not None:
            try:
                number = float(raw)
            except ValueError:
                number = None
        shown = match.group(0).strip()
        found.append(
            Found(
                text=shown[:QUOTE] + ("…" if len(shown) > QUOTE else ""),
                number=number,
                factor=unit_factor(unit) if unit else None,
                groups=frozenset(k for k, v in match.groupdict().items() if v is not None),
            )
        )
    return found


def _pair_in_order(found: list[Found], expected: list[Any], label: str) -> Pairing:
    """Entries in order, by meaning: a match without a duration stands for a 'missing' entry;
    where a duration is expected, matches without one before it are passed over (the extra
    words of the entry before: "Request timed out" then the exception's text "timed out");
    matches after the last entry are ignored (a summary printed at the end)."""
    pairs: list[tuple[str, Any, Found]] = []
    skipped: list[Found] = []
    at = 0
    for index, want in enumerate(expected):
        name = label.replace("{n}", str(index + 1))
        if want != MISSING:
            while at < len(found) and found[at].number is None:
                skipped.append(found[at])
                at += 1
        if at == len(found):
            missing = [label.replace("{n}", str(i + 1)) for i in range(index, len(expected))]
            return Pairing(pairs, missing, skipped)
        pairs.append((name, want, found[at]))
        at += 1
    return Pairing(pairs, [], skipped)


def _pair_by_label(found: list[Found], expected: dict[str, Any], label: str) -> Pairing:
    """Each labelled entry from the first match in which its group took part, in any order."""
    first: dict[str, Found] = {}
    for match in found:
        for key in expected:
            if key in match.groups and key not in first and match.number is not None:
                first[key] = match
                break
    pairs = [(label.replace("{n}", k), w, first[k]) for k, w in expected.items() if k in first]
    missing = [label.replace("{n}", k) for k in expected if k not in first]
    return Pairing(pairs, missing, [])


def _problems(pairs: list[tuple[str, Any, Found]], unitless: float) -> list[str]:
    """What breaks the bounds when numbers without a unit are worth `unitless` seconds each."""
    problems = []
    for name, want, found in pairs:
        where = f"{name} ({found.text!r})"
        if want == MISSING:
            if found.number is not None:
                problems.append(f"{where} shows a duration where none was expected")
            continue
        if found.number is None:
            problems.append(f"{where} shows no duration, expected {_bounds_text(want)}")
            continue
        value = found.number * (unitless if found.factor is None else found.factor)
        low, high = want.get("min"), want.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(f"{where} is {_shown(value)} s, expected {_bounds_text(want)}")
    return problems


def _judge(pairs: list[tuple[str, Any, Found]]) -> str:
    """'' when every match keeps its bounds (numbers without a unit read in one unit for all),
    else the reason."""
    unitless = any(f.number is not None and f.factor is None for _, _, f in pairs)
    readings = UNITLESS if unitless else UNITLESS[:1]
    tried = [(unit, _problems(pairs, factor)) for unit, factor in readings]
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


def _checked(step: Step, pattern: re.Pattern[str]) -> Callable[[list[Found]], Pairing]:
    """How the step pairs matches with its entries, after checking the entries."""
    expected = step.get("expected")
    label = str(step.get("label") or "match {n}")
    if isinstance(expected, dict) and expected:
        for key, want in expected.items():
            if key in RESERVED_GROUPS or key not in pattern.groupindex:
                raise error(
                    f"expect_durations' entry {key!r} names no group of /{pattern.pattern}/ "
                    f"(a labelled entry is read from the match of the group of its name)"
                )
            if not isinstance(want, dict):
                raise error(f"the entry {key!r} of expected must be {{min, max}}, not {want!r}")
        return lambda found: _pair_by_label(found, expected, label)
    if not isinstance(expected, list) or not expected:
        raise error("expect_durations needs a non-empty list or mapping 'expected'")
    for want in expected:
        if want != MISSING and not isinstance(want, dict):
            raise error(f"an entry of expected must be {{min, max}} or 'missing', not {want!r}")
    return lambda found: _pair_in_order(found, expected, label)


def _wanted(step: Step) -> str:
    expected = step["expected"]
    label = str(step.get("label") or "match {n}")
    names = (
        list(expected.items())
        if isinstance(expected, dict)
        else [(str(i + 1), w) for i, w in enumerate(expected)]
    )
    return "; ".join(f"{label.replace('{n}', n)}: {_bounds_text(w)}" for n, w in names)


def _incomplete(pairing: Pairing, stream: str, pattern: re.Pattern[str]) -> str:
    total = len(pairing.pairs) + len(pairing.missing)
    detail = (
        f"the program's {stream} shows {len(pairing.pairs)} of the {total} expected results "
        f"(none for {pairing.missing[0]}) in matches of /{pattern.pattern}/"
    )
    if pairing.skipped:
        quoted = ", ".join(repr(f.text) for f in pairing.skipped[:3])
        more = " …" if len(pairing.skipped) > 3 else ""
        detail += f"; passed over where a duration was expected: {quoted}{more}"
    return detail


def expect_durations(scope: Scope, step: Step) -> None:
    """Wait until the output holds a match for every entry of ``expected`` (or the program
    ends, or the deadline passes), then check each match's duration against its entry."""
    run = scope.run
    pattern = _compile(substitute(str(step["expect_durations"]), scope.variables))
    pair = _checked(step, pattern)
    stream = step.get("stream") or "stdout"
    if stream not in ("stdout", "stderr"):
        raise error(f"expect_durations' stream must be stdout or stderr, not {stream!r}")
    deadline = run.deadline(step.get("timeout"))
    out, ended = _await_matches(run, pattern, stream, pair, deadline)
    pairing = pair(_read(pattern, out.decode("utf-8", "replace")))
    cmp = comparison("output", _wanted(step).encode(), out, preview=run.settings.preview)
    if pairing.missing:
        detail = _incomplete(pairing, stream, pattern)
        if ended:
            raise Verdict("failed", detail, comparison=cmp)
        run.transcript.record("program", "timeout", note=f"waited {deadline.waited()}: {detail}")
        raise Verdict("timeout", f"waited {deadline.waited()}: {detail}", comparison=cmp)
    reason = _judge(pairing.pairs)
    if reason:
        raise Verdict("failed", reason, comparison=cmp)


def _await_matches(
    run: Run,
    pattern: re.Pattern[str],
    stream: str,
    pair: Callable[[list[Found]], Pairing],
    deadline: Any,
) -> tuple[bytes, bool]:
    """The output once every entry has its match, or at the deadline; and whether the program
    had ended (its last output read after it ended)."""
    ended = False
    polls = 0
    while True:
        out = bytes(
            run.control_call(f"read the program's {stream}", lambda: run.control.output(stream))
        )
        if ended or deadline.passed():
            return out, ended
        if not pair(_read(pattern, out.decode("utf-8", "replace"))).missing:
            return out, ended
        polls += 1
        if polls % STATE_EVERY == 0:
            state = run.program_state()
            if state is not None and not state["running"]:
                ended = True
                pause(run.abort, min(0.1, max(deadline.remaining(), 0.0)))
                continue
        pause(run.abort, min(POLL, max(deadline.remaining(), 0.0)))


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {"expect_durations": expect_durations}
