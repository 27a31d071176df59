"""The gradebook CSV: parsed back with the csv module and compared with the entries."""

from __future__ import annotations

import csv
import io

from batch_samples import TESTS, assignment, batch, bonus_assignment, bonus_entry, entry, graded

from grader.report.gradebook import cell, gradebook_csv, points
from grader.results import Student


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_names_the_fixed_columns_then_each_test() -> None:
    text = gradebook_csv(assignment(), batch())
    header = next(csv.reader(io.StringIO(text, newline="")))
    names = [name for name, *_ in TESTS]
    assert header == ["id", "name", "email", "score", "max", *names, "status", "message"]


def test_rows_agree_with_the_entries() -> None:
    entries = batch()
    rows = parse(gradebook_csv(assignment(), entries))
    assert [r["id"] for r in rows] == sorted(cell(e.student.id) for e in entries)
    by_id = {cell(e.student.id): e for e in entries}
    for row in rows:
        e = by_id[row["id"]]
        assert row["status"] == e.status
        assert row["max"] == "60"
        if e.result is None:
            assert row["score"] == "", row
            assert all(row[name] == "" for name, *_ in TESTS)
            assert row["message"] == e.message
        else:
            assert float(row["score"]) == e.result.score
            earned = {t.name: t.points for t in e.result.tests}
            assert {n: float(row[n]) for n, *_ in TESTS} == earned
            assert sum(float(row[n]) for n, *_ in TESTS) == float(row["score"])


def test_csv_is_utf8_with_one_row_per_student_and_crlf_lines() -> None:
    entries = batch()
    text = gradebook_csv(assignment(), entries)
    text.encode("utf-8")  # no lone surrogates
    assert text.count("\r\n") == len(entries) + 1
    assert "Ana María Ñ" in text


def test_formulas_and_control_characters_are_neutralised() -> None:
    hostile = entry(
        "=cmd|' /C calc'!A0",
        graded("x", [True] * 7),
        student=Student(id="=cmd|' /C calc'!A0", name="+SUM(A1)\x00\r\n", email="@x"),
    )
    (row,) = parse(gradebook_csv(assignment(), [hostile]))
    assert row["id"] == "'=cmd|' /C calc'!A0"
    assert row["name"] == "'+SUM(A1)\\x00\\r\\n"
    assert row["email"] == "'@x"


def test_points_are_plain_decimals() -> None:
    assert [points(v) for v in (10, 2.5, 1 / 3, 0, 100, 1e-9)] == [
        "10",
        "2.5",
        "0.33",
        "0",
        "100",
        "0",
    ]


def test_extra_credit_has_its_column_and_stays_out_of_the_maximum() -> None:
    """score includes the bonus, max never does, and extra_credit says how much of score it is."""
    entries = [
        bonus_entry("ana", statistics=True),
        bonus_entry("bo", statistics=False),
        entry("cy", message="no source file"),
    ]
    text = gradebook_csv(bonus_assignment(), entries)
    assert text.splitlines()[0] == (
        "id,name,email,score,max,extra_credit,ping-format,timeouts,statistics (extra credit),"
        "status,message"
    ), text
    rows = {r["id"]: r for r in parse(text)}
    picked = ("score", "max", "extra_credit", "statistics (extra credit)")
    got = {sid: [rows[sid][k] for k in picked] for sid in rows}
    assert got == {
        "ana": ["35", "30", "5", "5"],
        "bo": ["30", "30", "0", "0"],
        "cy": ["", "30", "", ""],
    }, got
