"""The late policy: how late, by which clock, what it costs, and every output keeping it apart."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from batchgen import REFERENCE
from typer.testing import CliRunner

from grader.cli import app
from grader.course import late_options, late_policy
from grader.errors import SpecError
from grader.ingest import ingest
from grader.late import LatePolicy
from grader.store import ResultStore

DUE = datetime(2026, 11, 20, 23, 59, tzinfo=UTC)


def policy(**fields: object) -> LatePolicy:
    return LatePolicy.model_validate({"due": DUE, **fields})


def test_on_time_and_within_the_grace_period_cost_nothing() -> None:
    on_time = policy(grace="15m").assess(80, DUE - timedelta(hours=1), "file time")
    in_grace = policy(grace="15m").assess(80, DUE + timedelta(minutes=14), "file time")
    for late in (on_time, in_grace):
        assert (late.late, late.penalty, late.final_score, late.raw_score) == (False, 0, 80, 80)


def test_each_started_day_costs_the_penalty_counted_from_the_due_date() -> None:
    late = policy(grace="15m", penalty=10).assess(80, DUE + timedelta(days=1, hours=2), "x")
    assert (late.late, late.periods, late.percent, late.penalty, late.final_score) == (
        True,
        2,
        20,
        16,
        64,
    )
    assert late.reason == "1 d 2 h late: 2 days at 10%, -20%"


def test_per_hour_the_floor_and_the_cutoff() -> None:
    hourly = policy(penalty=5, per="hour").assess(100, DUE + timedelta(minutes=130), "x")
    assert (hourly.periods, hourly.final_score) == (3, 85)
    floored = policy(penalty=25, floor=60).assess(50, DUE + timedelta(days=3), "x")
    assert (floored.percent, floored.final_score) == (40, 30)
    assert floored.reason.endswith("-40% (the floor)")
    cutoff = DUE + timedelta(days=2)
    after = policy(penalty=10, floor=60, cutoff=cutoff).assess(50, cutoff + timedelta(1), "x")
    assert (after.late, after.penalty, after.final_score) == (True, 50, 0)
    assert after.reason.startswith("handed in after the cutoff")


def test_an_lms_late_flag_the_clock_contradicts_is_flagged_not_charged() -> None:
    late = policy().assess(80, DUE - timedelta(hours=2), "file time (Canvas download)", True)
    assert (late.late, late.penalty, late.final_score) == (True, 0, 80)
    assert "the LMS marks it late" in late.reason and "2 h 0 min before" in late.reason
    unknown = policy().assess(80, None, "file time")
    assert (unknown.late, unknown.final_score) == (False, 80)


def test_the_course_file_beside_the_spec_and_options_over_it(tmp_path: Path) -> None:
    spec = tmp_path / "assignments" / "tcp-echo"
    spec.mkdir(parents=True)
    assert late_policy(spec, None, late_options()) is None, "no file, no options: no policy"
    (tmp_path / "assignments" / "course.yaml").write_text(
        "late: {due: 2026-11-20T23:59:00Z, grace: 1h, penalty: 10, per: day, floor: 50}\n"
    )
    found = late_policy(spec, None, late_options())
    assert found == policy(grace=3600, penalty=10, floor=50)
    given = late_policy(spec, None, late_options(penalty="2%/hour", floor=0))
    assert given == policy(grace=3600, penalty=2, per="hour", floor=0)


def test_a_bad_course_file_or_option_is_one_line_per_problem(tmp_path: Path) -> None:
    course = tmp_path / "course.yaml"
    course.write_text("late: {due: soon, penalty: 120}\n")
    with pytest.raises(SpecError) as caught:
        late_policy(tmp_path, course, {})
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        [str(course), "late.due"],
        [str(course), "late.penalty"],
    ], lines
    with pytest.raises(SpecError, match=r"^--penalty: 'ten' is not a penalty; tip"):
        late_options(penalty="ten")


def test_ingest_says_which_clock_gives_the_time(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "doejane_LATE_1001_77_server.py").write_text("print()\n")
    os.utime(folder / "doejane_LATE_1001_77_server.py", (1_700_000_000, 1_700_000_000))
    (folder / "submission_9").mkdir()
    (folder / "submission_9" / "server.py").write_text("print()\n")
    (folder / "submission_metadata.yml").write_text(
        yaml.safe_dump(
            {
                "submission_9": {
                    ":submitters": [{":name": "Ada", ":sid": "ada"}],
                    ":created_at": "2026-11-21T01:00:00+00:00",
                }
            }
        )
    )
    items = {i.student.id: i for i in ingest(folder, tmp_path / "work").items}
    canvas, gradescope = items["1001"], items["ada"]
    assert (canvas.lms_late, canvas.clock) == (True, "file time (Canvas download)")
    assert canvas.submitted == datetime.fromtimestamp(1_700_000_000, UTC)
    assert (gradescope.lms_late, gradescope.clock) == (False, "Gradescope created_at")
    assert gradescope.submitted == datetime(2026, 11, 21, 1, tzinfo=UTC)


def test_a_late_student_is_charged_in_every_output(echo_two: Path, tmp_path: Path) -> None:
    batch = tmp_path / "in"
    for name in ("early", "tardy"):
        shutil.copytree(REFERENCE / "python", batch / name)
    two_days_late = (DUE + timedelta(days=1, hours=3)).timestamp()
    os.utime(batch / "tardy", (two_days_late, two_days_late))
    early = (DUE - timedelta(days=1)).timestamp()
    os.utime(batch / "early", (early, early))
    out = tmp_path / "out"
    argv = ["grade", str(echo_two), str(batch), "--out", str(out), "-b", "local"]
    argv += ["--trust-local", "-q", "--due", DUE.isoformat(), "--penalty", "10%/day"]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    store = ResultStore(out)
    tardy, on_time = store.load("tardy"), store.load("early")
    assert tardy is not None and tardy.late is not None and tardy.result is not None
    assert on_time is not None and on_time.late is not None
    raw = tardy.result.score
    assert (tardy.late.late, tardy.late.raw_score, tardy.late.penalty) == (True, raw, raw * 0.2)
    assert tardy.final_score == raw * 0.8 and on_time.final_score == raw
    assert tardy.late.source == "file time"
    with (out / "gradebook.csv").open() as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert (rows["tardy"]["score"], rows["tardy"]["raw_score"]) == (f"{raw * 0.8:g}", f"{raw:g}")
    assert (rows["tardy"]["late_penalty"], rows["tardy"]["late"]) == (f"{raw * 0.2:g}", "yes")
    assert (rows["early"]["late_penalty"], rows["early"]["late"]) == ("0", "no")
    upload = json.loads((out / "gradescope" / "tardy" / "results.json").read_text())
    assert upload["score"] == raw * 0.8
    assert upload["output"].startswith("Late: 1 d 3 h late: 2 days at 10%, -20%.")
    summary = (out / "summary.html").read_text()
    assert "Late: handed in after the due date (1)" in summary
    assert "late: \u221220% (raw 20)" in summary
