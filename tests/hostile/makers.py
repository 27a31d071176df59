"""Hostile inputs that cannot live in git as files: links to the host, archives, odd names.

Each maker writes one student's entry into a submissions folder (plain, Canvas or Moodle
layout) and may point links at `secret`, a file of the "host" that must never reach an output.
A case's verdict.yaml names its maker (`make:`) and its layout (`layout:`).
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ECHO = b"""import socket, sys
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
while True:
    conn, _ = server.accept()
    while data := conn.recv(4096):
        conn.sendall(data)
    conn.close()
"""
# a name that would retitle and clear a terminal, with a newline and markup in it
ODD = "\x1b]0;pwned\x07\x1b[2J\nodd <b>[red]"

Maker = Callable[[Path, str, Path], None]  # (submissions folder, case name, secret file)


def _zip(path: Path, members: list[tuple[str, bytes, int]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def _tar(path: Path, members: list[tarfile.TarInfo], data: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tf:
        for info in members:
            content = data.get(info.name)
            tf.addfile(info, io.BytesIO(content) if content is not None else None)


def _tar_file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    return info, data


def link_file_in_folder(root: Path, case: str, secret: Path) -> None:
    folder = root / case
    folder.mkdir()
    (folder / "server.py").symlink_to(secret)


def link_folder(root: Path, case: str, secret: Path) -> None:
    (root / case).symlink_to(secret.parent, target_is_directory=True)


def link_subfolder(root: Path, case: str, secret: Path) -> None:
    folder = root / case
    folder.mkdir()
    (folder / "server.py").write_bytes(ECHO)
    (folder / "lib").symlink_to(secret.parent, target_is_directory=True)


def link_single_file(root: Path, case: str, secret: Path) -> None:
    (root / f"{case}.py").symlink_to(secret)


def zip_slip(root: Path, case: str, secret: Path) -> None:
    members = [("server.py", ECHO, 0o100644), ("../../escaped.py", ECHO, 0o100644)]
    _zip(root / f"{case}.zip", members)


def zip_absolute(root: Path, case: str, secret: Path) -> None:
    members = [("server.py", ECHO, 0o100644), ("/tmp/escaped.py", ECHO, 0o100644)]
    _zip(root / f"{case}.zip", members)


def zip_link(root: Path, case: str, secret: Path) -> None:
    _zip(root / f"{case}.zip", [("server.py", str(secret).encode(), stat.S_IFLNK | 0o777)])


def zip_bomb(root: Path, case: str, secret: Path) -> None:
    """80 MiB of zeros in a member of about 80 KB: a ratio of 1000."""
    zeros = bytes(80 << 20)
    _zip(root / f"{case}.zip", [("server.py", ECHO, 0o100644), ("data.bin", zeros, 0o100644)])


def zip_many_folders(root: Path, case: str, secret: Path) -> None:
    folders = [(f"d{i}/", b"", stat.S_IFDIR | 0o755) for i in range(5000)]
    _zip(root / f"{case}.zip", [("server.py", ECHO, 0o100644), *folders])


def tar_link(root: Path, case: str, secret: Path) -> None:
    info = tarfile.TarInfo("server.py")
    info.type, info.linkname = tarfile.SYMTYPE, str(secret)
    _tar(root / f"{case}.tar.gz", [info], {})


def tar_hardlink(root: Path, case: str, secret: Path) -> None:
    info = tarfile.TarInfo("server.py")
    info.type, info.linkname = tarfile.LNKTYPE, str(secret)
    _tar(root / f"{case}.tar.gz", [info], {})


def tar_device(root: Path, case: str, secret: Path) -> None:
    server, data = _tar_file("server.py", ECHO)
    device = tarfile.TarInfo("disk")
    device.type, device.devmajor, device.devminor = tarfile.BLKTYPE, 8, 0
    _tar(root / f"{case}.tar.gz", [server, device], {"server.py": data})


def not_an_archive(root: Path, case: str, secret: Path) -> None:
    (root / f"{case}.zip").write_bytes(b"PK\x03\x04" + os.urandom(512))


def odd_names(root: Path, case: str, secret: Path) -> None:
    """A working echo server beside files whose names hold terminal escapes and markup."""
    folder = root / case
    folder.mkdir()
    (folder / "server.py").write_bytes(ECHO)
    (folder / f"{ODD}.txt").write_bytes(b"notes\n")
    (folder / "-rf").write_bytes(b"")
    (folder / "<script>alert(1)<").mkdir()
    (folder / "<script>alert(1)<" / "x.txt").write_bytes(b"x\n")


def odd_folder_name(root: Path, case: str, secret: Path) -> None:
    """A working echo server in a folder whose name holds terminal escapes and markup."""
    folder = root / f"{case}{ODD}"
    folder.mkdir()
    (folder / "server.py").write_bytes(ECHO)


def canvas_link(root: Path, case: str, secret: Path) -> None:
    (root / "mallory_1001_2001_server.py").symlink_to(secret)


def canvas_zip_slip(root: Path, case: str, secret: Path) -> None:
    zip_slip(root, "trudy_1002_2002_server", secret)


def canvas_odd_name(root: Path, case: str, secret: Path) -> None:
    (root / f"eve{ODD}_1003_2003_server.py").symlink_to(secret)


def moodle_link(root: Path, case: str, secret: Path) -> None:
    folder = root / "Mallory Moodle_3001_assignsubmission_file_"
    folder.mkdir()
    (folder / "server.py").symlink_to(secret)


def moodle_linked_folder(root: Path, case: str, secret: Path) -> None:
    (root / "Trudy Moodle_3002_assignsubmission_file_").symlink_to(
        secret.parent, target_is_directory=True
    )


def moodle_odd_name(root: Path, case: str, secret: Path) -> None:
    folder = root / f"Eve{ODD}_3003_assignsubmission_file_"
    folder.mkdir()
    (folder / "server.py").symlink_to(secret)


MAKERS: dict[str, Maker] = {
    "link-file-in-folder": link_file_in_folder,
    "link-folder": link_folder,
    "link-subfolder": link_subfolder,
    "link-single-file": link_single_file,
    "zip-slip": zip_slip,
    "zip-absolute": zip_absolute,
    "zip-link": zip_link,
    "zip-bomb": zip_bomb,
    "zip-many-folders": zip_many_folders,
    "tar-link": tar_link,
    "tar-hardlink": tar_hardlink,
    "tar-device": tar_device,
    "not-an-archive": not_an_archive,
    "odd-names": odd_names,
    "odd-folder-name": odd_folder_name,
    "canvas-link": canvas_link,
    "canvas-zip-slip": canvas_zip_slip,
    "canvas-odd-name": canvas_odd_name,
    "moodle-link": moodle_link,
    "moodle-linked-folder": moodle_linked_folder,
    "moodle-odd-name": moodle_odd_name,
}
