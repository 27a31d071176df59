"""Text for the terminal: what a student controls can neither style nor steer the console.

rich's ``escape`` only stops markup; a file name holding ``ESC]0;…BEL ESC[2J`` would still
retitle or clear the instructor's terminal. ``shown`` also writes every control and invisible
character as an escape, as the HTML report does.
"""

from __future__ import annotations

from rich.markup import escape

from grader.report.bytes_view import printable


def shown(text: str, *, lines: bool = False) -> str:
    """text made safe to print with rich; lines=True keeps its line breaks (a build log)."""
    if lines:
        return "\n".join(escape(printable(line)) for line in text.split("\n"))
    return escape(printable(text))
