"""expect_durations: durations printed in any unit, checked against bounds in seconds."""

from __future__ import annotations

import pytest
from driver_doubles import Drive, FakeControl

from grader.driver.durations import unit_factor

RTT = (
    r"RTT\s*[:=]?\s*(?P<value>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(?P<unit>ms|s)?\b"
    r"|(?P<lost>timed out)"
)
PINGS = [{"max": 0.1}, "missing", {"min": 0.3, "max": 0.9}]


def check(drive: Drive, output: str, expected=PINGS, **options) -> dict:
    control = FakeControl(running=False, exit_code=0)
    control.stdout += output.encode()
    step = {"expect_durations": RTT, "expected": expected, "label": "ping {n}", **options}
    return drive([step], 1, control, role="client")


@pytest.mark.parametrize(
    "output",
    [
        "PING 1 x\nRTT: 0.0004 s\nRequest timed out\nPING 3 x\nRTT: 0.41 s\n",
        "RTT = 0.4 ms\nRequest timed out\nRTT = 410.2 ms\nmin RTT 0.4 ms max RTT 410 ms\n",
        "RTT 0.0004\nRequest timed out\nRTT 0.4102\n",  # no unit: seconds
        "RTT 0.4\nRequest timed out\nRTT 410\n",  # no unit: milliseconds
        "RTT 4e-4 s\nRequest timed out\nRTT 410 ms\n",  # units may differ per line
        # the exception's text after the timeout's line, or on it: extra words, not a result
        "RTT: 0.0004 s\nRequest timed out\ntimed out\nRTT: 0.41 s\n",
        "RTT: 0.0004 s\nRequest timed out: timed out\nRTT: 0.41 s\n",
        "RTT 0.4 ms\nRequest timed out\nRTT 410 ms\ntimed out, timed out\n",  # after the last
    ],
)
def test_durations_in_any_unit_pass(drive: Drive, output: str):
    result = check(drive, output)
    assert result["status"] == "passed", result


def test_a_made_up_constant_fits_no_unit(drive: Drive):
    result = check(drive, "RTT 0.5\nRequest timed out\nRTT 0.5\n")
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 0 (expect_durations): ping 1 ('RTT 0.5') is 0.5 s, expected at most 0.1 s; "
        "numbers without a unit were read as s (as ms they break the bounds too)"
    ), result["reason"]


def test_a_mislabelled_unit_fails(drive: Drive):
    result = check(drive, "RTT 0.4 s\nRequest timed out\nRTT 410 s\n")
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 0 (expect_durations): ping 1 ('RTT 0.4 s') is 0.4 s, expected at most 0.1 s "
        "(and 1 more problem)"
    ), result["reason"]


def test_a_duration_where_the_ping_was_lost_fails(drive: Drive):
    result = check(drive, "RTT 0.4 ms\nRTT 0.3 ms\nRTT 410 ms\n")
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        "step 0 (expect_durations): ping 2 ('RTT 0.3 ms') shows a duration where none was expected"
    ), result["reason"]


def test_too_few_matches_after_the_program_ended_fails(drive: Drive):
    result = check(drive, "RTT 0.4 ms\nRequest timed out\n")
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        "step 0 (expect_durations): the program's stdout shows 2 of the 3 expected results "
        "(none for ping 3) in matches of /RTT"
    ), result["reason"]
    assert result["comparison"]["kind"] == "output", result["comparison"]


def test_a_timeout_where_a_duration_was_expected_is_named_in_the_reason(drive: Drive):
    """Ping 3 answered but reported lost: its result is passed over, and the reason says so."""
    result = check(drive, "RTT 0.4 ms\nRequest timed out\nRequest timed out\n")
    assert result["status"] == "failed", result
    reason = result["reason"]
    assert reason.endswith("; passed over where a duration was expected: 'timed out'"), reason


STATISTICS = (
    r"(?i)\b(?:(?P<min>min)|(?P<avg>av(?:era)?g|mean)|(?P<max>max))\w*\b\D{0,20}?"
    r"(?P<value>\d+(?:\.\d*)?)\s*(?P<unit>ms|s)?\b"
)
LABELLED = {"min": {"max": 0.1}, "avg": {"min": 0.1, "max": 0.3}, "max": {"min": 0.4}}


@pytest.mark.parametrize(
    "output",
    [
        "min RTT = 0.001 s, avg RTT = 0.2 s, max RTT = 0.5 s\n",
        "Maximum RTT: 500 ms\nMinimum RTT: 1 ms\nAverage RTT: 200 ms\n",  # any order
        "RTT 0.001\nMax 0.5\nMean 0.2\nMin 0.001\n",  # no unit: seconds
    ],
)
def test_labelled_durations_are_read_by_their_label(drive: Drive, output: str):
    result = check(drive, output, expected=LABELLED, expect_durations=STATISTICS, label="{n} RTT")
    assert result["status"] == "passed", result


def test_a_labelled_duration_out_of_bounds_is_named_by_its_label(drive: Drive):
    output = "max RTT = 0.5 s, min RTT = 0.2 s, avg RTT = 0.3 s\n"
    result = check(drive, output, expected=LABELLED, expect_durations=STATISTICS, label="{n} RTT")
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 0 (expect_durations): min RTT ('min RTT = 0.2 s') is 0.2 s, expected at most 0.1 s"
    ), result["reason"]


def test_a_missing_label_fails_once_the_program_ended(drive: Drive):
    output = "min RTT = 0.001 s, max RTT = 0.5 s\n"
    result = check(drive, output, expected=LABELLED, expect_durations=STATISTICS, label="{n} RTT")
    assert result["status"] == "failed", result
    assert "shows 2 of the 3 expected results (none for avg RTT)" in result["reason"], result


def test_a_label_that_names_no_group_is_an_error(drive: Drive):
    result = check(drive, "RTT 1 s\n", expected={"median": {"max": 1}})
    assert result["status"] == "error", result
    assert "entry 'median' names no group" in result["reason"], result["reason"]


def test_too_few_matches_while_running_times_out(drive: Drive):
    control = FakeControl()
    control.stdout += b"RTT 0.4 ms\n"
    step = {"expect_durations": RTT, "expected": PINGS, "timeout": 0.2}
    result = drive([step], 1, control, role="client")
    assert result["status"] == "timeout", result
    assert result["reason"].startswith("step 0 (expect_durations): waited 0.2 s: "), result


def test_a_pattern_without_a_value_group_is_an_error(drive: Drive):
    control = FakeControl(running=False, exit_code=0)
    result = drive([{"expect_durations": r"RTT (\d+)", "expected": [{"max": 1}]}], 1, control)
    assert result["status"] == "error", result
    assert "needs a group named 'value'" in result["reason"], result["reason"]


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        ("s", 1.0),
        ("sec", 1.0),
        ("seconds", 1.0),
        ("ms", 1e-3),
        ("Milliseconds", 1e-3),
        ("us", 1e-6),
        ("µs", 1e-6),
        ("ns", 1e-9),
        ("parsecs", None),
    ],
)
def test_unit_factor(unit: str, factor: float | None):
    assert unit_factor(unit) == factor, unit
