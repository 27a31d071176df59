"""The student program: how to build it and the command line that runs it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from grader.errors import SpecError
from grader.spec import Assignment

C_FLAGS = ("-Wall", "-Wextra", "-O2", "-pthread")


@dataclass(frozen=True)
class ProgramPlan:
    """What to run, in the submission's work dir, for one language."""

    language: str
    build: tuple[str, ...] | None  # argv, or None when nothing is built
    build_shell: str | None  # a spec's own shell command, run with sh -c
    run_template: str
    entry: str
    entry_copied_from: str | None = None  # the single .py file run under the entry's name

    def build_display(self) -> str:
        if self.build_shell:
            return self.build_shell
        return shlex.join(self.build) if self.build else ""

    def build_argv(self) -> list[str]:
        """The build command as argv (a spec's own command runs under sh -c); [] for none."""
        if self.build_shell:
            return ["sh", "-c", self.build_shell]
        return list(self.build or ())

    def run_argv(self, host: str, port: int) -> list[str]:
        """The run command with {host} and {port} filled in, split like a shell would."""
        try:
            return [arg.format(host=host, port=port) for arg in shlex.split(self.run_template)]
        except (KeyError, IndexError, ValueError) as e:
            raise SpecError(
                f"languages.{self.language}.run: {self.run_template!r} has a bad placeholder "
                f"({e}); only {{host}} and {{port}} are known"
            ) from e


def plan_program(assignment: Assignment, language: str, files: tuple[str, ...]) -> ProgramPlan:
    """Decide the build and run commands for a submission's files."""
    spec = assignment.languages[language]  # type: ignore[index]
    build: tuple[str, ...] | None = None
    build_shell: str | None = None
    if spec.build not in ("auto", "none"):
        build_shell = spec.build
    elif spec.build == "auto" and language == "c":
        if "Makefile" in files or "makefile" in files:
            build = ("make",)
        else:
            sources = sorted(f for f in files if f.endswith(".c"))
            build = ("gcc", *C_FLAGS, "-o", spec.entry, *sources)
    copied_from = None
    if language == "python" and spec.entry not in files:
        top_level = [f for f in files if f.endswith(".py") and "/" not in f]
        if len(top_level) == 1:
            copied_from = top_level[0]
    return ProgramPlan(
        language=language,
        build=build,
        build_shell=build_shell,
        run_template=spec.run,
        entry=spec.entry,
        entry_copied_from=copied_from,
    )
