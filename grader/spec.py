"""Assignment specs: the validated description of what a student program must do."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)

from grader.errors import SpecError
from grader.impairment import Impairment
from grader.results import Visibility
from grader.scenario import Step, scenario_has, undefined_connections

SPEC_FILE = "assignment.yaml"
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Language(_Model):
    """How to build and run a submission written in one language."""

    entry: str = Field(
        description="Python: the file to run (e.g. server.py). C: the executable the build makes "
        "(e.g. server)."
    )
    build: Literal["none", "auto"] | str = Field(
        default="auto",
        description="'auto': Python needs none; C runs `make` when there is a Makefile, else "
        "`gcc -Wall -Wextra -O2 -pthread -o <entry> *.c`. 'none', or a shell command of your own.",
    )
    run: str = Field(
        description="Command line run in the submission folder; {port} and {host} are replaced "
        "by the port and the host the program must use (e.g. 'python3 server.py {port}')."
    )


class Limits(_Model):
    """Deadlines and resource limits for each test."""

    step_timeout: PositiveFloat = Field(
        default=5, description="Seconds a step may wait by default."
    )
    connect_timeout: PositiveFloat = Field(
        default=10, description="Seconds a connect retries while the program starts listening."
    )
    test_timeout: PositiveFloat = Field(default=60, description="Seconds a whole test may take.")
    build_timeout: PositiveFloat = Field(default=120, description="Seconds the build may take.")
    output_cap: PositiveInt = Field(
        default=65536, description="Bytes of the program's stdout and of its stderr kept per test."
    )
    memory_mb: PositiveInt = Field(default=256, description="Memory limit (docker backend).")
    pids: PositiveInt = Field(default=128, description="Process/thread limit (docker backend).")
    cpus: PositiveFloat = Field(default=1.0, description="CPU quota in cores (docker backend).")
    tmpfs_mb: PositiveInt = Field(default=64, description="Size of the writable work dir (docker).")


class TestSpec(_Model):
    """One graded test: a scenario, its points and what students are told."""

    __test__ = False  # not a pytest class

    name: Slug = Field(description="Short unique name, used on the command line (--test NAME).")
    points: PositiveFloat = Field(description="Points the test is worth.")
    description: str = Field(description="What the test checks, shown to students.")
    visibility: Visibility = Field(
        default="visible",
        description="visible: details shown; hidden: name and points only; after_due_date: "
        "details once the due date has passed.",
    )
    hint: str | None = Field(default=None, description="Advice shown when the test fails.")
    extra_credit: bool = Field(
        default=False,
        description="Bonus points above the maximum (e.g. the textbook's optional exercise): "
        "not counted in the maximum score, earned on top of it.",
    )
    port_discovery: bool | None = Field(
        default=None,
        description="Server assignments: false makes this test talk to the program only on the "
        "port it was given (a test of taking the port from the command line); null follows the "
        "assignment's port_discovery.",
    )
    redirect: bool | None = Field(
        default=None,
        description="Client assignments (docker backend): every address and name the client "
        "dials reaches the grader's server (a hard-coded localhost:12000 or smtp.gmail.com), "
        "with a note; false makes this test's server answer only at the host and port given "
        "on the command line (a test of taking them from it; the port given is then not the "
        "spec's `port`); null: redirected.",
    )
    scenario: list[Step] = Field(min_length=1, description="The steps, run in order.")
    impair: Impairment | None = Field(
        default=None,
        description="Put the impairment relay between the grader and the program for this test "
        "(seeded loss, delay, duplication, reordering; TCP re-segmentation and resets).",
    )

    @model_validator(mode="after")
    def _check_connections(self) -> TestSpec:
        problems = undefined_connections(self.scenario)
        if problems:
            raise ValueError("; ".join(f"step {p}" for p in problems))
        return self


class Assignment(_Model):
    """A socket-programming assignment: the program students write and how it is graded."""

    id: Slug = Field(description="Identifier, the assignment folder's name.")
    title: str = Field(description="Title shown in reports.")
    summary: str = Field(description="One or two sentences: what students build.")
    role: Literal["server", "client"] = Field(
        description="What the student writes: a server (the grader is its client) or a client "
        "(the grader is its server)."
    )
    transport: Literal["tcp", "udp"] = Field(description="The transport the program speaks.")
    topology: Literal["separate", "shared"] = Field(
        default="separate",
        description="docker backend: 'separate' puts the grader on another host of the grading "
        "network; 'shared' puts it in the program's network namespace. A client assignment's "
        "grader always shares the client's namespace (to redirect its every destination); "
        "there the topology chooses its {host}: 'separate' a name (tester), 'shared' 127.0.0.1.",
    )
    port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        default=None,
        description="A fixed port the handout prescribes; null gives each run a free port "
        "through {port}. Tests on a fixed port run one at a time.",
    )
    port_discovery: bool | None = Field(
        default=None,
        description="Server assignments: find the port the program actually listens on (real "
        "submissions hardcode one: 6789, 12000 ...) and talk to it there, with a note in the "
        "report; on by default for every server assignment (null), `false` turns it off. A "
        "test with `port_discovery: false` checks that the program uses the port it is given.",
    )
    languages: dict[Literal["python", "c"], Language] = Field(
        min_length=1, description="Accepted languages and how to build and run each."
    )
    files: str | None = Field(
        default=None,
        description="A folder, relative to the assignment's, whose files are placed in the "
        "program's working directory before the build (e.g. the pages a web server serves); "
        "they replace submitted files of the same name.",
    )
    limits: Limits = Field(default_factory=Limits, description="Deadlines and resource limits.")
    hints: list[str] = Field(
        default_factory=list, description="General advice shown when any points are lost."
    )
    tests: list[TestSpec] = Field(min_length=1, description="The graded tests, in order.")

    @model_validator(mode="after")
    def _check_tests(self) -> Assignment:
        names = [t.name for t in self.tests]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"test names must be unique; repeated: {', '.join(duplicates)}")
        if self.port_discovery and self.role != "server":
            raise ValueError("port_discovery is for server assignments (role: server)")
        if self.role != "server" and any(t.port_discovery is not None for t in self.tests):
            raise ValueError("a test's port_discovery is for server assignments (role: server)")
        if self.role != "client" and any(t.redirect is not None for t in self.tests):
            raise ValueError("a test's redirect is for client assignments (role: client)")
        if self.role == "client":
            missing = [t.name for t in self.tests if not scenario_has(t.scenario, "start")]
            if missing:
                raise ValueError(
                    "a client assignment's tests must start the program with a 'start' step "
                    f"(after 'listen'); missing in: {', '.join(missing)}"
                )
        return self

    @property
    def max_score(self) -> float:
        """The points of every test but the extra credit: a submission may earn more."""
        return sum(t.points for t in self.tests if not t.extra_credit)

    def discovers_port(self, test: TestSpec) -> bool:
        """Whether the grader looks for the port this test's server program listens on."""
        if self.role != "server":
            return False
        if test.port_discovery is not None:
            return test.port_discovery
        return self.port_discovery is not False

    def test(self, name: str) -> TestSpec:
        for t in self.tests:
            if t.name == name:
                return t
        raise SpecError(
            f"{self.id}: no test named {name!r}; tests: {', '.join(t.name for t in self.tests)}"
        )


class LoadedAssignment(BaseModel):
    """An assignment with where it was read from."""

    model_config = ConfigDict(frozen=True)

    spec: Assignment
    directory: Path
    spec_hash: str

    @property
    def reference_dir(self) -> Path:
        return self.directory.parent.parent / "reference" / self.spec.id

    def workdir_files(self) -> list[tuple[str, Path]]:
        """(relative name, path) of the files the spec places in the program's working dir."""
        if self.spec.files is None:
            return []
        folder = self.directory / self.spec.files
        return sorted(
            (p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file()
        )


def _format_location(loc: tuple[int | str, ...], data: object) -> str:
    """A readable path: tests[2] becomes tests[echo-one], to say which test is wrong."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            name = (
                node[item].get("name")
                if isinstance(node, list) and item < len(node) and isinstance(node[item], dict)
                else None
            )
            parts.append(f"[{name}]" if name else f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            if item.startswith(("tagged-union", "function-")) or item in {"str", "list[", "int"}:
                continue
            parts.append(f".{item}" if parts else item)
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def format_validation_error(source: Path, error: ValidationError, data: object) -> str:
    lines = []
    seen = set()
    for err in error.errors():
        message = err['msg'].removeprefix("Value error, ")
        line = f"{source}: {_format_location(err['loc'], data)}: {message}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines)


def resolve_spec_path(path: Path) -> Path:
    if path.is_dir():
        path = path / SPEC_FILE
    if not path.is_file():
        raise SpecError(
            f"{path}: no assignment spec here; tip: give an assignment folder such as "
            f"assignments/tcp-echo (it holds {SPEC_FILE}), or run `grader list`"
        )
    return path


def load_assignment(path: Path) -> LoadedAssignment:
    """Read and validate an assignment from its folder (or its assignment.yaml)."""
    spec_path = resolve_spec_path(path)
    raw = spec_path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise SpecError(f"{spec_path}: {where}not valid YAML ({problem})") from e
    except RecursionError as e:  # [[[[... thousands deep: the parser recurses per level
        raise SpecError(f"{spec_path}: not valid YAML (nested too deeply)") from e
    if not isinstance(data, dict):
        raise SpecError(f"{spec_path}: the spec must be a YAML mapping (id: ..., title: ...)")
    try:
        spec = Assignment.model_validate(data)
    except ValidationError as e:
        raise SpecError(format_validation_error(spec_path, e, data)) from e
    folder = spec_path.parent.resolve()
    if folder.name != spec.id:
        raise SpecError(
            f"{spec_path}: id: {spec.id!r} differs from the folder name {folder.name!r}"
        )
    if spec.files is not None and not (folder / spec.files).is_dir():
        raise SpecError(f"{spec_path}: files: {spec.files!r} is not a folder next to the spec")
    return LoadedAssignment(spec=spec, directory=folder, spec_hash=hashlib.sha256(raw).hexdigest())


def discover_assignments(root: Path) -> list[Path]:
    """Assignment folders under root (each holds an assignment.yaml), sorted by name."""
    return sorted(p.parent for p in root.glob(f"*/{SPEC_FILE}"))
