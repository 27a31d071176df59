"""The course file (course.yaml beside the spec): the term's settings, such as the late policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import SpecError
from grader.late import LatePolicy, parse_penalty

COURSE_FILE = "course.yaml"


class Course(BaseModel):
    """course.yaml: what holds for every batch of an assignment (or, one folder up, of all)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    late: LatePolicy | None = Field(default=None, description="The late policy, if there is one.")
    canvas_column: str | None = Field(
        default=None,
        description="The assignment's column in the Canvas gradebook, 'Name (id)' as Canvas's "
        "own export titles it; default: the assignment's title (Canvas matches it by name).",
    )


def course_settings(assignment: Path, course: Path | None) -> Course:
    """The course file given, else the one found beside the spec, else the defaults."""
    path = course or find_course(assignment)
    return load_course(path) if path else Course()


def find_course(assignment: Path) -> Path | None:
    """course.yaml in the assignment's folder, else in the folder that holds the assignments."""
    for folder in (assignment, assignment.parent):
        if (folder / COURSE_FILE).is_file():
            return folder / COURSE_FILE
    return None


def _problems(where: str, error: ValidationError) -> SpecError:
    lines = [
        f"{where}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
        for e in error.errors()
    ]
    return SpecError("\n".join(lines))


def load_course(path: Path) -> Course:
    """The course file, validated; a bad one raises SpecError, one line per problem."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise SpecError(f"{path}: cannot read the course file ({first})") from e
    try:
        return Course.model_validate(raw)
    except ValidationError as e:
        raise _problems(str(path), e) from e


def late_policy(
    assignment: Path, course: Path | None, overrides: dict[str, object]
) -> LatePolicy | None:
    """The late policy: the course file's (given, or found beside the spec), with the options
    given on the command line in its place; None when neither sets a due date."""
    path = course or find_course(assignment)
    base = load_course(path).late if path else None
    given = {k: v for k, v in overrides.items() if v is not None}
    if base is None and not given:
        return None
    fields = {**(base.model_dump(exclude_unset=True) if base else {}), **given}
    try:
        return LatePolicy.model_validate(fields)
    except ValidationError as e:
        raise _problems("late policy" + (f" ({path} and options)" if path else ""), e) from e


def late_options(
    *,
    due: str | None = None,
    grace: str | None = None,
    penalty: str | None = None,
    floor: float | None = None,
    cutoff: str | None = None,
) -> dict[str, object]:
    """The late-policy fields the command line gives ('10%/day' split into penalty and per)."""
    fields: dict[str, object] = {"due": due, "grace": grace, "floor": floor, "cutoff": cutoff}
    if penalty is not None:
        try:
            fields["penalty"], fields["per"] = parse_penalty(penalty)
        except ValueError as e:
            raise SpecError(f"--penalty: {e}") from e
    return fields
