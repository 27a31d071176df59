"""The exception family: one base class and one subclass per layer."""


class GraderError(Exception):
    """Something the grader itself could not do; never a verdict on a student program."""


class SpecError(GraderError):
    """An assignment spec is missing or invalid; the message lists each problem on its line."""


class SubmissionError(GraderError):
    """A submission cannot be read (missing path, unknown language, unreadable archive)."""


class BackendError(GraderError):
    """A sandbox failed (engine unreachable, image missing): not the student's fault."""
