"""Generated batches: tcp-echo models and mutants in every input layout, and a trimmed spec."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference" / "tcp-echo"
# The fast tests of tcp-echo, enough to tell each model and mutant apart.
FAST_TESTS = ("echo-one", "echo-many", "half-close", "concurrent-10", "restart-reuseaddr")

CRASHER = """\
import os, signal, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1])))
s.listen()
conn, _ = s.accept()
os.kill(os.getpid(), signal.SIGSEGV)
"""
SPINNER = """\
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1])))
s.listen()
conn, _ = s.accept()
while True:  # never answers (sleeps, so that it does not steal a CPU from the other workers)
    time.sleep(0.01)
"""
BROKEN_C = "int main(void) { return missing_function(; }\n"


def trimmed_echo(root: Path) -> Path:
    """A copy of tcp-echo with its fast tests and short deadlines, with its reference beside it."""
    spec = yaml.safe_load((ROOT / "assignments" / "tcp-echo" / "assignment.yaml").read_text())
    spec["tests"] = [t for t in spec["tests"] if t["name"] in FAST_TESTS]
    spec["limits"] = {"step_timeout": 2, "connect_timeout": 4, "test_timeout": 20}
    folder = root / "assignments" / "tcp-echo"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    for model in ("python", "c"):  # the mutants' expectations name tests this copy lacks
        shutil.copytree(REFERENCE / model, root / "reference" / "tcp-echo" / model)
    return folder


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("mutant.yaml", "__pycache__"))


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _tar(path: Path, members: dict[str, bytes], symlink: tuple[str, str] | None = None) -> None:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink[0])
            info.type = tarfile.SYMTYPE
            info.linkname = symlink[1]
            tf.addfile(info)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "mutant.yaml"
    }


def make_batch(folder: Path, *, copies: int = 1) -> dict[str, str]:
    """Write a batch in every layout under folder; {student id: what it is}.

    copies: how many copies of each model and mutant to add as plain folders.
    """
    folder.mkdir(parents=True)
    python = REFERENCE / "python"
    c = REFERENCE / "c"
    mutants = sorted(p for p in (REFERENCE / "mutants").iterdir() if p.is_dir())
    expected: dict[str, str] = {}
    for n in range(copies):
        _copy(python, folder / f"py-model-{n}")
        _copy(c, folder / f"c-model-{n}")
        expected |= {f"py-model-{n}": "model", f"c-model-{n}": "model"}
        for mutant in mutants:
            _copy(mutant, folder / f"{mutant.name}-{n}")
            expected[f"{mutant.name}-{n}"] = f"mutant {mutant.name}"
    # one file per student
    shutil.copy(python / "server.py", folder / "single-file.py")
    shutil.copy(c / "server.c", folder / "single-c-file.c")
    expected |= {"single-file": "model", "single-c-file": "model"}
    # archives: zip with a wrapper folder, tar.gz, a traversal, a link, a folder holding a zip
    _zip(folder / "zipped.zip", {f"project/{k}": v for k, v in _files(python).items()})
    _tar(folder / "tarred.tar.gz", _files(c))
    _zip(folder / "traversal.zip", {"server.py": b"print()\n", "../escape.py": b"owned\n"})
    _tar(folder / "linked.tar.gz", {"server.py": b"print()\n"}, symlink=("passwd", "/etc/passwd"))
    (folder / "zip-in-folder").mkdir()
    _zip(folder / "zip-in-folder" / "handin.zip", _files(python))
    expected |= {
        "zipped": "model",
        "tarred": "model",
        "traversal": "rejected",
        "linked": "rejected",
        "zip-in-folder": "model",
    }
    # students' own failures
    (folder / "empty").mkdir()
    (folder / "build-fails").mkdir()
    (folder / "build-fails" / "server.c").write_text(BROKEN_C)
    (folder / "crasher").mkdir()
    (folder / "crasher" / "server.py").write_text(CRASHER)
    (folder / "spinner").mkdir()
    (folder / "spinner" / "server.py").write_text(SPINNER)
    (folder / "no-source").mkdir()
    (folder / "no-source" / "notes.txt").write_text("I did not finish\n")
    expected |= {
        "empty": "rejected",
        "build-fails": "zero",
        "crasher": "zero",
        "spinner": "zero",
        "no-source": "rejected",
    }
    # Canvas: a resubmission (the later one, LATE, wins), a C pair of files, a zip
    (folder / "doejane_1001_5001_server.py").write_bytes(
        (REFERENCE / "mutants" / "single-recv" / "server.py").read_bytes()
    )
    (folder / "doejane_LATE_1001_5002_server.py").write_bytes((python / "server.py").read_bytes())
    (folder / "smithbob_1002_5003_server.c").write_bytes((c / "server.c").read_bytes())
    (folder / "smithbob_1002_5003_Makefile").write_bytes((c / "Makefile").read_bytes())
    _zip(folder / "leeann_1003_5004_handin.zip", _files(python))
    expected |= {"1001": "model", "1002": "model", "1003": "model"}
    # Moodle: a folder with files, a folder with an archive
    _copy(python, folder / "Jane Roe_2001_assignsubmission_file_")
    moodle_zip = folder / "Max Mu_2002_assignsubmission_file_"
    moodle_zip.mkdir()
    _tar(moodle_zip / "server.tar.gz", _files(c))
    expected |= {"2001": "model", "2002": "model"}
    # Gradescope: submission folders described by submission_metadata.yml
    _copy(python, folder / "submission_9001")
    _copy(REFERENCE / "mutants" / "iterative", folder / "submission_9002")
    (folder / "submission_metadata.yml").write_text(
        yaml.safe_dump(
            {
                "submission_9001": {
                    ":submitters": [{":name": "Ada L", ":sid": "g-ada", ":email": "ada@uni.edu"}],
                    ":created_at": "2026-11-20 10:00:00",
                },
                "submission_9002": {
                    ":submitters": [{":name": "Bo K", ":sid": "g-bo", ":email": "bo@uni.edu"}],
                },
            }
        )
    )
    expected |= {"g-ada": "model", "g-bo": "mutant iterative"}
    # an old plain copy and a newer archive of the same student: the newer wins
    _copy(REFERENCE / "mutants" / "single-recv", folder / "twice")
    _zip(folder / "twice.zip", _files(python))
    os.utime(folder / "twice", (1_000_000_000, 1_000_000_000))
    expected["twice"] = "model"
    return expected
