"""The `grader` command: parse, call the library API, render, choose the exit code."""

from __future__ import annotations

import os
import signal
import sys
import time
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from grader import __version__, api
from grader.batch import DEFAULT_WORKERS
from grader.batch_view import BatchView
from grader.course import late_options
from grader.errors import BackendError, GraderError, SpecError
from grader.files import write_atomic
from grader.report import extra_credit
from grader.report.student_view import redact_test, student_view, withheld
from grader.results import SubmissionResult, TestResult
from grader.terminal import shown
from grader.validation import Check

EXIT_FULL_MARKS = 0
EXIT_POINTS_LOST = 1
EXIT_INVALID_INPUT = 2
EXIT_INFRASTRUCTURE = 3
EXIT_INTERRUPTED = 130

app = typer.Typer(
    help="Grade socket-programming assignments: TCP and UDP clients and servers, Python and C.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

STATUS_STYLE = {
    "passed": "green",
    "failed": "red",
    "timeout": "dark_orange",
    "error": "magenta",
    "skipped": "grey50",
}


class Role(StrEnum):
    server = "server"
    client = "client"


class Transport(StrEnum):
    tcp = "tcp"
    udp = "udp"


class OutputFormat(StrEnum):
    console = "console"
    github = "github"


class BackendChoice(StrEnum):
    auto = "auto"
    local = "local"
    docker = "docker"


BackendOption = Annotated[
    BackendChoice,
    typer.Option(
        "--backend",
        "-b",
        help="local: processes on loopback, no isolation; docker: "
        "hardened containers; auto: docker when an engine answers, else local.",
    ),
]


def _print_version(value: bool) -> None:
    if value:
        out.print(f"socket-grader {__version__}")
        raise typer.Exit


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Options before the command: `grader --version`."""


def _fail(error: GraderError) -> NoReturn:
    for line in str(error).splitlines():
        err.print(f"[red]error:[/red] {shown(line)}")
    raise typer.Exit(EXIT_INFRASTRUCTURE if isinstance(error, BackendError) else EXIT_INVALID_INPUT)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through every finally: programs and sandboxes go away


def _print_test(result: TestResult) -> None:
    style = STATUS_STYLE[result.status]
    line = (
        f"  [{style}]{result.status:>7}[/{style}]  {shown(result.name)}  "
        f"{result.points:g}/{result.max_points:g}"
    )
    if result.reason:
        line += f"  [grey50]{shown(result.reason)}[/grey50]"
    out.print(line)
    for diagnostic in result.diagnostics:
        out.print(f"             [yellow]{shown(diagnostic)}[/yellow]")


def _print_student_test(result: TestResult) -> None:
    _print_test(redact_test(result) if withheld(result.visibility) else result)


def _summary(result: SubmissionResult, selected: list[str] | None) -> None:
    title = f"{shown(result.assignment_title)} — {shown(result.submission_id)}"
    table = Table(title=title, title_justify="left")
    table.add_column("test")
    table.add_column("points", justify="right")
    table.add_column("status")
    for t in result.tests:
        style = STATUS_STYLE[t.status]
        table.add_row(t.name, f"{t.points:g}/{t.max_points:g}", f"[{style}]{t.status}[/{style}]")
    out.print(table)
    if not result.build.ok:
        out.print("[red]The build failed:[/red]")
        out.print(shown(result.build.log.strip()[-2000:], lines=True))
    for note in result.notes:
        out.print(f"[yellow]note:[/yellow] {shown(note)}")
    scope = ""
    if selected:
        chosen = [t for t in result.tests if t.name in selected]
        scope = (
            f" [grey50](only {len(chosen)} of {len(result.tests)} tests run: "
            f"{sum(t.points for t in chosen):g}/{sum(t.max_points for t in chosen):g})[/grey50]"
        )
    failed = [t for t in result.tests if t.status in ("failed", "timeout") and t.rerun]
    if failed:
        out.print(f"re-run a test alone: {shown(failed[0].rerun)}", soft_wrap=True)  # copyable
    bonus = extra_credit.result_label(result)
    out.print(
        f"[bold]score: {result.score:g}/{result.max_score:g}[/bold]"
        f"{f' ({bonus})' if bonus else ''}{scope}  "
        f"({result.timings.get('total', 0):.1f} s, backend {result.backend})"
    )


@app.command()
def check(
    assignment: Annotated[
        Path,
        typer.Argument(
            help="Assignment id, e.g. tcp-echo (see `grader list`), or an assignment folder."
        ),
    ],
    submission: Annotated[
        Path,
        typer.Argument(
            help="Your program: a source file, a folder, or the archive you will upload "
            "(.zip, .tar.gz)."
        ),
    ],
    report: Annotated[
        Path | None, typer.Option(help="Write the HTML feedback report here.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the result as JSON here.")
    ] = None,
    backend: BackendOption = BackendChoice.auto,
    test: Annotated[
        list[str] | None, typer.Option("--test", "-t", help="Run only this test (repeatable).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the score line.")
    ] = False,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="github: also the GitHub Actions outputs (result= for Classroom's reporter, "
            "annotations, points notices, job summary).",
        ),
    ] = OutputFormat.console,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Write the JUnit XML report here (CI).")
    ] = None,
) -> None:
    """Grade one submission. Exit 0: full marks; 1: points lost; 2: bad input; 3: grader error."""
    from grader.report.html import write_html  # noqa: PLC0415 - jinja2 only when reporting

    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = api.check(
            assignment,
            submission,
            backend=backend.value,
            tests=test,
            on_test=None if quiet else _print_student_test,
        )
    except GraderError as e:
        _fail(e)
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]: the program was stopped and its files removed")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    result = student_view(result)  # what follows is all for the student: hidden tests redacted
    if not quiet:
        _summary(result, test)
    else:
        out.print(f"{shown(result.submission_id)}: {result.score:g}/{result.max_score:g}")
    if json_path:
        write_atomic(json_path, result.model_dump_json(indent=2))
        out.print(f"result: {shown(str(json_path))}")
    if report:
        write_html(result, report)
        out.print(f"report: {shown(str(report))}")
    if junit:
        write_atomic(junit, api.junit_report(assignment, result))
        out.print(f"junit: {shown(str(junit))}")
    if output_format is OutputFormat.github:
        from grader.export.github import report_to_github  # noqa: PLC0415

        for line in report_to_github(result, os.environ):  # workflow commands: never wrapped
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    selected = [t for t in result.tests if not test or t.name in test]
    if broken := [t for t in result.grader_errors if not test or t.name in test]:
        err.print(
            f"[red]grader error[/red]: the grader could not run {_names(broken)} (twice); "
            "that is no verdict on the program. The reasons are above and in the report."
        )
        raise typer.Exit(EXIT_INFRASTRUCTURE)
    # extra credit missed is no point lost, unless the test was asked for by name
    passed = result.build.ok and all(
        t.status == "passed" for t in selected if test or not t.extra_credit
    )
    raise typer.Exit(EXIT_FULL_MARKS if passed else EXIT_POINTS_LOST)


def _names(tests: list[TestResult]) -> str:
    names = ", ".join(shown(t.name) for t in tests)
    return f"test {names}" if len(tests) == 1 else f"tests {names}"


@app.command("list")
def list_(
    root: Annotated[
        Path | None,
        typer.Argument(help="Folder holding assignment folders (default: the built-in ones)."),
    ] = None,
) -> None:
    """List the assignments: id, title, role, transport, points."""
    try:
        found = api.list_assignments(root)
    except GraderError as e:
        _fail(e)
    if not found:
        where = f"under {shown(str(root))}" if root else "built in (this grader has no catalogue)"
        err.print(f"[red]error:[/red] no assignment {where}; tip: give a folder of assignments")
        raise typer.Exit(EXIT_INVALID_INPUT)
    table = Table()
    for column in ("id", "title", "role", "transport", "tests", "points"):
        table.add_column(column)
    for a in found:
        s = a.spec
        table.add_row(s.id, s.title, s.role, s.transport, str(len(s.tests)), f"{s.max_score:g}")
    out.print(table)


def _print_check(check: Check) -> None:
    if check.skipped:
        out.print(
            f"  [grey50]skip[/grey50] {check.kind:<6} {shown(check.solution):<32} "
            f"[grey50]{shown(check.skipped)}[/grey50]"
        )
        return
    mark = "[green]ok[/green]  " if check.ok else "[red]FAIL[/red]"
    out.print(
        f"  {mark} {check.kind:<6} {shown(check.solution):<32} "
        f"{check.score:g}/{check.max_score:g}  {check.duration:.1f} s"
    )
    for problem in check.problems:
        out.print(f"         [red]{shown(problem)}[/red]")


@app.command()
def validate(
    assignments: Annotated[list[Path] | None, typer.Argument(help="Assignment folders.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every assignment under ./assignments.")
    ] = False,
    backend: BackendOption = BackendChoice.auto,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=32, help="Solutions graded at once.")
    ] = 4,
) -> None:
    """Prove an assignment's tests right: models score full marks, each mutant fails its tests."""
    signal.signal(signal.SIGTERM, _terminate)
    folders = list(assignments or [])
    ok = True
    specs_valid = True  # an invalid spec exits 2, invalid input (README's exit codes)
    try:
        if all_:
            found = api.list_assignments(Path("assignments"))
            folders += [Path("assignments") / a.spec.id for a in found]
        if not folders:
            err.print("[red]error:[/red] name an assignment folder, or use --all")
            raise typer.Exit(EXIT_INVALID_INPUT)
        started = time.monotonic()
        for folder in folders:
            out.print(f"[bold]{shown(str(folder))}[/bold]")
            try:
                report = api.validate_assignment(
                    folder, backend=backend.value, jobs=jobs, on_check=_print_check
                )
            except SpecError as e:  # one broken assignment does not hide the others' results
                err.print(f"  [red]INVALID:[/red] {shown(str(e))}")
                ok = specs_valid = False
                continue
            verdict = "[green]valid[/green]" if report.ok else "[red]INVALID[/red]"
            out.print(
                f"  {verdict}: {len(report.checks)} solutions in {report.duration:.1f} s "
                f"(backend {report.backend})"
            )
            ok = ok and report.ok
        if len(folders) > 1:
            verdict = "[green]all valid[/green]" if ok else "[red]NOT all valid[/red]"
            out.print(
                f"{verdict}: {len(folders)} assignments in {time.monotonic() - started:.1f} s"
            )
    except GraderError as e:
        _fail(e)
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    raise typer.Exit(0 if ok else EXIT_POINTS_LOST if specs_valid else EXIT_INVALID_INPUT)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of assignment.yaml (for completion in your editor)."""
    text = api.schema_text()
    if output:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


@app.command()
def new(
    assignment_id: Annotated[str, typer.Argument(help="Id of the new assignment (udp-pinger).")],
    role: Annotated[Role, typer.Option(help="What students write.")],
    transport: Annotated[Transport, typer.Option(help="The transport.")] = Transport.tcp,
    root: Annotated[
        Path, typer.Option(help="Folder holding assignments/ and reference/.")
    ] = Path(),
) -> None:
    """Scaffold an assignment: commented spec, handout skeleton, reference folders, a mutant."""
    try:
        made = api.new_assignment(root, assignment_id, role=role.value, transport=transport.value)
    except GraderError as e:
        _fail(e)
    out.print(f"made {shown(str(made.directory))}:")
    for path in made.files:
        out.print(f"  {shown(str(path))}")
    out.print(
        f"it validates as it is: grader validate {shown(str(made.directory))} --backend local\n"
        "now replace the example protocol, tests and solutions with yours (every TODO)"
    )


@app.command()
def version() -> None:
    """Print the grader's version."""
    out.print(__version__)


images_app = typer.Typer(
    help="The Docker image the docker backend runs programs in.", no_args_is_help=True
)
app.add_typer(images_app, name="images")


@images_app.command("build")
def images_build(
    base: Annotated[
        str,
        typer.Option(
            help="'bootstrap': Debian made offline with mmdebstrap from this machine's apt "
            "sources; or a registry image with python3, e.g. python:3.12-slim."
        ),
    ] = "bootstrap",
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
) -> None:
    """Build the runtime image, or say that it is up to date; a stale image is rebuilt."""
    from grader.images import build_images  # noqa: PLC0415 - only this command builds

    try:
        report = build_images(base=base, force=force, progress=lambda a: out.print(shown(a)))
    except GraderError as e:
        _fail(e)
    out.print(f"image: {report.reference} {report.image_id}", soft_wrap=True)


@app.command()
def cleanup() -> None:
    """Remove every container and network the grader made on this Docker engine.

    Also those of a grading in progress: graders remove what killed graders left on their own.
    """
    from grader.backends.docker import cleanup as sweep  # noqa: PLC0415 - the SDK is slow to import

    try:
        swept = sweep()
    except GraderError as e:
        _fail(e)
    out.print(f"removed {len(swept.containers)} containers and {len(swept.networks)} networks")
    for name in swept.containers + swept.networks:
        out.print(f"  {shown(name)}")
    for problem in swept.failed:
        err.print(f"[red]error:[/red] {shown(problem)}")
    if swept.failed:
        raise typer.Exit(EXIT_INFRASTRUCTURE)


class BatchBackend(StrEnum):
    docker = "docker"
    local = "local"


@app.command("grade")
def grade_batch(
    assignment: Annotated[
        Path, typer.Argument(help="Assignment folder, e.g. assignments/tcp-echo.")
    ],
    submissions: Annotated[
        Path,
        typer.Argument(
            help="Folder with one folder, file or archive per student, or an unzipped Canvas, "
            "Moodle or Gradescope export."
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Results folder (resumed when it exists).")
    ] = Path("results"),
    backend: Annotated[
        BatchBackend,
        typer.Option(
            "--backend", "-b", help="docker: isolated containers; local: needs --trust-local."
        ),
    ] = BatchBackend.docker,
    trust_local: Annotated[
        bool,
        typer.Option(
            "--trust-local", help="I have read this code: allow the unisolated local backend."
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-w", min=1, max=32,
            help="Submissions graded at once (with --cluster: on each Dask worker).",
        ),
    ] = DEFAULT_WORKERS,
    cluster: Annotated[
        str | None,
        typer.Option(
            help="Grade on a Dask cluster: the scheduler's address, e.g. tcp://host:8786 "
            "(pip install 'socket-grader[cluster]').",
        ),
    ] = None,
    regrade: Annotated[
        bool, typer.Option("--regrade", help="Grade again even what is stored and current.")
    ] = False,
    roster: Annotated[
        Path | None, typer.Option(help="CSV with id,name,email to fill in names and emails.")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One line per submission, no live display.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only", help="Grade again only this student id (repeatable); others stay as stored."
        ),
    ] = None,
    course: Annotated[
        Path | None,
        typer.Option(
            help="Course file with the late policy (default: course.yaml beside the spec)."
        ),
    ] = None,
    due: Annotated[
        str | None, typer.Option(help="Due date, ISO 8601 (e.g. 2026-11-20T23:59+01:00).")
    ] = None,
    grace: Annotated[str | None, typer.Option(help="Grace period: 15m, 2h, 1d.")] = None,
    penalty: Annotated[
        str | None, typer.Option(help="Late penalty: 10%/day or 2%/hour of the raw score.")
    ] = None,
    floor: Annotated[
        float | None, typer.Option(help="Percent of the raw score late work keeps at least.")
    ] = None,
    cutoff: Annotated[
        str | None, typer.Option(help="No credit after this moment (ISO 8601).")
    ] = None,
    similarity: Annotated[
        bool,
        typer.Option(
            "--similarity", help="Compare every student's code (copydetect); flags, no grade."
        ),
    ] = False,
    similar_to: Annotated[
        list[Path] | None,
        typer.Option(
            "--similar-to", help="Folder of known public solutions to compare with (repeatable)."
        ),
    ] = None,
) -> None:
    """Grade a class. Exit 0: every submission graded or rejected; 3: some could not be graded."""
    signal.signal(signal.SIGTERM, _terminate)
    view = BatchView(out, quiet)
    try:
        report = api.grade_batch(
            assignment,
            submissions,
            out_dir,
            backend=backend.value,
            trust_local=trust_local,
            workers=workers,
            regrade=regrade,
            roster=roster,
            cluster=cluster,
            only=only,
            course=course,
            late=late_options(due=due, grace=grace, penalty=penalty, floor=floor, cutoff=cutoff),
            similarity=similarity,
            similar_to=similar_to,
            on_log=view.log,
            on_start=view.start,
            on_entry=view.entry,
            on_phase=view.phase,
        )
    except GraderError as e:
        view.stop()
        _fail(e)
    except KeyboardInterrupt:
        view.stop()
        err.print(
            "[red]interrupted[/red]: sandboxes removed; graded results are kept in "
            f"{shown(str(out_dir))}: run the same command to resume"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    view.stop()
    view.summary(report, out_dir)
    raise typer.Exit(EXIT_INFRASTRUCTURE if view.counts["error"] else 0)


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="The --out folder of `grader grade`.")],
) -> None:
    """Write every report and export again from the stored results, grading nothing."""
    try:
        count = api.rerender(results)
    except GraderError as e:
        _fail(e)
    out.print(f"{count} entries rendered into {shown(str(results))}")


export_app = typer.Typer(
    help="Package an assignment for a course platform.", no_args_is_help=True
)
app.add_typer(export_app, name="export")


@export_app.command("gradescope")
def export_gradescope(
    assignment: Annotated[
        Path, typer.Argument(help="Assignment folder, e.g. assignments/tcp-echo.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The autograder zip to write.")
    ] = Path("autograder.zip"),
) -> None:
    """Write Gradescope's autograder zip: setup.sh, run_autograder, the wheels, the assignment."""
    from grader.export.gradescope import export_gradescope as export  # noqa: PLC0415

    try:
        made = export(assignment, output, on_log=lambda line: out.print(shown(line)))
    except GraderError as e:
        _fail(e)
    out.print(
        f"upload {shown(str(made.path))} as the autograder of a Gradescope programming "
        f"assignment ({shown(made.assignment_id)}; Python {', '.join(made.python_versions)})"
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
