"""The student program: which file it is, how to build it and the command line that runs it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from grader.entry import EntryChoice, find_c_entry, find_python_entry
from grader.errors import SpecError
from grader.spec import Assignment
from grader.submission import Submission

C_FLAGS = ("-Wall", "-Wextra", "-O2", "-pthread")


@dataclass(frozen=True)
class ProgramPlan:
    """What to run, in the submission's work dir, for one language."""

    language: str
    build: tuple[str, ...] | None  # argv, or None when nothing is built
    build_shell: str | None  # a spec's own shell command, run with sh -c
    run_template: str
    entry: str  # the handout's name for the program
    entry_path: str | None = None  # the file run instead, found by what it does
    found: str | None = None  # the file chosen by what it does (Python's or C's main unit)
    entry_note: str = ""  # which file (or, for C, which main) was chosen and why
    options: dict[str, str] = field(default_factory=dict)  # {"port": "-p"}: how it takes them
    ambiguity: str | None = None  # one line naming the candidates when none could be chosen

    def notes(self) -> list[str]:
        """What the report says about the program run: the file chosen, the options used."""
        found = [self.entry_note] if self.entry_note else []
        found += [
            f"your program reads its {what} with the option {option}, so it was given "
            f"{option} {{{what}}} where the handout puts {{{what}}}"
            for what, option in sorted(self.options.items())
        ]
        return found

    def build_display(self) -> str:
        if self.build_shell:
            return self.build_shell
        return shlex.join(self.build) if self.build else ""

    def build_argv(self) -> list[str]:
        """The build command as argv (a spec's own command runs under sh -c); [] for none."""
        if self.build_shell:
            return ["sh", "-c", self.build_shell]
        return list(self.build or ())

    @property
    def entry_copied_from(self) -> str | None:
        """The file to copy under the entry's name: the run command does not name the entry,
        so it cannot be pointed at the file found instead."""
        if self.entry_path is None or self.language != "python":
            return None
        if any(self._entry_token(t) for t in shlex.split(self.run_template)):
            return None
        return self.entry_path

    def with_entry(self, path: str) -> ProgramPlan:
        """The plan running path (e.g. the executable a Makefile made) instead of the entry."""
        return replace(self, entry_path=path)

    def _entry_token(self, token: str) -> bool:
        return token in (self.entry, f"./{self.entry}")

    def run_argv(self, host: str, port: int) -> list[str]:
        """The run command with {host} and {port} filled in, split like a shell would; the
        file found is run instead of the entry, and options (-p PORT) given where the program
        reads them."""
        argv: list[str] = []
        for token in shlex.split(self.run_template):
            if self.entry_path is not None and self._entry_token(token):
                prefix = "./" if token.startswith("./") else ""
                argv.append(prefix + PurePosixPath(self.entry_path).as_posix())
                continue
            for what in ("port", "host"):
                if token == f"{{{what}}}" and what in self.options:
                    argv.append(self.options[what])
            try:
                argv.append(token.format(host=host, port=port))
            except (KeyError, IndexError, ValueError) as e:
                raise SpecError(
                    f"languages.{self.language}.run: {self.run_template!r} has a bad "
                    f"placeholder ({e}); only {{host}} and {{port}} are known"
                ) from e
        return argv


def plan_program(assignment: Assignment, language: str, submission: Submission) -> ProgramPlan:
    """Decide the file to run and the build and run commands for a submission."""
    spec = assignment.languages[language]  # type: ignore[index]
    files = submission.files
    root = submission.root
    build: tuple[str, ...] | None = None
    build_shell: str | None = None
    choice = EntryChoice(None)
    if language == "python":
        choice = find_python_entry(
            root, files, assignment.role, assignment.transport, spec.entry
        )
    if spec.build not in ("auto", "none"):
        build_shell = spec.build
    elif spec.build == "auto" and language == "c":
        if "Makefile" in files or "makefile" in files:
            build = ("make",)
        else:
            choice = find_c_entry(root, files, assignment.role, assignment.transport, spec.entry)
            build = ("gcc", *C_FLAGS, "-o", spec.entry, *choice.sources)
    return ProgramPlan(
        language=language,
        build=build,
        build_shell=build_shell,
        run_template=spec.run,
        entry=spec.entry,
        entry_path=choice.path if language == "python" and choice.path != spec.entry else None,
        found=choice.path if choice.path != spec.entry else None,
        entry_note=_entry_note(language, spec.entry, choice),
        options=choice.options,
        ambiguity=choice.ambiguity,
    )


def _entry_note(language: str, entry: str, choice: EntryChoice) -> str:
    """The report's sentence on the file chosen, when it is not the one the handout names."""
    if choice.path is None or choice.path == entry:
        return ""
    if language == "c":
        return f"{choice.path} was built into {entry}: {choice.reason}"
    return f"the handout names the program {entry}; {choice.path} was run: {choice.reason}"
