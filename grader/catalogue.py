"""The catalogue: the assignments that ship with the grader, found by their id."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import grader
from grader.errors import SpecError
from grader.spec import SPEC_FILE, discover_assignments

PACKAGE_FOLDER = "assignments"  # grader/assignments/ in a wheel (setup.py maps it)


def catalogue_root() -> Path | None:
    """The folder holding the built-in assignments, or None when the grader has none.

    An installed wheel carries them as package data (grader/assignments/); a checkout (an
    editable install, or PYTHONPATH pointing at it) uses the repository's assignments/ folder,
    so that an instructor's edits there are what `grader check ID` grades.
    """
    installed = resources.files(grader) / PACKAGE_FOLDER
    if isinstance(installed, Path) and installed.is_dir():
        return installed
    checkout = Path(grader.__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / PACKAGE_FOLDER).is_dir():
        return checkout / PACKAGE_FOLDER
    return None


def catalogue_ids() -> list[str]:
    """The ids of the built-in assignments, sorted."""
    root = catalogue_root()
    return [folder.name for folder in discover_assignments(root)] if root else []


def resolve_assignment(given: Path) -> Path:
    """The assignment folder (or spec file) named by what the user typed.

    An existing assignment folder, or a spec file, is used as it is (a path works as it always
    did); otherwise a plain name is looked up in the catalogue: `tcp-echo` is the built-in
    tcp-echo even when the student's own work folder is also called tcp-echo.
    """
    if (given / SPEC_FILE).is_file() or (given.is_file() and given.suffix in (".yaml", ".yml")):
        return given
    root = catalogue_root()
    name = str(given)
    if root is not None and "/" not in name and (root / name / SPEC_FILE).is_file():
        return root / name
    known = ", ".join(catalogue_ids()) or "none installed"
    raise SpecError(
        f"{given}: no assignment folder and no assignment of that id in the catalogue "
        f"({known}); tip: `grader list` shows the ids"
    )
