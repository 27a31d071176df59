"""JUnit XML: parsed with xml.etree, counts checked, hidden details absent, hostile bytes safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from batch_samples import (
    CONTROL,
    XSS,
    assignment,
    batch,
    bonus_assignment,
    bonus_entry,
    build_failure,
    entry,
    graded,
)

from grader.report.junit import junit_xml, xml_text
from grader.results import Student


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_counts_agree_with_the_result() -> None:
    result = graded("amy", [True, False, False, False, False, False, True])
    suites = parse(junit_xml(assignment(), entry("amy", result)))
    suite = suites.find("testsuite")
    assert suite is not None
    statuses = [t.status for t in result.tests]
    expected = {
        "tests": str(len(statuses)),
        "failures": str(sum(s in ("failed", "timeout") for s in statuses)),
        "errors": str(statuses.count("error")),
        "skipped": str(statuses.count("skipped")),
    }
    for element in (suites, suite):
        assert {k: element.get(k) for k in expected} == expected
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [t.name for t in result.tests]
    assert {c.get("classname") for c in cases} == {"tcp-echo"}
    assert cases[0].get("time") == "0.031"
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "The echo differs from what was sent: the line ending changed."
    out = cases[1].find("system-out")
    assert out is not None and out.text == "got 7 bytes: 'hello\\r\\n'\\r\n"
    assert cases[3].find("error") is not None and cases[4].find("skipped") is not None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["score"] == "20" and props["max_score"] == "60" and props["student"] == "amy"


def test_every_entry_of_a_batch_gives_parseable_xml() -> None:
    for e in batch():
        suite = parse(junit_xml(assignment(), e)).find("testsuite")
        assert suite is not None
        built = e.result is None or e.result.build.ok
        # a failed build is a testcase of its own, before the tests
        assert int(suite.get("tests", "0")) == len(assignment().tests) + (0 if built else 1)
        if e.status == "rejected":
            assert suite.get("errors") == "7"
        if e.status == "infrastructure_error":
            assert suite.get("skipped") == "7"


def test_hidden_test_details_are_left_out() -> None:
    result = graded("amy", [True] * 5 + [False, True])
    text = junit_xml(assignment(), entry("amy", result))
    assert "SECRET" not in text and "LATER" not in text
    case = next(c for c in parse(text).iter("testcase") if c.get("name") == "restart-reuseaddr")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "hidden test: only its result is shown"


def test_control_bytes_and_markup_in_student_data_stay_valid_xml() -> None:
    sid = f"{XSS}{CONTROL}\ud800"
    result = graded(sid, [False] * 7)
    hostile_test = result.tests[1].model_copy(
        update={
            "reason": f"{XSS}{CONTROL}",
            "stdout_tail": f"{XSS}{CONTROL}\n".encode() + b"\xff\x00",
        }
    )
    result = result.model_copy(update={"tests": [result.tests[0], hostile_test]})
    e = entry(sid, result, student=Student(id=sid, name=CONTROL))
    text = junit_xml(assignment(), e)
    assert "<script" not in text
    root = parse(text)
    case = list(root.iter("testcase"))[1]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == f"{XSS}\\x00\\x1b[31m\\x07\\x0b\\x0c\\ufffe"
    out = case.find("system-out")
    assert out is not None
    assert out.text == f"{XSS}\\x00\\x1b[31m\\x07\\x0b\\x0c\\ufffe\n\\xff\\x00"


def test_xml_text_escapes_only_what_xml_forbids() -> None:
    assert xml_text("a\tb\nc\rd\x00e\x1ff\ud800g\uffff") == "a\tb\nc\rd\\x00e\\x1ff\\ud800g\\uffff"


def test_extra_credit_is_a_property_and_a_missed_bonus_is_no_failure() -> None:
    earned = parse(junit_xml(bonus_assignment(), bonus_entry("ana", statistics=True)))
    suite = earned.find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert (props["score"], props["max_score"], props["extra_credit"]) == (
        "35",
        "30",
        "+5 extra credit",
    ), props
    bonus = suite.findall("testcase")[2]
    assert bonus.get("name") == "statistics", bonus.attrib
    assert [(p.get("name"), p.get("value")) for p in bonus.iter("property")] == [
        ("extra_credit", "5")
    ]
    missed = parse(junit_xml(bonus_assignment(), bonus_entry("bo", statistics=False)))
    suite = missed.find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("skipped")) == ("0", "1"), suite.attrib
    skipped = suite.findall("testcase")[2].find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("not earned (+0 of 5 extra credit): step 24"), (
        skipped.attrib
    )


def test_a_failed_build_is_a_failure_with_the_compiler_output_not_skips() -> None:
    suites = parse(junit_xml(assignment(), entry("bo", build_failure("bo"))))
    suite = suites.find("testsuite")
    assert suite is not None
    n = len(assignment().tests)
    counts = {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": str(n + 1), "failures": str(n + 1), "errors": "0", "skipped": "0"}
    build, *cases = suite.findall("testcase")
    failure = build.find("failure")
    assert build.get("name") == "build" and failure is not None, ET.tostring(build)
    assert failure.get("type") == "build"
    assert failure.get("message") == "the build failed (gcc -Wall -o server server.c)"
    err = build.find("system-err")
    assert err is not None
    assert err.text == "server.c:42:5: \\x1b[1;31merror:\\x1b[0m expected ';' before 'return'\n"
    for case in cases:
        not_run = case.find("failure")
        assert not_run is not None and not_run.get("type") == "not_run", ET.tostring(case)
        assert case.find("skipped") is None
