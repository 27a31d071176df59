"""Property tests of the loaders: generated specs and archives never end in a traceback.

Hypothesis feeds 10,000 assignment specs (built from the step models and then mutated, raw
YAML text, alias bombs, deep nesting, binary) to ``load_assignment`` and 1,000 archives (zip,
tar, tar.gz with links, devices, ``..``, absolute paths, duplicates, bad CRCs, truncation,
names that are not UTF-8, nested archives, many folders) to ``extract_archive``, ``ingest``
(Canvas, Moodle, Gradescope and plain layouts) and ``load_submission``. What is accepted
loads; what is rejected raises the grader's own error with a message of visible, bounded
lines that say what was wrong. The runs are derandomized: CI sees the same examples every time.
"""

from __future__ import annotations

import copy
import io
import os
import stat
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from grader.archive import extract_archive
from grader.cli import app
from grader.errors import MAX_LINE, SpecError, SubmissionError
from grader.ingest import GRADESCOPE_METADATA, ingest
from grader.spec import SPEC_FILE, Assignment, load_assignment
from grader.submission import load_submission

SLOW_EXAMPLE = 5.0  # seconds: an input that takes longer to load is a denial of service
NOTE = len("… (123456789 more characters)")


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="props-") as d:
        yield Path(d)


def assert_clean_line(line: str, start: str) -> None:
    """A rejection line: it names the input, says what is wrong, shows every character."""
    assert line.startswith(start), (start, line)
    assert line[len(start) :].strip(" :"), f"says nothing after the name: {line!r}"
    assert line.isprintable(), f"hidden or control characters: {line!r}"
    assert len(line) <= MAX_LINE + NOTE, f"{len(line)} characters: {line[:200]!r}"
    assert "Traceback" not in line and 'File "' not in line, line


# --- specs ---------------------------------------------------------------------------------

SERVER_STEPS: list[dict[str, Any]] = [
    {"send": "hi\n", "chunks": 1, "gap": 0},
    {"send": [{"hex": "00ff"}, {"random": {"size": 10, "seed": 3}}, {"repeat": "ab", "times": 3}]},
    {"expect": "hi\n", "read_size": 1},
    {"expect_line": "hello {client}"},
    {"expect_regex": "^HTTP/1\\.[01] 200", "flags": ["IGNORECASE"]},
    {"expect_bytes": 5},
    {"expect_sha256": {"size": 3, "sha256": "a" * 64}},
    {"expect_all": "bye"},
    {"expect_eof": "main"},
    {"expect_silence": 0.5},
    {"half_close": "main"},
    {"close": "main"},
    {"reset": "main"},
    {"http_get": "/index.html", "status": 404, "body_contains": "Not"},
    {"http_response": 200, "body": "ok", "closes": False},
    {"sleep": 0.1},
    {"restart": None},
    {"stop": None},
    {"expect_running": None},
    {"expect_exit": "nonzero", "timeout": 2},
    {"stdin": "x", "eof": True},
    {"expect_output": "ready", "match": "contains", "stream": "stderr"},
    {"expect_durations": "rtt (?P<value>\\d+) ms", "expected": [{"max": 1}, "missing"]},
    {"parallel": [{"connect": "c"}, {"barrier": None}, {"send": "x", "conn": "c"}], "clients": 3},
    {"repeat": [{"send": "{iteration}"}, {"expect": "{iteration}"}], "times": 4},
]
CLIENT_STEPS: list[dict[str, Any]] = [
    {"smtp_server": ["greeting", "hello", "quit"], "reply_delay": 0.1, "slow": ["QUIT"]},
    {"send": "220 ok\r\n"},
    {"expect_line": "HELO x"},
    {"expect_eof": "main"},
    {"expect_exit": 0},
    {"expect_output": "^OK$", "match": "regex"},
]
UDP_STEPS: list[dict[str, Any]] = [
    {"sendto": "ping", "conn": "u"},
    {"expect_datagram": None, "regex": "PONG \\d+", "conn": "u"},
    {"expect_no_datagram": 0.3, "conn": "u"},
    {"count_datagrams": 0.5, "min": 1, "max": 3, "conn": "u"},
    {"echo": "u", "transform": "upper"},
]


TEXTS = st.sampled_from(["", "Echo", "é ü ✓", "a" * 80, "tab\tand\nline"])


@st.composite
def valid_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A spec that must load: every field drawn from what the models accept."""
    role = draw(st.sampled_from(["server", "client"]))
    transport = "tcp" if role == "client" else draw(st.sampled_from(["tcp", "udp"]))
    tests = []
    for n in range(draw(st.integers(1, 3))):
        if role == "client":
            opening = [{"listen": "l"}, {"start": None}, {"accept": "main", "listener": "l"}]
            pool = CLIENT_STEPS
        elif transport == "udp":
            opening, pool = [{"udp_bind": "u"}], UDP_STEPS
        else:
            opening, pool = [{"connect": "main", "timeout": 3}], SERVER_STEPS
        steps = copy.deepcopy(draw(st.lists(st.sampled_from(pool), max_size=4)))
        test: dict[str, Any] = {
            "name": f"t-{n}",
            "points": draw(st.sampled_from([1, 2.5, 10])),
            "description": draw(TEXTS),
            "scenario": opening + steps,
        }
        if draw(st.booleans()):
            test["hint"] = "look at the recv loop"
            test["extra_credit"] = True
        tests.append(test)
    spec: dict[str, Any] = {
        "id": draw(st.sampled_from(["tiny", "tcp-echo", "a", "x-1", "0"])),
        "title": draw(TEXTS),
        "summary": "a program",
        "role": role,
        "transport": transport,
        "port": draw(st.none() | st.integers(1, 65535)),
        "languages": {"python": {"entry": "s.py", "run": "python3 s.py {port}"}},
        "limits": {"step_timeout": 2, "output_cap": 1024},
        "hints": ["read the handout"],
        "tests": tests,
    }
    return spec


DEEP = 200


def _deep(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, 10**100, -(10**100)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.text(st.sampled_from("\x00\x07\x1b\r\n\t\u202e\u200b\x7f\x85\u2028 aZ"), max_size=20),
    st.sampled_from(["(", "[a-", "(?P<x", "*", "\\", "(?P<value>", "a{99999999999}", "(\n", "."]),
    st.sampled_from(["a" * 5000, "../../etc", "/etc", "x" * 300, "{port}" * 100, "ÿ" * 50]),
    st.binary(max_size=30),
    st.integers(1, DEEP).map(lambda d: _deep("x", d)),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
    st.lists(st.integers(), max_size=3),
)


def _containers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in node to a mapping or list (where a mutation may land)."""
    if isinstance(node, dict | list):
        yield path
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            yield from _containers(child, (*path, key))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def mutated_specs(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A valid spec with some mutations: a field set to a hostile value, removed or added."""
    spec = draw(valid_specs())
    count = draw(st.integers(1, 3))
    for _ in range(count):
        target = _at(spec, draw(st.sampled_from(list(_containers(spec)))))
        op = draw(st.sampled_from(["set", "delete", "add"]))
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
        elif isinstance(target, list) and target:
            key = draw(st.integers(0, len(target) - 1))
        else:
            op = "add"
            key = None
        if op == "set":
            target[key] = draw(hostile_values)
        elif op == "delete":
            del target[key]
        elif isinstance(target, dict):
            target[draw(st.text(max_size=10) | st.integers())] = draw(hostile_values)
        else:
            target.append(draw(hostile_values))
    return spec, count


def _yaml(data: Any) -> bytes:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False)
    return text.encode("utf-8", "surrogatepass")


def _bomb(depth: int, width: int, where: str) -> str:
    """A billion-laughs spec: each level repeats the one below width times, by aliases."""
    lines = ["id: tiny", "title: t", "summary: s", "role: server", "transport: tcp"]
    lines.append('languages: {python: {entry: s.py, run: "python3 s.py {port}"}}')
    levels = ["&l0 {sleep: 0}"]
    for i in range(1, depth + 1):
        levels.append(f"&l{i} {{repeat: [{', '.join([f'*l{i - 1}'] * width)}], times: 1}}")
    if where == "scenario":
        lines += [
            "tests:",
            "  - {name: a, points: 1, description: d, scenario: [",
            "    {connect: main},",
        ]
        lines += [f"    {level}," for level in levels]
        lines.append("  ]}")
    else:
        lines += ["hints: ["] + [f"  {level}," for level in levels] + ["]"]
        lines += ["tests: [{name: a, points: 1, description: d, scenario: [{connect: main}]}]"]
    return "\n".join(lines) + "\n"


@st.composite
def raw_spec_texts(draw: st.DrawFn) -> bytes:
    """YAML text (or not): edited dumps of valid specs, bombs, deep nesting, odd roots, tags."""
    kind = draw(
        st.sampled_from(
            ["edit", "edit", "bomb", "deep", "root", "tag", "binary", "text", "recursive"]
        )
    )
    if kind == "edit":
        data = bytearray(_yaml(draw(valid_specs())))
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(data)))
            edit = draw(st.sampled_from(["cut", "insert", "delete"]))
            if edit == "cut":
                del data[at:]
            elif edit == "insert":
                data[at:at] = draw(
                    st.sampled_from(
                        [
                            b"\t",
                            b"\x00",
                            b"\xff",
                            b": ",
                            b"&a ",
                            b"*a",
                            b"[",
                            b"{",
                            b"!!binary ",
                            b"\n  - ",
                            b"'",
                            b'"\\x',
                            b"\xef\xbb\xbf",
                        ]
                    )
                )
            else:
                del data[at : at + draw(st.integers(1, 20))]
        return bytes(data)
    if kind == "bomb":
        return _bomb(
            draw(st.integers(1, 7)),
            draw(st.integers(2, 10)),
            draw(st.sampled_from(["scenario", "hints"])),
        ).encode()
    if kind == "deep":
        n = draw(st.integers(10, 5000))
        return draw(
            st.sampled_from(
                [b"[" * n + b"]" * n, b"{a: " * n + b"1" + b"}" * n, b"- " * min(n, 500) + b"x"]
            )
        )
    if kind == "root":
        return draw(
            st.sampled_from(
                [
                    b"",
                    b"~",
                    b"- a\n- b\n",
                    b"42",
                    b"'text'",
                    b"--- 1\n--- 2\n",
                    b"id: a\n---\nid: b\n",
                    b"...\n",
                    b"#just a comment\n",
                ]
            )
        )
    if kind == "tag":
        return draw(
            st.sampled_from(
                [
                    b"!!python/object/apply:os.system [true]\n",
                    b"id: !!binary aGVsbG8=\n",
                    b"!!set {a, b}\n",
                    b"!!omap [{a: 1}]\n",
                    b"id: !custom x\n",
                    b"id: !!timestamp 2001-12-14\n",
                    b"tests: !!str [1]\n",
                    b"? [a]\n: b\n",
                ]
            )
        )
    if kind == "recursive":
        return draw(
            st.sampled_from(
                [
                    b"&a [*a]\n",
                    b"&a {id: *a}\n",
                    b"id: tiny\ntests: &t [*t]\n",
                    b"id: tiny\nhints: &h [*h, *h]\n",
                    b"*undefined\n",
                ]
            )
        )
    if kind == "binary":
        return draw(st.binary(max_size=200))
    text: str = draw(st.text(max_size=200))
    return draw(
        st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"]).map(
            lambda enc: text.encode(enc, "replace")
        )
    )


def _load(folder: Path) -> tuple[Any, SpecError | None]:
    """load_assignment's result or its SpecError; any other exception fails the test."""
    started = time.monotonic()
    try:
        loaded, error = load_assignment(folder), None
    except SpecError as e:
        loaded, error = None, e
    took = time.monotonic() - started
    assert took < SLOW_EXAMPLE, f"loading took {took:.1f} s"
    return loaded, error


def assert_clean_spec_error(error: SpecError, folder: Path) -> None:
    lines = str(error).split("\n")
    assert 1 <= len(lines) <= 21, f"{len(lines)} lines"  # 20 problems and a count of the rest
    for line in lines:
        assert_clean_line(line, str(folder))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the spec tests: each example overwrites the spec of its id's folder."""
    return tmp_path_factory.mktemp("props")


def _spec_folder(root: Path, spec_id: object) -> Path:
    ok = isinstance(spec_id, str) and spec_id.replace("-", "").isalnum() and len(spec_id) < 64
    folder = root / (spec_id if ok else "x")  # type: ignore[operator]
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.slow
@given(valid_specs())
@_settings(2000)
def test_generated_valid_specs_load_and_round_trip(scratch: Path, spec: dict[str, Any]) -> None:
    folder = _spec_folder(scratch, spec["id"])
    (folder / SPEC_FILE).write_bytes(_yaml(spec))
    loaded, error = _load(folder)
    assert error is None, str(error)
    dumped = loaded.spec.model_dump(mode="json")
    assert Assignment.model_validate(dumped) == loaded.spec  # what loads dumps and loads again
    for test in loaded.spec.tests:  # what a backend hands to the driver
        assert [step.model_dump(mode="json") for step in test.scenario]


@pytest.mark.slow
@given(mutated_specs())
@_settings(5000)
def test_mutated_specs_load_or_say_what_is_wrong(
    scratch: Path, case: tuple[dict[str, Any], int]
) -> None:
    spec, _ = case
    folder = _spec_folder(scratch, spec.get("id"))
    (folder / SPEC_FILE).write_bytes(_yaml(spec))
    loaded, error = _load(folder)
    if error is not None:
        assert_clean_spec_error(error, folder)
    else:
        assert loaded.spec.id == folder.name


@pytest.mark.slow
@given(raw_spec_texts())
@_settings(3000)
def test_raw_yaml_texts_load_or_say_what_is_wrong(scratch: Path, text: bytes) -> None:
    folder = _spec_folder(scratch, "tiny")
    (folder / SPEC_FILE).write_bytes(text)
    loaded, error = _load(folder)
    if error is not None:
        assert_clean_spec_error(error, folder)
    else:
        assert loaded.spec.id == "tiny"


# --- archives ------------------------------------------------------------------------------

SECRET = b"HOST-SECRET-a5f1"  # the content of a file outside every submission: never copied

member_names = st.one_of(
    st.from_regex(r"(src/){0,2}[a-z]{1,8}\.(py|c|txt)", fullmatch=True),
    st.sampled_from(
        [
            "../evil.py",
            "a/../../evil.py",
            "/etc/evil.py",
            "C:/evil.py",
            "C:evil.py",
            "..\\evil.py",
            "./s.py",
            "",
            ".",
            "./",
            "a//b.py",
            "dir/",
            "a\x00b.py",
            "a\nb.py",
            "\x1b]0;t\x07.py",
            "\u202eyp.txt",
            "sp ace.py",
            "é.py",
            "a" * 300 + ".py",
            "d/" * 40 + "deep.py",
            "caf\udce9.py",  # a Latin-1 name: not UTF-8
            "__MACOSX/._s.py",
            ".git/config",
            "s.py",
            "s.py/",
            "s.py/inner.py",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
)
MEMBER_KINDS = ["file", "file", "file", "dir", "symlink", "hardlink", "chr", "fifo", "nested"]


@st.composite
def members(draw: st.DrawFn) -> list[tuple[str, str, bytes]]:
    """(name, kind, data) of an archive's members, duplicates and many folders included."""
    found = draw(
        st.lists(
            st.tuples(member_names, st.sampled_from(MEMBER_KINDS), st.binary(max_size=64)),
            max_size=6,
        )
    )
    if found and draw(st.booleans()):
        found.append(draw(st.sampled_from(found)))  # a duplicate name
    if draw(st.integers(0, 9)) == 0:
        width = draw(st.sampled_from([10, 300, 600]))
        found += [(f"f{i}/", "dir", b"") for i in range(width)]
    return found


def _zip(entries: list[tuple[str, str, bytes]], nested: Callable[[], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, kind, content in entries:
            # zipfile writes names as UTF-8 (tar keeps the bytes of one that is not)
            info = zipfile.ZipInfo(
                (name or "x").encode(errors="surrogateescape").decode(errors="replace")
            )
            data = content
            if kind == "symlink":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                data = b"/etc/passwd"
            elif kind == "dir" and not info.filename.endswith("/"):
                info.filename += "/"
            elif kind in ("chr", "fifo"):
                info.external_attr = (
                    (stat.S_IFCHR if kind == "chr" else stat.S_IFIFO) | 0o644
                ) << 16
            elif kind == "nested":
                data = nested()
            zf.writestr(info, b"" if kind == "dir" else data)
    return out.getvalue()


def _tar(entries: list[tuple[str, str, bytes]], mode: str, nested: Callable[[], bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, format=tarfile.GNU_FORMAT) as tf:  # type: ignore[call-overload]
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            info.type = {
                "dir": tarfile.DIRTYPE,
                "symlink": tarfile.SYMTYPE,
                "hardlink": tarfile.LNKTYPE,
                "chr": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }.get(kind, tarfile.REGTYPE)
            if kind in ("symlink", "hardlink"):
                info.linkname = "/etc/passwd"
            payload = nested() if kind == "nested" else data
            if info.type == tarfile.REGTYPE:
                info.size = len(payload)
                tf.addfile(info, io.BytesIO(payload))
            else:
                tf.addfile(info)
    return out.getvalue()


def _corrupt(data: bytes, how: str, at: int, byte: int) -> bytes:
    if not data or how == "none":
        return data
    at %= len(data)
    if how == "truncate":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([data[at] ^ (byte or 1)]) + data[at + 1 :]
    if how == "declared-size":  # four bytes of a header set to 2 GiB: sizes, offsets, counts
        return data[:at] + b"\xff\xff\xff\x7f" + data[at + 4 :]
    return data[:at] + b"\x00" * 512 + data[at:]


@st.composite
def archives(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes) of a zip, tar, tar.gz or .tgz, maybe corrupted."""
    suffix = draw(st.sampled_from([".zip", ".zip", ".tar", ".tar.gz", ".tgz"]))
    entries = draw(members())
    inner = draw(st.sampled_from(["a.py", "../x.py"]))

    def nested() -> bytes:
        return _zip([(inner, "file", b"print(1)\n")], lambda: b"")

    if suffix == ".zip":
        data = _zip(entries, nested)
    else:
        mode = {".tar": "w", ".tar.gz": "w:gz", ".tgz": "w:gz"}[suffix]
        data = _tar(entries, mode, nested)
    how = draw(st.sampled_from(["none"] * 5 + ["truncate", "flip", "declared-size", "pad"]))
    data = _corrupt(data, how, draw(st.integers(0, 1 << 20)), draw(st.integers(0, 255)))
    if draw(st.integers(0, 19)) == 0:
        data = draw(st.binary(max_size=300))  # not an archive at all
    return f"alice{suffix}", data


def _no_secret_under(folder: Path) -> None:
    for path in folder.rglob("*"):
        assert not path.is_symlink(), f"{path}: a link was written"
        if path.is_file():
            assert SECRET not in path.read_bytes(), f"{path}: holds a file of the host"


def _check_submission(path: Path) -> None:
    """load_submission loads what extraction or ingest accepted, or rejects it in one line."""
    try:
        sub = load_submission(path)
    except SubmissionError as e:
        assert_clean_line(str(e), "")
        return
    sub.model_dump_json()  # stored in results: every name must be serialisable
    with _scratch() as copy:
        sub.copy_to(copy)
        assert sorted(
            p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()
        ) == sorted(sub.files)


@pytest.mark.slow
@given(archives())
@_settings(700)
def test_generated_archives_extract_or_are_rejected_in_one_line(case: tuple[str, bytes]) -> None:
    name, data = case
    with _scratch() as root:
        archive = root / name
        archive.write_bytes(data)
        dest = root / "out"
        started = time.monotonic()
        try:
            extract_archive(archive, dest)
        except SubmissionError as e:
            assert_clean_line(str(e), f"{name}: ")
            assert not dest.exists(), "a rejected archive left files behind"
            return
        finally:
            assert time.monotonic() - started < SLOW_EXAMPLE
        for path in dest.rglob("*"):
            assert path.resolve().is_relative_to(dest.resolve()), path
            mode = path.lstat().st_mode
            assert stat.S_ISREG(mode) or stat.S_ISDIR(mode), f"{path}: {stat.filemode(mode)}"
        assert sum(1 for _ in dest.rglob("*")) <= 500
        _no_secret_under(dest)
        if any(p.is_file() for p in dest.rglob("*")):
            _check_submission(dest)


# --- ingest: LMS layouts -------------------------------------------------------------------

lms_names = st.one_of(
    st.builds(
        lambda n, u, s, rest, late: f"{n}{'_LATE' if late else ''}_{u}_{s}_{rest}",
        st.sampled_from(["alice", "bob smith", "ç", ""]),
        st.sampled_from(["123", "0", "9" * 30]),
        st.sampled_from(["456", "1"]),
        st.sampled_from(["s.py", "s.zip", "..", ".", ".zip", "a.tar.gz", "x" * 200]),
        st.booleans(),
    ),
    st.builds(
        lambda n, rest: f"{n}_12345_assignsubmission_file_{rest}",
        st.sampled_from(["Alice Smith", "_", "é"]),
        st.sampled_from(["", "s.py", ".."]),
    ),
    st.sampled_from(["carol", "carol.py", "dave.zip", "erin.tar.gz", "submission_1", "x" * 250]),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=10,
    ).filter(lambda s: s not in (".", "..")),
)
ENTRY_KINDS = [
    "file",
    "folder",
    "archive",
    "link-secret",
    "link-dangling",
    "link-loop",
    "fifo",
    "folder-with-link",
    "folder-with-archive",
    "empty-folder",
    "not-utf8",
]

metadata_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["0001-01-01 00:00:00", "2024-02-30", ":sid", ":name"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([":submitters", ":sid", ":name", ":email", ":created_at", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


@st.composite
def gradescope_metadata(draw: st.DrawFn) -> bytes:
    folders = draw(
        st.lists(
            st.sampled_from(
                ["submission_1", "submission_2", "/etc", "..", "../outside", "missing", "sub\x00x"]
            ),
            max_size=3,
        )
    )
    data: dict[Any, Any] = {}
    for folder in folders:
        if draw(st.booleans()):
            data[folder] = {
                ":submitters": [
                    {
                        ":name": draw(metadata_values),
                        ":sid": draw(metadata_values),
                        ":email": "a@b.c",
                    }
                ],
                ":created_at": draw(metadata_values),
            }
        else:
            data[folder] = draw(metadata_values)
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from([b"a: [\n", b"\xff\xfe", b"- 1\n", b"&a [*a]\n"]))
    return _yaml(data if draw(st.integers(0, 9)) else draw(metadata_values))


@st.composite
def lms_inputs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "entries": draw(
            st.lists(
                st.tuples(lms_names, st.sampled_from(ENTRY_KINDS)),
                max_size=5,
                unique_by=lambda e: e[0],
            )
        ),
        "archive": draw(archives()),
        "metadata": draw(st.none() | gradescope_metadata()),
        "roster": draw(
            st.none()
            | st.sampled_from(
                [
                    b"id,name,email\ncarol,Carol,c@x\n123,Alice,\n",
                    b"id,name\nbob,Bob,extra,more\n",
                    b"name\nnobody\n",
                    b"\xff\xfe\x00",
                    b"",
                    b'id\n\x00\n"unclosed\n',
                ]
            )
        ),
    }


def _make(inp: Path, secret: Path, name: str, kind: str, archive: tuple[str, bytes]) -> None:
    path = inp / name
    if kind == "file":
        path.write_text("print('hi')\n")
    elif kind == "archive":
        path.write_bytes(archive[1])
    elif kind == "link-secret":
        path.symlink_to(secret)
    elif kind == "link-dangling":
        path.symlink_to(inp / "nowhere")
    elif kind == "link-loop":
        path.symlink_to(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "not-utf8":
        (inp / os.fsdecode(name.encode() + b"\xff")).write_text("x")
    else:
        path.mkdir()
        if kind == "folder":
            (path / "s.py").write_text("print('hi')\n")
        elif kind == "folder-with-link":
            (path / "s.py").symlink_to(secret)
        elif kind == "folder-with-archive":
            (path / archive[0]).write_bytes(archive[1])


@pytest.mark.slow
@given(lms_inputs())
@_settings(300)
def test_generated_lms_exports_are_ingested_or_rejected_in_one_line(case: dict[str, Any]) -> None:
    with _scratch() as root:
        inp, work = root / "in", root / "work"
        inp.mkdir()
        secret = root / "secret.py"
        secret.write_bytes(SECRET)
        for name, kind in case["entries"]:
            try:
                _make(inp, secret, name, kind, case["archive"])
            except OSError:  # a name this file system refuses: no student could submit it
                continue
        if case["metadata"] is not None:
            (inp / GRADESCOPE_METADATA).write_bytes(case["metadata"])
            for n in (1, 2):
                if not (inp / f"submission_{n}").exists():  # unless an entry took the name
                    (inp / f"submission_{n}").mkdir()
                    (inp / f"submission_{n}" / "s.py").write_text("print(1)\n")
        roster = None
        if case["roster"] is not None:
            roster = root / "roster.csv"
            roster.write_bytes(case["roster"])
        try:
            found = ingest(inp, work, roster=roster)
        except SubmissionError as e:
            assert_clean_line(str(e), "")
            return
        assert all("\n" not in line for line in found.log), found.log
        for item in found.items:
            if item.path is None:
                assert_clean_line(item.rejected, "")
                assert not (work / item.student.id).exists(), "a rejection left a folder"
                continue
            inside = [item.path.resolve().is_relative_to(p.resolve()) for p in (inp, work)]
            assert any(inside), f"{item.path}: outside the input and the work folder"
            _check_submission(item.path)
        if work.exists():
            _no_secret_under(work)


# --- the command line ----------------------------------------------------------------------

CLI_SPECS = [
    _bomb(7, 10, "scenario").encode(),
    b"[" * 3000 + b"]" * 3000,
    b'id: tiny\ntitle: "\\e]0;owned\\a\\e[2J"\nrole: [\n',
    b"\xff\xfe\x00binary",
    b'id: tiny\ntests: [{name: a, scenario: [{expect_regex: "(\\n\\e[2J"}]}]\n',
]


@pytest.mark.parametrize("text", CLI_SPECS, ids=["bomb", "deep", "escapes", "binary", "regex"])
def test_check_on_a_hostile_spec_prints_error_lines_and_exits_2(
    tmp_path: Path, text: bytes
) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / SPEC_FILE).write_bytes(text)
    (tmp_path / "s.py").write_text("print(1)\n")
    check = ["check", str(folder), str(tmp_path / "s.py"), "-b", "local"]
    result = CliRunner().invoke(app, check)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output
    # validate goes on past a broken assignment: its problems on one line, then exit 2
    result = CliRunner().invoke(app, ["validate", str(folder), "-b", "local"])
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    invalid = [line for line in result.output.splitlines() if "INVALID:" in line]
    assert len(invalid) == 1, result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output


def test_grade_rejects_hostile_archives_each_in_one_line(tmp_path: Path, root: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    cases = {
        "slip.zip": _zip([("../../evil.py", "file", b"x")], lambda: b""),
        "link.tar": _tar([("s.py", "symlink", b"")], "w", lambda: b""),
        "crc.zip": _corrupt(_zip([("s.py", "file", b"print(1)" * 9)], lambda: b""), "flip", 40, 1),
        "bad\x1bname.tar.gz": b"\x1f\x8b not gzip",
    }
    for name, data in cases.items():
        (subs / name).write_bytes(data)
    result = CliRunner().invoke(
        app,
        [
            "grade",
            str(root / "assignments" / "tcp-echo"),
            str(subs),
            "--out",
            str(tmp_path / "out"),
            "-b",
            "local",
            "--trust-local",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "\x1b" not in result.output
    rejected = [line for line in result.output.splitlines() if "rejected" in line]
    assert len(rejected) >= len(cases), result.output
