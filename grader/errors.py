"""The exception family: one base class and one subclass per layer."""

MAX_LINE = 500  # characters of one message line: a path, a member name and the reason fit


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """text as one line that a terminal, a CSV cell or a log shows as it is: line breaks,
    control, invisible and undecodable characters written as escapes (``\\n``, ``\\x1b``,
    ``\\u202e``, ``\\xff`` for a byte that is not UTF-8), cut to limit characters with a note."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else _escape(ch) for ch in text)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit} more characters)"
    return text


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class GraderError(Exception):
    """Something the grader itself could not do; never a verdict on a student program."""


class SpecError(GraderError):
    """An assignment spec is missing or invalid; the message lists each problem on its line
    (each line made visible and bounded as by one_line)."""

    def __init__(self, message: str) -> None:
        super().__init__("\n".join(one_line(line) for line in message.split("\n")))


class SubmissionError(GraderError):
    """A submission cannot be read (missing path, unknown language, unreadable archive); the
    message is one line (see one_line), whatever the names in it hold."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class BackendError(GraderError):
    """A sandbox failed (engine unreachable, image missing): not the student's fault."""
