"""Reading what students submitted: never through a symbolic link.

One rule wherever a path from a submission is read: a link is refused, never followed, so a
submitted ``server.py -> /etc/passwd`` cannot bring a file of the grading machine into a
report. The final component is opened with ``O_NOFOLLOW``; the folders above it were walked
with ``lstat`` (see ``grader.submission``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from grader.errors import SubmissionError

LINK_REFUSED = "is a symbolic link; links are not accepted in a submission"


def refuse_link(path: Path, shown: object | None = None) -> None:
    """Raise SubmissionError when path itself is a symbolic link."""
    if path.is_symlink():
        raise SubmissionError(f"{shown if shown is not None else path}: {LINK_REFUSED}")


def read_file(path: Path) -> tuple[bytes, int]:
    """A regular file's bytes and permission bits, refusing a link or anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise SubmissionError(f"{path}: {LINK_REFUSED}") from e
        raise SubmissionError(f"{path}: cannot be read ({e.strerror})") from e
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # before fdopen, which refuses a folder with its own error
        os.close(fd)
        raise SubmissionError(f"{path}: not a regular file; only files are accepted")
    with os.fdopen(fd, "rb") as f:
        return f.read(), stat.S_IMODE(info.st_mode)


def read_text(path: Path) -> str:
    """A submitted text file (never through a link), undecodable bytes replaced."""
    return read_file(path)[0].decode(errors="replace")


def copy_file(source: Path, target: Path) -> None:
    """Copy a submitted file (never through a link), keeping its permission bits."""
    data, mode = read_file(source)
    target.write_bytes(data)
    target.chmod(mode | stat.S_IRUSR | stat.S_IWUSR)
