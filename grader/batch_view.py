"""The terminal view of a batch: a live progress bar with rate, ETA and counts, or one line per
submission (--quiet, for CI logs), then a summary table."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Column, Table

from grader.batch import BatchReport, Outcome
from grader.results import BatchEntry
from grader.terminal import shown


def _category(entry: BatchEntry) -> str:
    """full, partial, zero, rejected or error: how the progress line and the summary count it."""
    if entry.status == "infrastructure_error":
        return "error"
    if entry.result is None:
        return "rejected"
    if entry.result.full_marks:
        return "full"
    return "partial" if entry.result.score > 0 else "zero"


CATEGORY_STYLE = {
    "full": "green",
    "partial": "yellow",
    "zero": "red",
    "rejected": "magenta",
    "error": "bold red",
}
SHORT = {"full": "full", "partial": "part", "zero": "zero", "rejected": "rej", "error": "err"}
BAR_WIDTH = 12  # with the phase, the count, rate and ETA and three counts: within 80 columns


def clock(seconds: float) -> str:
    """'1:05:09', '5:09' or '0:09'."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class BatchView:
    """The batch's progress on the terminal: a live bar, or one line per submission (--quiet)."""

    def __init__(self, out: Console, quiet: bool) -> None:
        self.out = out
        self.quiet = quiet
        self.counts = dict.fromkeys(CATEGORY_STYLE, 0)
        self.reused = 0
        self.started = time.monotonic()
        # The counts go last and are the ones cut on a narrow terminal, never the ETA.
        self.progress = Progress(
            TextColumn("{task.description}", table_column=Column(no_wrap=True)),
            BarColumn(bar_width=BAR_WIDTH),
            MofNCompleteColumn(table_column=Column(no_wrap=True)),
            TextColumn("{task.fields[eta]}", table_column=Column(no_wrap=True)),
            TextColumn(
                "{task.fields[counts]}",
                table_column=Column(no_wrap=True, overflow="ellipsis", min_width=0),
            ),
            console=out,
            disable=quiet,
        )
        self.task = self.progress.add_task("planning", total=None, eta="", counts="")

    def phase(self, name: str) -> None:
        """Name the phase under way: checking the model solutions, grading, writing outputs."""
        if name == "grading":
            self.started = time.monotonic()  # the rate counts grading only
            self.progress.update(self.task, description=name)
        else:  # the rate and counts belong to grading: the long name fits without them
            self.progress.update(self.task, description=name, eta="", counts="")
        if self.quiet:
            self.out.print(f"{name}\u2026")

    def log(self, line: str) -> None:
        self.out.print(f"[yellow]note:[/yellow] {shown(line)}", soft_wrap=True)

    def start(self, todo: int, total: int) -> None:
        self.out.print(
            f"{total} students, {todo} to grade (the others: graded already, or rejected)"
        )
        self.started = time.monotonic()
        self.progress.update(self.task, total=todo)
        self.progress.start()

    def entry(self, outcome: Outcome) -> None:
        category = _category(outcome.entry)
        self.counts[category] += 1
        if outcome.reused:
            self.reused += 1
            return
        if outcome.entry.status == "rejected" and not outcome.stored:
            return  # known from an earlier run: said then
        if outcome.entry.status != "rejected":
            self.progress.advance(self.task)
        task = self.progress.tasks[0]
        elapsed = time.monotonic() - self.started
        eta = ""
        if task.completed and elapsed > 0 and task.total:
            per_minute = task.completed / elapsed * 60
            left = (task.total - task.completed) / (task.completed / elapsed)
            eta = f"{per_minute:.1f}/min ETA {clock(left)}"
        self.progress.update(
            self.task,
            eta=eta,
            counts=" ".join(
                f"[{style}]{SHORT[name]} {self.counts[name]}[/{style}]"
                for name, style in CATEGORY_STYLE.items()
                if self.counts[name]
            ),
        )
        line = self._line(outcome.entry)
        if self.quiet or category in ("rejected", "error"):
            self.progress.console.print(line, soft_wrap=True)

    @staticmethod
    def _line(entry: BatchEntry) -> str:
        student = entry.student
        who = shown(f"{student.name} ({student.id})" if student.name else student.id)
        if entry.result is not None:
            return f"{who}: {entry.result.score:g}/{entry.result.max_score:g}"
        label = "rejected" if entry.status == "rejected" else "infrastructure error"
        style = CATEGORY_STYLE["rejected" if entry.status == "rejected" else "error"]
        return f"{who}: [{style}]{label}[/{style}]: {shown(entry.message)}"

    def stop(self) -> None:
        self.progress.stop()

    def summary(self, report: BatchReport, out_dir: Path) -> None:
        table = Table(title="batch", title_justify="left")
        for column in ("full", "partial", "zero", "rejected", "error", "reused", "time", "rate"):
            table.add_column(column, justify="right")
        minutes = report.duration / 60
        rate = f"{report.graded / minutes:.1f}/min" if report.graded and minutes else "-"
        table.add_row(
            *(f"[{s}]{self.counts[c]}[/{s}]" for c, s in CATEGORY_STYLE.items()),
            str(report.reused),
            f"{report.duration:.0f} s",
            rate,
        )
        self.out.print(table)
        self.out.print(f"results: {shown(str(out_dir))}")
