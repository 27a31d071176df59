"""Safe extraction of submitted archives (.zip, .tar.gz): no escapes, no links, bounded size."""

from __future__ import annotations

import gzip
import lzma
import os
import shutil
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from grader.errors import SubmissionError

MAX_ARCHIVE_FILES = 500
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
CHUNK = 64 * 1024
MAX_NAME_BYTES = 255  # one component, as Linux file systems allow
MAX_PATH_CHARS = 1024  # a whole member path: deeper than any source tree
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# what a corrupt member's data raises while it is read (besides BadZipFile and TarError)
UNREADABLE = (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)


def is_archive(path: Path) -> bool:
    """Whether the file's name says it is an archive the grader extracts."""
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_stem(name: str) -> str:
    """The name without its archive suffix ('alice.tar.gz' -> 'alice')."""
    lower = name.lower()
    for suffix in ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


class _Limits:
    """What an extraction may still write: files and bytes left."""

    def __init__(self, archive: Path, max_files: int, max_bytes: int) -> None:
        self.archive = archive
        self.files_left = max_files
        self.bytes_left = max_bytes
        self.max_files = max_files
        self.max_bytes = max_bytes

    def take_file(self, target: Path, name: str) -> None:
        """Count a file about to be written at target; a second member of that name is refused
        (which of the two would be graded?)."""
        if target.exists() or target.is_symlink():
            raise SubmissionError(
                f"{self.archive.name}: member {name!r} appears twice (as a file, or as a file "
                "and a folder); rejected (which one would be graded is ambiguous)"
            )
        self._take()

    def make_dirs(self, folder: Path, name: str) -> None:
        """Create folder and its missing parents, each counted like a file: a 5 MB zip of
        60,000 empty folders is refused as one of 60,000 files is."""
        missing: list[Path] = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        if not folder.is_dir():
            raise SubmissionError(
                f"{self.archive.name}: member {name!r} needs a folder where the archive has a "
                "file of that name; rejected (a name used twice)"
            )
        for path in reversed(missing):
            self._take()
            path.mkdir()

    def _take(self) -> None:
        self.files_left -= 1
        if self.files_left < 0:
            raise SubmissionError(
                f"{self.archive.name}: more than {self.max_files} files and folders; tip: "
                "submit only the source files, not build products or dependencies"
            )

    def copy(self, source: IO[bytes], target: Path) -> None:
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                self.bytes_left -= len(chunk)
                if self.bytes_left < 0:
                    raise SubmissionError(
                        f"{self.archive.name}: more than {self.max_bytes // (1024 * 1024)} MiB "
                        "once extracted; tip: submit only the source files"
                    )
                out.write(chunk)


def _target(archive: Path, dest: Path, name: str) -> Path | None:
    """Where a member goes under dest, or None for a directory entry; refuses any escape."""
    if "\\" in name:
        name = name.replace("\\", "/")  # archives made on Windows
    pure = PurePosixPath(name)
    if pure.is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise SubmissionError(
            f"{archive.name}: member {name!r} has an absolute path; rejected (an archive may "
            "only hold relative paths)"
        )
    if ".." in pure.parts:
        raise SubmissionError(
            f"{archive.name}: member {name!r} leads out of the archive ('..'); rejected "
            "(path traversal)"
        )
    parts = [p for p in pure.parts if p not in ("", ".")]
    if not parts:
        return None
    if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in name):  # tarfile's surrogateescape
        raise SubmissionError(
            f"{archive.name}: member {name!r} has a name that is not valid UTF-8; rejected "
            "(rename the file with plain letters and archive it again)"
        )
    if len(name) > MAX_PATH_CHARS or any(len(os.fsencode(p)) > MAX_NAME_BYTES for p in parts):
        raise SubmissionError(
            f"{archive.name}: member {name[:80]!r}... has a name too long for a file system "
            f"(a name of more than {MAX_NAME_BYTES} bytes, or a path of {MAX_PATH_CHARS} "
            "characters); rejected"
        )
    return dest.joinpath(*parts)


def _open_zip(archive: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except UnicodeDecodeError as e:  # a name flagged UTF-8 that is not
        raise SubmissionError(
            f"{archive.name}: a member's name is marked UTF-8 but is not; rejected (rename "
            "the file with plain letters and zip it again)"
        ) from e


def _check_zip_member(archive: Path, info: zipfile.ZipInfo) -> None:
    if stat.S_ISLNK(info.external_attr >> 16):
        raise SubmissionError(
            f"{archive.name}: member {info.filename!r} is a symbolic link; rejected "
            "(links are not accepted in a submission)"
        )
    if info.flag_bits & 0x1:
        raise SubmissionError(
            f"{archive.name}: member {info.filename!r} is encrypted; rejected (submit an "
            "archive without a password)"
        )
    if info.compress_type not in ZIP_METHODS:
        raise SubmissionError(
            f"{archive.name}: member {info.filename!r} is compressed with method "
            f"{info.compress_type}, which the grader cannot read; rejected (zip it again with "
            "the usual deflate)"
        )


def _extract_zip(archive: Path, dest: Path, limits: _Limits) -> None:
    with _open_zip(archive) as zf:
        for info in zf.infolist():
            target = _target(archive, dest, info.filename)
            _check_zip_member(archive, info)
            if target is None or info.is_dir():
                if target is not None:
                    limits.make_dirs(target, info.filename)
                continue
            limits.make_dirs(target.parent, info.filename)
            limits.take_file(target, info.filename)
            with zf.open(info) as source:
                limits.copy(source, target)


def _extract_tar(archive: Path, dest: Path, limits: _Limits) -> None:
    with tarfile.open(archive) as tf:
        for member in tf:
            target = _target(archive, dest, member.name)
            if member.issym() or member.islnk():
                raise SubmissionError(
                    f"{archive.name}: member {member.name!r} is a link to {member.linkname!r}; "
                    "rejected (links are not accepted in a submission)"
                )
            if not (member.isfile() or member.isdir()):
                raise SubmissionError(
                    f"{archive.name}: member {member.name!r} is a device, FIFO or other special "
                    "file; rejected (only files and folders are accepted)"
                )
            if target is None or member.isdir():
                if target is not None:
                    limits.make_dirs(target, member.name)
                continue
            limits.make_dirs(target.parent, member.name)
            limits.take_file(target, member.name)
            source = tf.extractfile(member)
            if source is None:  # pragma: no cover - isfile() members always have data
                continue
            with source:
                limits.copy(source, target)


def extract_archive(
    archive: Path,
    dest: Path,
    *,
    max_files: int = MAX_ARCHIVE_FILES,
    max_bytes: int = MAX_ARCHIVE_BYTES,
) -> None:
    """Extract archive into dest (created), checking every member before it is written.

    Raises SubmissionError with a one-line reason for a path that leads out, an absolute path,
    a link, a special file, too many files or too many bytes, or an unreadable archive; dest is
    then removed, so nothing half-extracted is graded. Members are written by the grader (never
    by tarfile/zipfile's own extract), so permissions and owners of the archive are ignored.
    """
    dest.mkdir(parents=True, exist_ok=True)
    limits = _Limits(archive, max_files, max_bytes)
    try:
        if archive.name.lower().endswith(".zip"):
            _extract_zip(archive, dest, limits)
        else:
            _extract_tar(archive, dest, limits)
    except (zipfile.BadZipFile, tarfile.TarError, *UNREADABLE) as e:
        shutil.rmtree(dest, ignore_errors=True)
        # tarfile lists what each decompressor said, a line each: the first line says it
        reason = str(e).split("\n", 1)[0].rstrip(":") or type(e).__name__
        raise SubmissionError(f"{archive.name}: not a readable archive ({reason})") from e
    except OSError as e:  # the reason only: the path is the grader's, not the student's
        shutil.rmtree(dest, ignore_errors=True)
        reason = e.strerror or str(e).split("\n", 1)[0] or type(e).__name__
        raise SubmissionError(f"{archive.name}: cannot be extracted ({reason})") from e
    except SubmissionError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
