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
