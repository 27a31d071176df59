"""JUnit XML for one submission: a testsuite whose testcases are the assignment's tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC

from grader.report import extra_credit
from grader.report.gradescope import escape, output_text, readable
from grader.results import BatchEntry, SubmissionResult, TestResult
from grader.spec import Assignment

# Characters XML 1.0 forbids anywhere, even escaped (everything below 0x20 but \t \n \r,
# surrogates, U+FFFE and U+FFFF): written as visible escapes so the file always parses.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
HIDDEN_NOTES = {
    "hidden": "hidden test: only its result is shown",
    "after_due_date": "details are shown after the due date",
}


def xml_text(text: str) -> str:
    """Text that XML 1.0 can carry: forbidden characters become \\xNN / \\uNNNN escapes."""
    return _FORBIDDEN.sub(escape, text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _not_run(result: SubmissionResult, test: TestResult) -> str | None:
    """Why a skipped test lost its points, when that is a failure: the build failed (or no
    file could be chosen as the program), or the program crashed at start."""
    if test.status != "skipped" or test.extra_credit:
        return None
    if not result.build.ok:
        return "not run: the build failed (see the build testcase)"
    if result.startup_crash is not None:
        return f"not run: {result.startup_crash.headline}"
    return None


def _build_case(suite: ET.Element, assignment: Assignment, result: SubmissionResult) -> None:
    """A failed build as a failing testcase of its own, the compiler's output in system-err."""
    build = result.build
    case = ET.SubElement(
        suite, "testcase", name="build", classname=assignment.id, time=_seconds(build.duration)
    )
    what = f"the build failed ({build.command})" if build.command else "the build failed"
    ET.SubElement(case, "failure", message=xml_text(readable(what)), type="build")
    ET.SubElement(case, "system-err").text = xml_text(readable(build.log))


def _testcase(
    suite: ET.Element, assignment: Assignment, test: TestResult, not_run: str | None = None
) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        name=xml_text(test.name),
        classname=assignment.id,
        time=_seconds(test.duration),
    )
    redacted = test.visibility != "visible"
    message = HIDDEN_NOTES[test.visibility] if redacted else readable(test.reason)
    if test.extra_credit:
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", name="extra_credit", value=f"{test.max_points:g}")
    if test.extra_credit and test.status in ("failed", "timeout"):
        # a bonus not earned costs no point: not a failure of the build
        label = extra_credit.label(test.points, test.max_points)
        ET.SubElement(case, "skipped", message=xml_text(f"not earned ({label}): {message}"))
    elif test.status in ("failed", "timeout"):
        ET.SubElement(case, "failure", message=xml_text(message), type=test.status)
    elif not_run is not None:
        ET.SubElement(case, "failure", message=xml_text(readable(not_run)), type="not_run")
    elif test.status == "error":
        ET.SubElement(case, "error", message=xml_text(message), type="error")
    elif test.status == "skipped":
        ET.SubElement(case, "skipped", message=xml_text(message))
    if redacted:
        return
    if test.stdout_tail:
        ET.SubElement(case, "system-out").text = xml_text(output_text(test.stdout_tail))
    if test.stderr_tail:
        ET.SubElement(case, "system-err").text = xml_text(output_text(test.stderr_tail))


def junit_xml(assignment: Assignment, entry: BatchEntry) -> str:
    """The JUnit XML document of one entry, as students may see it (hidden tests redacted).

    A graded entry gives one testcase per test (failed and timed out: failure; error: error;
    skipped: skipped, but a test not run because the build failed or the program crashed at
    start is a failure: it lost its points; a failed build is first a testcase "build" of its
    own, failed, with the compiler's output in system-err), with the output tails as
    system-out/system-err. An extra-credit test
    carries the property extra_credit (its points) and, when not earned, is skipped rather
    than failed (a bonus missed loses no point); the suite's extra_credit property says what
    was earned ("+5 extra credit"). A rejected entry gives
    every test as an error carrying the rejection message; an infrastructure error gives
    every test as skipped. Untrusted text is escaped, and characters XML forbids are written
    as visible escapes, so the document always parses.
    """
    student = xml_text(entry.student.id)
    suites = ET.Element("testsuites", name=assignment.id)
    suite = ET.SubElement(suites, "testsuite", name=f"{assignment.id} · {student}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="student", value=student)
    ET.SubElement(props, "property", name="status", value=entry.status)
    result = entry.result
    if result is not None:
        bonus = extra_credit.result_label(result)
        for name, value in (
            ("score", f"{result.score:g}"),
            ("max_score", f"{result.max_score:g}"),
            *((("extra_credit", bonus),) if bonus else ()),
            ("submission_sha256", result.submission_hash),
            ("grader_version", xml_text(result.grader_version)),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        started = result.started_at
        if started.tzinfo is not None:
            started = started.astimezone(UTC)
        suite.set("timestamp", started.strftime("%Y-%m-%dT%H:%M:%S"))
        if not result.build.ok:
            _build_case(suite, assignment, result)
        for test in result.tests:
            _testcase(suite, assignment, test, _not_run(result, test))
        counts = {
            kind: len(suite.findall(f"testcase/{tag}"))
            for kind, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped"))
        }
        duration = result.build.duration + sum(t.duration for t in result.tests)
    else:
        message = xml_text(readable(entry.message) or entry.status)
        kind = "error" if entry.status == "rejected" else "skipped"
        for spec_test in assignment.tests:
            case = ET.SubElement(
                suite, "testcase", name=spec_test.name, classname=assignment.id, time="0.000"
            )
            ET.SubElement(case, kind, message=message)
        n = len(assignment.tests)
        counts = {
            "failures": 0,
            "errors": n if kind == "error" else 0,
            "skipped": n if kind == "skipped" else 0,
        }
        duration = 0.0
    for element in (suites, suite):
        element.set("tests", str(len(suite.findall("testcase"))))
        for key, count in counts.items():
            element.set(key, str(count))
        element.set("time", _seconds(duration))
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
