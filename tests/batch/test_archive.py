"""Safe extraction: what an archive may hold, and the one-line reason when it holds more."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from grader.archive import archive_stem, extract_archive
from grader.errors import SubmissionError


def _tar(path: Path, *members: tarfile.TarInfo, data: bytes = b"x") -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for info in members:
            if info.isfile():
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                tf.addfile(info)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_a_zip_with_folders_is_extracted_as_is(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("src/", b"")
        zf.writestr("src/server.py", b"print(1)\n")
        zf.writestr("./Makefile", b"all:\n")
    extract_archive(archive, tmp_path / "out")
    found = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")
    )
    assert found == ["Makefile", "src", "src/server.py"]


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (_member("../escape.py"), "leads out of the archive ('..'); rejected (path traversal)"),
        (_member("a/../../escape.py"), "leads out of the archive"),
        (_member("/etc/cron.d/x"), "has an absolute path"),
        (_member("passwd", tarfile.SYMTYPE, "/etc/passwd"), "is a link to '/etc/passwd'"),
        (_member("hard", tarfile.LNKTYPE, "../../x"), "is a link to '../../x'"),
        (_member("null", tarfile.CHRTYPE), "is a device, FIFO or other special file"),
        (_member("pipe", tarfile.FIFOTYPE), "is a device, FIFO or other special file"),
    ],
)
def test_a_dangerous_tar_member_rejects_the_archive(
    tmp_path: Path, member: tarfile.TarInfo, reason: str
) -> None:
    archive = _tar(tmp_path / "bad.tar.gz", _member("server.py"), member)
    with pytest.raises(SubmissionError) as caught:
        extract_archive(archive, tmp_path / "out")
    assert reason in str(caught.value)
    assert str(caught.value).startswith("bad.tar.gz: member ")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out").exists(), "nothing half-extracted is left to grade"
    assert not (tmp_path / "escape.py").exists()


def test_a_zip_traversal_and_a_zip_symlink_are_rejected(tmp_path: Path) -> None:
    traversal = tmp_path / "t.zip"
    with zipfile.ZipFile(traversal, "w") as zf:
        zf.writestr("../../escape.py", b"owned")
    link = tmp_path / "l.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("passwd")
        info.external_attr = 0o120777 << 16  # a symbolic link, as `zip --symlinks` stores it
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionError, match="path traversal"):
        extract_archive(traversal, tmp_path / "a")
    with pytest.raises(SubmissionError, match="is a symbolic link"):
        extract_archive(link, tmp_path / "b")


def test_limits_on_files_and_bytes(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in range(5):
            zf.writestr(f"f{n}", b"\0" * 100_000)  # compresses to almost nothing: a small bomb
    with pytest.raises(SubmissionError, match="more than 3 files"):
        extract_archive(archive, tmp_path / "a", max_files=3)
    with pytest.raises(SubmissionError, match="MiB once extracted"):
        extract_archive(archive, tmp_path / "b", max_bytes=250_000)
    extract_archive(archive, tmp_path / "c", max_files=5, max_bytes=500_000)


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_folders_count_like_files(tmp_path: Path, kind: str) -> None:
    """Empty folders, listed or implied by a deep path, count against the same limit."""
    archive = tmp_path / f"dirs.{'zip' if kind == 'zip' else 'tar'}"
    names = [f"d{n}/" for n in range(6)] + ["a/b/c/d/e/f/server.py"]
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for name in names:
                zf.writestr(name, b"" if name.endswith("/") else b"print(1)\n")
    else:
        with tarfile.open(archive, "w") as tf:
            for name in names:
                info = tarfile.TarInfo(name.rstrip("/"))
                info.type = tarfile.DIRTYPE if name.endswith("/") else tarfile.REGTYPE
                data = b"" if name.endswith("/") else b"print(1)\n"
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    with pytest.raises(SubmissionError, match="more than 5 files and folders"):
        extract_archive(archive, tmp_path / "x", max_files=5)
    assert not (tmp_path / "x").exists()
    with pytest.raises(SubmissionError, match="more than 12 files and folders"):
        extract_archive(archive, tmp_path / "y", max_files=12)  # 6 + 6 folders + 1 file
    extract_archive(archive, tmp_path / "z", max_files=13)
    assert (tmp_path / "z" / "a/b/c/d/e/f/server.py").read_bytes() == b"print(1)\n"


def test_an_unreadable_archive_is_rejected_in_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "hw.tar.gz"
    archive.write_bytes(b"not gzip at all")
    with pytest.raises(SubmissionError) as caught:
        extract_archive(archive, tmp_path / "out")
    assert str(caught.value).startswith("hw.tar.gz: not a readable archive (")


def test_archive_stem() -> None:
    assert [archive_stem(n) for n in ("a.tar.gz", "b.TGZ", "c.zip", "d.py")] == [
        "a",
        "b",
        "c",
        "d.py",
    ]
