"""Gradescope results.json: the documented fields and types, visibility, escaping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from batch_samples import (
    CONTROL,
    XSS,
    assignment,
    batch,
    bonus_assignment,
    bonus_entry,
    entry,
    graded,
)

from grader.report.gradescope import gradescope_json, gradescope_results, output_text

# Gradescope's autograder specification (gradescope-autograders.readthedocs.io, specs):
# the keys a results.json may carry, at the top and per test.
TOP_KEYS = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
TEST_KEYS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def check_format(data: dict[str, Any]) -> None:
    """Fail unless data follows the documented results.json format."""
    assert set(data) <= TOP_KEYS, set(data) - TOP_KEYS
    assert isinstance(data["score"], int | float)
    assert data.get("visibility", "visible") in VISIBILITIES
    assert data.get("output_format", "text") in FORMATS
    if "execution_time" in data:
        assert isinstance(data["execution_time"], int | float)
    for test in data["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["number"], str)
        assert isinstance(test["score"], int | float)
        assert isinstance(test["max_score"], int | float)
        # extra credit (max_score 0) is the one case where a test's score exceeds its maximum
        bonus = test["name"].endswith(" (extra credit)")
        assert test["score"] >= 0 and (bonus or test["score"] <= test["max_score"]), test
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["output_format"] in FORMATS
        assert test["visibility"] in VISIBILITIES


def test_every_gradable_entry_follows_the_documented_format() -> None:
    for e in batch():
        if e.status == "infrastructure_error":
            continue
        data = json.loads(gradescope_json(assignment(), e))
        check_format(data)
        expected = e.result.score if e.result else 0
        assert data["score"] == expected
        assert sum(t["score"] for t in data["tests"]) == expected
        assert [t["name"] for t in data["tests"]] == [t.name for t in assignment().tests]


def test_tests_carry_score_status_number_visibility_and_time() -> None:
    result = graded("amy", [True, False, False, False, True, False, True])
    data = gradescope_results(assignment(), entry("amy", result))
    first, crlf, *_ = data["tests"]
    assert first == {
        "name": "echo-one",
        "number": "1",
        "score": 10,
        "max_score": 10,
        "status": "passed",
        "output": "--- stdout (end) ---\nlistening on 0.0.0.0:40123\n",
        "output_format": "text",
        "visibility": "visible",
        "extra_data": {"status": "passed", "execution_time": 0.031},
    }
    assert crlf["status"] == "failed" and crlf["score"] == 0
    assert crlf["output"].startswith("The echo differs from what was sent")
    assert "Hint: Send back exactly the bytes you received" in crlf["output"]
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["second-client"]["extra_data"]["status"] == "timeout"
    assert by_name["restart-reuseaddr"]["visibility"] == "hidden"
    assert by_name["concurrent-10"]["visibility"] == "after_due_date"
    assert data["execution_time"] == round(0.01 + 6.0, 3)


def test_hidden_test_details_go_to_gradescope_which_hides_them() -> None:
    result = graded("amy", [True] * 5 + [False, True])
    data = gradescope_results(assignment(), entry("amy", result))
    hidden = next(t for t in data["tests"] if t["name"] == "restart-reuseaddr")
    assert hidden["visibility"] == "hidden"
    assert "SECRET-REASON" in hidden["output"]


def test_rejected_entry_scores_zero_with_the_reason() -> None:
    rejected = entry("eve", message=f"bad archive {XSS}")
    data = gradescope_results(assignment(), rejected)
    check_format(data)
    assert data["score"] == 0
    assert data["output"] == f"Your submission could not be graded: bad archive {XSS}"
    assert [t["max_score"] for t in data["tests"]] == [10, 10, 10, 10, 5, 5, 10]


def test_infrastructure_error_has_no_gradescope_result() -> None:
    with pytest.raises(ValueError, match="infrastructure_error"):
        gradescope_results(assignment(), entry("x", status="infrastructure_error"))


def test_control_characters_become_visible_escapes() -> None:
    assert (
        output_text(f"a\r\nb{CONTROL}\n".encode()) == "a\\r\nb\\x00\\x1b[31m\\x07\\x0b\\x0c\ufffe\n"
    )
    assert output_text(b"\xff\xfe ok") == "\\xff\\xfe ok"
    assert output_text(b"x" * 3000, limit=10) == "[first 2,990 bytes cut]\n" + "x" * 10


def test_extra_credit_adds_to_the_score_but_not_to_the_maximum() -> None:
    data = gradescope_results(bonus_assignment(), bonus_entry("ana", statistics=True))
    check_format(data)
    assert data["score"] == 35, data
    assert sum(t["max_score"] for t in data["tests"]) == 30, data["tests"]
    bonus = data["tests"][2]
    assert (bonus["name"], bonus["score"], bonus["max_score"]) == (
        "statistics (extra credit)",
        5,
        0,
    ), bonus
    assert bonus["output"].startswith(
        "Extra credit: up to 5 points on top of the maximum, not counted in it; earned 5."
    ), bonus["output"]
    assert bonus["extra_data"]["extra_credit"] == 5, bonus
    assert data["output"].startswith(
        "Score: 35 of 30 points (+5 extra credit: included in the score, not in the maximum)."
    ), data["output"]


def test_extra_credit_missed_or_not_run_says_what_it_was_worth() -> None:
    missed = gradescope_results(bonus_assignment(), bonus_entry("bo", statistics=False))
    check_format(missed)
    assert missed["score"] == 30, missed
    assert missed["output"].startswith("Score: 30 of 30 points (+0 of 5 extra credit"), missed
    rejected = gradescope_results(bonus_assignment(), entry("cy", message="no source file"))
    check_format(rejected)
    bonus = rejected["tests"][2]
    assert (bonus["name"], bonus["max_score"]) == ("statistics (extra credit)", 0), bonus
    assert bonus["output"] == (
        "Extra credit: up to 5 points on top of the maximum, not counted in it.\n\n"
        "Not run: the submission could not be graded."
    ), bonus
