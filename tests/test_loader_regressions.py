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


# --- archives ------------------------------------------------------------------------------


def _zip(*entries: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return out.getvalue()


def _patched_zip(flags: int = 0, method: int | None = None, name: bytes | None = None) -> bytes:
    """A one-member zip with its headers' flags, method or name bytes changed."""
    data = bytearray(_zip(("ab.py", b"x")))
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    for at, flag_at, method_at, name_at in ((local, 6, 8, 30), (central, 8, 10, 46)):
        data[at + flag_at : at + flag_at + 2] = struct.pack("<H", flags)
        if method is not None:
            data[at + method_at : at + method_at + 2] = struct.pack("<H", method)
        if name is not None:
            data[at + name_at : at + name_at + 2] = name
    return bytes(data)


def _tar(*names: str, mode: str = "w") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tf:  # type: ignore[call-overload]
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 1
            tf.addfile(info, io.BytesIO(b"x"))
    return out.getvalue()


def _corrupt_gz() -> bytes:
    data = bytearray(_tar("a.py", mode="w:xz"))
    data[len(data) // 2] ^= 0xFF
    return bytes(data)


ARCHIVES = {
    "deflate64": ("a.zip", _patched_zip(method=9), "compressed with method 9"),
    "encrypted": ("a.zip", _patched_zip(flags=1), "'ab.py' is encrypted"),
    "utf8-flag": ("a.zip", _patched_zip(flags=0x800, name=b"\xff\xfe"), "marked UTF-8 but is not"),
    "tar-latin1": ("a.tar", _tar("caf\udce9.py"), "not valid UTF-8"),
    "long-name": ("a.zip", _zip(("a" * 300, b"x")), "has a name too long"),
    "file-then-folder": ("a.zip", _zip(("a", b"x"), ("a/b.py", b"y")), "a name used twice"),
    "folder-then-file": ("a.tar", _tar("a/b.py", "a"), "'a' appears twice"),
    "duplicate": ("a.zip", _zip(("s.py", b"x"), ("s.py", b"y")), "'s.py' appears twice"),
    "corrupt-xz": ("a.tar.gz", _corrupt_gz(), "(file could not be opened successfully)"),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", ARCHIVES.values(), ids=ARCHIVES.keys())
def test_odd_archives_are_rejected_in_one_line_without_the_graders_paths(
    tmp_path: Path, case: tuple[str, bytes, str]
) -> None:
    name, data, reason = case
    (tmp_path / name).write_bytes(data)
    with pytest.raises(SubmissionError) as info:
        extract_archive(tmp_path / name, tmp_path / "out")
    message = str(info.value)
    assert message.startswith(f"{name}: ") and reason in message, message
    assert_one_line(message)
    assert str(tmp_path) not in message
    assert not (tmp_path / "out").exists()


# --- submissions ---------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_rejected_not_a_unicode_error(tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text("print(1)\n")
    with pytest.raises(SubmissionError, match="not valid UTF-8") as info:
        load_submission(tmp_path)
    assert_one_line(str(info.value))


def test_reading_a_folder_as_a_file_is_a_submission_error(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="not a regular file"):
        read_file(tmp_path)


# --- ingest --------------------------------------------------------------------------------


def _gradescope(tmp_path: Path, metadata: str) -> Path:
    inp = tmp_path / "in"
    (inp / "submission_1").mkdir(parents=True)
    (inp / "submission_1" / "s.py").write_text("print(1)\n")
    (inp / GRADESCOPE_METADATA).write_text(metadata)
    return inp


@pytest.mark.parametrize(
    "info",
    [
        "{':submitters': abc}",
        "{':submitters': [1, 2]}",
        "{':submitters': [{':name': 5, ':sid': 7}]}",
        "{':submitters': [{':name': x}], ':created_at': 0001-01-01 00:00:00}",
    ],
)
def test_odd_gradescope_metadata_is_read_or_skipped(tmp_path: Path, info: str) -> None:
    found = ingest(_gradescope(tmp_path, f"submission_1: {info}\n"), tmp_path / "work")
    assert all(item.path is None or item.path.is_dir() for item in found.items)


@pytest.mark.parametrize("folder", ["/etc", "..", "../in"])
def test_gradescope_metadata_cannot_name_a_folder_outside_the_export(
    tmp_path: Path, folder: str
) -> None:
    inp = _gradescope(tmp_path, f"'{folder}': {{':submitters': [{{':name': x}}]}}\n")
    found = ingest(inp, tmp_path / "work")
    assert found.log == [f"{GRADESCOPE_METADATA}: {folder} has no folder or no submitter; skipped"]
    assert [item.source for item in found.items] == ["submission_1"]


def test_linked_gradescope_metadata_is_refused_unread(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    secret = tmp_path / "secret.yml"
    secret.write_text("a: [\n  secret line\n")
    (inp / GRADESCOPE_METADATA).symlink_to(secret)
    with pytest.raises(SubmissionError, match="is a symbolic link") as info:
        ingest(inp, tmp_path / "work")
    assert "secret" not in str(info.value).replace("secret.yml", "")


def test_bad_gradescope_yaml_is_one_line_without_its_text(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match=r"line 3: not valid YAML") as info:
        ingest(_gradescope(tmp_path, "a: [\n  hidden text\n"), tmp_path / "work")
    assert_one_line(str(info.value))
    assert "hidden" not in str(info.value)


@pytest.mark.parametrize("target", ["nowhere", "loop.py"])
def test_a_dangling_or_looping_link_in_the_input_is_a_rejected_item(
    tmp_path: Path, target: str
) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "loop.py").symlink_to(inp / target)
    [item] = ingest(inp, tmp_path / "work").items
    assert item.path is None and "is a symbolic link" in item.rejected


@pytest.mark.parametrize("rest", ["..", "."])
def test_a_canvas_file_named_dot_dot_is_copied_under_its_own_name(
    tmp_path: Path, rest: str
) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / f"alice_123_456_{rest}").write_text("print(1)\n")
    (inp / "alice_123_456_s.py").write_text("print(2)\n")
    [item] = ingest(inp, tmp_path / "work").items
    assert item.path is not None
    assert sorted(p.name for p in item.path.iterdir()) == sorted([f"alice_123_456_{rest}", "s.py"])


def test_a_roster_row_longer_than_its_header_is_read(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nbob,Bob,extra,more\n")
    assert read_roster(roster)["bob"].name == "Bob"


def test_a_linked_gradescope_submission_folder_is_a_rejected_item(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "s.py").write_text("print(1)\n")
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "submission_1").symlink_to(elsewhere)
    (inp / GRADESCOPE_METADATA).write_text("submission_1: {':submitters': [{':name': x}]}\n")
    [item] = ingest(inp, tmp_path / "work").items
    assert item.path is None and "is a symbolic link" in item.rejected
