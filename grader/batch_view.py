"""The terminal view of a batch: a live progress bar with rate, ETA and counts, or one line per
submission (--quiet, for CI logs), then a summary table."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

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


class BatchView:
    """The batch's progress on the terminal: a live bar, or one line per submission (--quiet)."""

    def __init__(self, out: Console, quiet: bool) -> None:
        self.out = out
        self.quiet = quiet
        self.counts = dict.fromkeys(CATEGORY_STYLE, 0)
        self.reused = 0
        self.started = time.monotonic()
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=out,
            disable=quiet,
        )
        self.task = self.progress.add_task("grading", total=None, rate="", counts="")

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
        minutes = (time.monotonic() - self.started) / 60
        self.progress.update(
            self.task,
            rate=f"{task.completed / minutes:.1f}/min" if minutes > 0 else "",
            counts=" ".join(
                f"[{style}]{name} {self.counts[name]}[/{style}]"
                for name, style in CATEGORY_STYLE.items()
            ),
        )
        line = self._line(outcome.entry)
        if self.quiet or category in ("rejected", "error"):
            self.progress.console.print(line, soft_wrap=True)

    @staticmethod
    def _line(entry: BatchEntry) -> str:
        who = shown(entry.student.id)
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
