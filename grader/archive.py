"""Safe extraction of submitted archives (.zip, .tar.gz): no escapes, no links, bounded size."""

from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from grader.errors import SubmissionError

MAX_ARCHIVE_FILES = 500
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
CHUNK = 64 * 1024


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

    def take_file(self) -> None:
        self._take()

    def make_dirs(self, folder: Path) -> None:
        """Create folder and its missing parents, each counted like a file: a 5 MB zip of
        60,000 empty folders is refused as one of 60,000 files is."""
        missing: list[Path] = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
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
    return dest.joinpath(*parts)


def _extract_zip(archive: Path, dest: Path, limits: _Limits) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = _target(archive, dest, info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise SubmissionError(
                    f"{archive.name}: member {info.filename!r} is a symbolic link; rejected "
                    "(links are not accepted in a submission)"
                )
            if target is None or info.is_dir():
                if target is not None:
                    limits.make_dirs(target)
                continue
            limits.take_file()
            limits.make_dirs(target.parent)
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
                    limits.make_dirs(target)
                continue
            limits.take_file()
            limits.make_dirs(target.parent)
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
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
        shutil.rmtree(dest, ignore_errors=True)
        raise SubmissionError(f"{archive.name}: not a readable archive ({e})") from e
    except SubmissionError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
