"""The Gradescope autograder zip: setup.sh and run_autograder at its root, the grader's wheels
and their dependencies' (so that setup.sh installs offline), and the assignment."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from grader.errors import GraderError
from grader.spec import load_assignment

# Wheels for each Python that setup.sh may find; pure wheels are shared, binary ones
# (pydantic-core, PyYAML, MarkupSafe) come once per version. 3.10 is not among them: the
# grader uses 3.11's standard library (enum.StrEnum, datetime.UTC).
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
# Gradescope's images are x86-64 Linux with glibc (Ubuntu); manylinux2014 is glibc 2.17.
PLATFORM = "manylinux2014_x86_64"
SCRIPTS = ("setup.sh", "run_autograder")
EXECUTABLE = 0o100755 << 16  # zip external attributes: a regular file, rwxr-xr-x
REGULAR = 0o100644 << 16
PIP_TIMEOUT = 600


@dataclass(frozen=True)
class GradescopeExport:
    """What export_gradescope wrote."""

    path: Path
    assignment_id: str
    wheels: tuple[str, ...]
    python_versions: tuple[str, ...]


def project_root() -> Path:
    """The grader's source checkout, from which its wheel is built."""
    root = Path(__file__).resolve().parent.parent.parent
    if not (root / "pyproject.toml").is_file():
        raise GraderError(
            f"{root}: not a socket-grader source checkout (no pyproject.toml); tip: export "
            "from a clone of the grader (pip install -e .)"
        )
    return root


def _pip(args: list[str], what: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise GraderError(f"{what}: pip took more than {PIP_TIMEOUT} s") from e
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise GraderError(f"{what} failed (pip exit {done.returncode}): " + " | ".join(tail))


def build_wheels(dest: Path, versions: tuple[str, ...] = PYTHON_VERSIONS) -> list[Path]:
    """The grader's wheel, its dependencies' and pip's, for each Python version, into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    _pip(["wheel", "--quiet", "--no-deps", "--wheel-dir", str(dest), str(project_root())],
         "building the grader's wheel")
    own = sorted(dest.glob("socket_grader-*.whl"))
    if len(own) != 1:
        raise GraderError(f"building the grader's wheel gave {[p.name for p in own]}")
    for version in versions:
        _pip(
            [
                "download", "--quiet", "--only-binary=:all:", "--implementation", "cp",
                "--python-version", version, "--platform", PLATFORM, "--dest", str(dest),
                str(own[0]), "pip",
            ],
            f"downloading the dependencies' wheels for Python {version}",
        )
    return sorted(dest.glob("*.whl"))


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = EXECUTABLE if executable else REGULAR
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def export_gradescope(
    assignment: Path,
    output: Path,
    *,
    versions: tuple[str, ...] = PYTHON_VERSIONS,
    on_log: Callable[[str], None] | None = None,
) -> GradescopeExport:
    """Write the autograder zip for one assignment to output.

    The zip holds setup.sh and run_autograder at its root, wheels/ (the grader, its
    dependencies and pip, for each Python in versions), python-versions.txt (which setup.sh
    reads) and assignment/<id>/ (the assignment's folder: spec, handout, files). The model
    solutions and mutants are not in it.
    """
    loaded = load_assignment(assignment)
    log = on_log or (lambda _line: None)
    with tempfile.TemporaryDirectory(prefix="grader-export-") as tmp:
        log(f"building wheels for Python {', '.join(versions)} (pip wheel, pip download)")
        wheels = build_wheels(Path(tmp) / "wheels", versions)
        staging = output.with_name(f".{output.name}.tmp")
        try:
            _write_zip(staging, loaded.spec.id, loaded.directory, wheels, versions)
            shutil.move(staging, output)
        finally:
            staging.unlink(missing_ok=True)
    log(f"wrote {output}: {len(wheels)} wheels, assignment {loaded.spec.id}")
    return GradescopeExport(
        path=output,
        assignment_id=loaded.spec.id,
        wheels=tuple(w.name for w in wheels),
        python_versions=versions,
    )


def _write_zip(
    path: Path, assignment_id: str, folder: Path, wheels: list[Path], versions: tuple[str, ...]
) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        scripts = resources.files("grader.export") / "scripts"
        for script in SCRIPTS:
            _add(archive, script, (scripts / script).read_bytes(), executable=True)
        _add(archive, "python-versions.txt", "".join(f"{v}\n" for v in versions).encode())
        for wheel in wheels:
            _add(archive, f"wheels/{wheel.name}", wheel.read_bytes())
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.is_symlink():
                name = f"assignment/{assignment_id}/{file.relative_to(folder).as_posix()}"
                _add(archive, name, file.read_bytes())
