"""The inputs the property tests (tests/test_properties.py) found, each kept as a plain test:
before its fix each ended in a traceback, a hang or a rejection of several lines."""

from __future__ import annotations

import io
import os
import struct
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from grader.archive import extract_archive
from grader.errors import SpecError, SubmissionError
from grader.ingest import GRADESCOPE_METADATA, ingest, read_roster
from grader.spec import MAX_PROBLEMS, SPEC_FILE, load_assignment
from grader.submission import load_submission
from grader.untrusted import read_file

HEAD = """id: tiny
title: t
summary: s
role: server
transport: tcp
languages: {python: {entry: s.py, run: "python3 s.py {port}"}}
"""


def spec(tmp_path: Path, text: str | bytes) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir(exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    (folder / SPEC_FILE).write_bytes(data)
    return folder


def one_test(steps: str, name: str = "a") -> str:
    return (
        HEAD
        + f"tests:\n  - name: {name}\n    points: 1\n    description: d\n    scenario: {steps}\n"
    )


def assert_one_line(message: str) -> None:
    assert "\n" not in message and message.isprintable(), repr(message)


# --- errors ---------------------------------------------------------------------------------


def test_a_submission_error_naming_a_file_with_a_line_break_is_one_visible_line(
    tmp_path: Path,
) -> None:
    with pytest.raises(SubmissionError) as info:
        load_submission(tmp_path / "a\nb\x1b[2J")
    assert_one_line(str(info.value))
    assert "a\\nb\\x1b[2J: no such file or folder" in str(info.value)

# --- specs ----------------------------------------------------------------------------------


def test_nested_repeats_validate_in_linear_time(tmp_path: Path) -> None:
    """step_kind dumped each nested step to find its kind: 2**depth (20 levels took 6 s)."""
    steps = "{sleep: 0}"
    for _ in range(24):
        steps = "{repeat: [" + steps + "], times: 1}"
    started = time.monotonic()
    loaded = load_assignment(spec(tmp_path, one_test(f"[{{connect: main}}, {steps}]")))
    loaded.spec.tests[0].scenario[1].model_dump(mode="json")  # what the driver is sent
    assert time.monotonic() - started < 2


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    levels = ["&l0 {sleep: 0}"] + [
        f"&l{i} {{repeat: [{', '.join([f'*l{i - 1}'] * 10)}], times: 1}}" for i in range(1, 7)
    ]
    started = time.monotonic()
    with pytest.raises(SpecError, match="more than 200,000 values once its aliases") as info:
        load_assignment(spec(tmp_path, one_test(f"[{{connect: main}}, {', '.join(levels)}]")))
    assert time.monotonic() - started < 2  # it took minutes: 10**6 steps validated
    assert_one_line(str(info.value))


@pytest.mark.parametrize("text", ["[" * 3000 + "]" * 3000, "a: " + "{b: " * 100 + "1" + "}" * 100])
def test_deep_nesting_is_a_spec_error_not_a_recursion_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(SpecError, match="nested more than 64 levels deep"):
        load_assignment(spec(tmp_path, text))


def test_anchors_and_aliases_of_a_real_spec_still_load(tmp_path: Path) -> None:
    loaded = load_assignment(spec(tmp_path, one_test("[&c {connect: main}, {send: x}, *c]")))
    assert len(loaded.spec.tests[0].scenario) == 3


def test_a_files_name_too_long_for_the_file_system_is_a_spec_error(tmp_path: Path) -> None:
    text = one_test("[{connect: main}]") + "files: " + "a" * 300 + "\n"
    with pytest.raises(SpecError, match="is not a folder next to the spec"):
        load_assignment(spec(tmp_path, text))


def test_a_negative_int_key_in_a_step_is_located_not_an_index_error(tmp_path: Path) -> None:
    steps = "[{connect: main}, {smtp_server: [greeting, hello, quit], -4: null}]"
    with pytest.raises(SpecError, match=r"scenario\[1\]"):
        load_assignment(spec(tmp_path, one_test(steps)))


@pytest.mark.parametrize(
    ("steps", "name"),
    [('[{connect: main}, {expect_regex: "(\\n"}]', "a"), ("[{connect: main}]", '"\\n"')],
)
def test_a_problem_quoting_a_line_break_stays_on_its_line(
    tmp_path: Path, steps: str, name: str
) -> None:
    folder = spec(tmp_path, one_test(steps, name))
    with pytest.raises(SpecError) as info:
        load_assignment(folder)
    for line in str(info.value).split("\n"):
        assert line.startswith(str(folder)), line
        assert_one_line(line)


def test_problems_past_the_twentieth_are_counted_not_listed(tmp_path: Path) -> None:
    steps = "[{connect: main}" + ", {sned: x}" * 100 + "]"
    with pytest.raises(SpecError) as info:
        load_assignment(spec(tmp_path, one_test(steps)))
    lines = str(info.value).split("\n")
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1].endswith("... and 80 more problems")
