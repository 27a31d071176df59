"""write_outputs: every file in its place, file-safe names, JSON round trip, re-render equality."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from batch_samples import assignment, batch, entry, graded

from grader.report.outputs import file_names, read_results, write_outputs

SECRETS = ("SECRET-REASON", "SECRET-STDOUT", "SECRET-HINT", "LATER-STDOUT")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_every_output_is_written(tmp_path: Path) -> None:
    entries = batch()
    write_outputs(tmp_path, assignment(), entries)
    names = file_names(e.student.id for e in entries)
    graded_ids = {e.student.id for e in entries if e.status == "graded"}
    files = set(tree(tmp_path))
    expected = {
        "summary.html",
        "gradebook.csv",
        "canvas.csv",
        "moodle-worksheet.csv",
        "results.json",
    }
    expected |= {f"reports/{names[s]}.html" for s in graded_ids}
    expected |= {f"instructor/{names[s]}.html" for s in graded_ids}
    expected |= {f"junit/{names[e.student.id]}.xml" for e in entries}
    expected |= {
        f"gradescope/{names[e.student.id]}/results.json"
        for e in entries
        if e.status != "infrastructure_error"
    }
    assert files == expected
    rows = list(csv.DictReader(io.StringIO((tmp_path / "gradebook.csv").read_text(), newline="")))
    assert len(rows) == len(entries)


def test_student_reports_hide_hidden_tests(tmp_path: Path) -> None:
    amy = entry("amy", graded("amy", [True] * 5 + [False, True]))
    write_outputs(tmp_path, assignment(), [amy])
    report = (tmp_path / "reports" / "amy.html").read_text()
    assert [s for s in SECRETS if s in report] == []
    assert "restart-reuseaddr" in report and "student view" in report
    summary = (tmp_path / "summary.html").read_text()
    assert "restart-reuseaddr" in summary and "hidden from students" in summary
    assert 'href="reports/amy.html"' in summary


def test_file_names_are_safe_unique_and_stable() -> None:
    ids = ["s001", "Bob", "bob", "../../etc/passwd", "CON", "Ana María", "", ".hidden", "a" * 100]
    names = file_names(ids)
    assert names == file_names(reversed(ids))
    assert names["s001"] == "s001"
    assert len({n.lower() for n in names.values()}) == len(ids)
    for sid, name in names.items():
        assert "/" not in name and "\\" not in name and not name.startswith("."), (sid, name)
        assert name.isascii() and 0 < len(name) <= 64, (sid, name)
    assert names["CON"] != "CON" and names["Bob"].startswith("Bob-")


def test_results_json_round_trips_with_the_file_names(tmp_path: Path) -> None:
    entries = batch()
    write_outputs(tmp_path, assignment(), entries)
    results = read_results(tmp_path / "results.json")
    assert results.entries == sorted(entries, key=lambda e: e.student.id)
    assert results.files == file_names(e.student.id for e in entries)
    assert results.max_score == 60
    json.loads((tmp_path / "results.json").read_text())


def test_rendering_again_gives_the_same_files_and_drops_stale_ones(tmp_path: Path) -> None:
    entries = batch()
    write_outputs(tmp_path / "a", assignment(), entries)
    write_outputs(
        tmp_path / "b", assignment(), [*entries, entry("gone", graded("gone", [True] * 7))]
    )
    write_outputs(tmp_path / "b", assignment(), list(reversed(entries)))
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    folders = [
        sorted(str(p.relative_to(tmp_path / x)) for p in (tmp_path / x).rglob("*") if p.is_dir())
        for x in ("a", "b")
    ]
    assert folders[0] == folders[1], "no empty folder is left behind"


def test_previous_run_adds_the_regrade_diff(tmp_path: Path) -> None:
    before = [entry("amy", graded("amy", [True] * 6 + [False]))]
    now = [entry("amy", graded("amy", [True] * 7))]
    write_outputs(tmp_path, assignment(), now, previous=before)
    diff = (tmp_path / "regrade-diff.csv").read_text()
    assert "amy,Student amy,graded,graded,50,60,+10,concurrent-10: timeout -> passed" in diff
    assert "Changes since the previous run" in (tmp_path / "summary.html").read_text()
    write_outputs(tmp_path, assignment(), now)
    assert not (tmp_path / "regrade-diff.csv").exists()
