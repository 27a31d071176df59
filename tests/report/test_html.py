"""The HTML report: golden pages, escaping of student bytes, redaction, self-containment, speed."""

from __future__ import annotations

import difflib
import os
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from batch_samples import bonus_entry

from grader.report import render_html, write_html
from grader.results import BuildResult, Comparison, Event, SubmissionResult, TestResult

GOLDEN = Path(__file__).parent / "golden"
XSS = "<script>alert(1)</script>"


def check_golden(name: str, page: str) -> None:
    """Compare page with golden/<name>; GRADER_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("GRADER_UPDATE_GOLDEN") == "1":
        path.write_text(page, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: run with GRADER_UPDATE_GOLDEN=1", pytrace=False)
    golden = path.read_text(encoding="utf-8")
    if page != golden:
        lines = list(
            difflib.unified_diff(
                golden.splitlines(),
                page.splitlines(),
                f"golden/{name}",
                "rendered",
                n=2,
                lineterm="",
            )
        )
        shown = "\n".join(lines[:60]) + ("\n..." if len(lines) > 60 else "")
        pytest.fail(
            f"the report differs from golden/{name} (if the change is intended, rerun with "
            f"GRADER_UPDATE_GOLDEN=1 and review the diff):\n{shown}",
            pytrace=False,
        )


def test_report_matches_golden_file(realistic_result: SubmissionResult) -> None:
    """The student view of a realistic result equals tests/report/golden/report.html.

    After an intended change of the report, refresh the golden files with
    ``GRADER_UPDATE_GOLDEN=1 PYTHONPATH=. python3 -m pytest tests/report -q`` and review their
    diff before committing; without the variable a difference fails with its first lines.
    """
    check_golden("report.html", render_html(realistic_result))


def test_build_failed_report_matches_golden_file(build_failed_result: SubmissionResult) -> None:
    """The build-failed variant equals golden/build-failed.html (refresh: see above)."""
    check_golden("build-failed.html", render_html(build_failed_result))


def test_same_result_gives_byte_identical_pages(realistic_result: SubmissionResult) -> None:
    again = SubmissionResult.model_validate_json(realistic_result.model_dump_json())
    assert render_html(realistic_result) == render_html(again)
    assert render_html(realistic_result, student_view=False) == render_html(
        again, student_view=False
    )


def test_failed_comparison_shows_line_ends_and_zero_byte(
    realistic_result: SubmissionResult,
) -> None:
    page = render_html(realistic_result)
    cr = '<span class="tk tk-cr" title="carriage return">\\r</span>'
    lf = '<span class="tk tk-lf" title="line feed">\\n</span>'
    nul = '<span class="tk tk-ctl" title="NUL">\\x00</span>'
    assert f'<pre class="bytes">hello{cr}{lf}\n</pre>' in page  # expected
    assert f'<pre class="bytes">hello{lf}\n{nul}</pre>' in page  # got
    assert "The first 5 bytes match; next expected \\r (carriage return, byte 0x0d)" in page


def hostile(make_submission: Callable[..., SubmissionResult]) -> SubmissionResult:
    test = TestResult(
        name=f'x"><img src=x onerror=alert(1)>{XSS}',
        description=f"checks {XSS}",
        visibility="visible",
        points=0,
        max_points=1,
        status="failed",
        reason=f"got {XSS}",
        failed_step=XSS,
        comparison=Comparison(kind="bytes", expected=b"hi", got=XSS.encode(), got_size=25),
        transcript=[
            Event(t=0, conn=XSS, kind="recv", size=25, data=XSS.encode()),
            Event(t=0, conn="main", kind="note", note=XSS),
        ],
        stdout_tail=XSS.encode(),
        stderr_tail=XSS.encode(),
        diagnostics=[XSS],
        hint=XSS,
        rerun=f"grader run --test '{XSS}'",
    )
    return make_submission(
        [test],
        submission_id=XSS,
        assignment_title=XSS,
        notes=[XSS],
        backend=XSS,
        timings={XSS: 1.0},
    )


def test_student_bytes_and_strings_come_out_escaped(
    make_submission: Callable[..., SubmissionResult],
) -> None:
    for student_view in (True, False):
        page = render_html(hostile(make_submission), student_view=student_view)
        assert "<script" not in page.lower()
        assert "<img" not in page.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        # the submission id, the reason, the received bytes and stdout, at least
        assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10


def test_build_log_is_escaped(make_submission: Callable[..., SubmissionResult]) -> None:
    result = make_submission([], build=BuildResult(ok=False, language="c", log=XSS))
    page = render_html(result)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page


SECRETS = (
    "SECRET-DESCRIPTION",
    "SECRET-REASON",
    "SECRET-EXPECTED",
    "SECRET-GOT",
    "SECRET-BYTES",
    "SECRET-STDOUT",
    "SECRET-STDERR",
    "SECRET-DIAGNOSTIC",
    "SECRET-HINT",
    "SECRET-RERUN",
)
LATER = ("LATER-DESCRIPTION", "LATER-NOTE", "LATER-STDOUT", "LATER-RERUN")


def test_hidden_details_are_absent_from_the_student_view(
    realistic_result: SubmissionResult,
) -> None:
    page = render_html(realistic_result)
    leaked = [s for s in SECRETS + LATER if s in page]
    assert leaked == [], "the student view shows details it must hide"
    assert "restart-reuseaddr" in page and "concurrent-10" in page
    assert "This is a hidden test: only its result is shown." in page
    assert "Details of this test are shown after the due date." in page


def test_instructor_view_shows_hidden_details(realistic_result: SubmissionResult) -> None:
    page = render_html(realistic_result, student_view=False)
    missing = [s for s in SECRETS + LATER if s not in page]
    assert missing == []
    assert "hidden from students" in page and "instructor view" in page


class Tags(HTMLParser):
    """Collects the tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained(
    realistic_result: SubmissionResult, build_failed_result: SubmissionResult
) -> None:
    for page in (
        render_html(realistic_result),
        render_html(build_failed_result),
        render_html(realistic_result, student_view=False),
    ):
        for needle in ("http://", "https://", "src=", "@import", "url(", "<script", "<link"):
            assert needle not in page, f"{needle!r} in a page that must not fetch anything"
        parser = Tags()
        parser.feed(page)
        names = {tag for tag, _ in parser.tags}
        assert names.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "image"})
        hrefs = [a["href"] for tag, a in parser.tags if "href" in a]
        assert hrefs and all(h and h.startswith("#") for h in hrefs), hrefs
        anchors = {a.get("id") for _, a in parser.tags}
        assert all(h[1:] in anchors for h in hrefs if h)


def test_local_backend_carries_a_warning(
    realistic_result: SubmissionResult, build_failed_result: SubmissionResult
) -> None:
    assert "Ran without isolation." not in render_html(realistic_result)
    assert "Ran without isolation." in render_html(build_failed_result)


def test_failed_build_log_comes_before_the_tests(build_failed_result: SubmissionResult) -> None:
    page = render_html(build_failed_result)
    assert page.index("The build failed") < page.index("<h2>Tests</h2>")
    # colour codes are dropped, the rest of the log is kept
    assert "expected \u2018;\u2019 before \u2018return\u2019" in page
    assert "[1;31m" not in page


def test_thousands_of_events_render_fast_and_the_drawing_is_capped(
    make_submission: Callable[..., SubmissionResult],
) -> None:
    kinds = ("send", "recv", "eof", "connect")
    data = b"message\x00\r\n"
    events = [
        Event(t=i / 100, conn=f"c{i % 3}", kind=kinds[i % 4], size=len(data), data=data)
        for i in range(2000)
    ]
    test = TestResult(
        name="flood",
        description="d",
        visibility="visible",
        points=0,
        max_points=1,
        status="failed",
        reason="r",
        transcript=events,
    )
    result = make_submission([test])
    start = time.perf_counter()
    page = render_html(result)
    elapsed = time.perf_counter() - start
    assert elapsed < 2, f"rendering 2000 events took {elapsed:.2f} s"
    start = page.index('<svg class="timeline"')
    svg = page[start : page.index("</svg>", start)]
    assert svg.count('<g class="ev ') == 200
    assert "1,800 more events not drawn" in page
    assert len(re.findall(r'<tr class="tone-', page)) == 2000


def test_write_html_replaces_the_file_atomically(
    tmp_path: Path, realistic_result: SubmissionResult
) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_html(realistic_result, target)
    assert target.read_text(encoding="utf-8") == render_html(realistic_result)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_html_leaves_no_temporary_file_on_failure(
    tmp_path: Path, realistic_result: SubmissionResult
) -> None:
    target = tmp_path / "report.html"
    target.mkdir()  # os.replace cannot put a file over a directory
    with pytest.raises(OSError):
        write_html(realistic_result, target)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_extra_credit_is_shown_beside_the_score_and_on_its_test() -> None:
    """55 / 50 reads as a bonus, not as a mistake: the header says how much was extra."""
    result = bonus_entry("ana", statistics=True).result
    assert result is not None
    page = render_html(result)
    assert (
        '<span class="earned">35</span> <span class="out-of">/ 30 points</span> '
        '<span class="out-of extra-credit">(+5 extra credit)</span> '
        '<span class="percent">116.7%</span>'
    ) in page, page
    row = re.search(
        r'<tr class="s-passed">\s*<td><a href="#test-3-statistics">.*?</tr>', page, re.S
    )
    assert row is not None and '<span class="tag extra-credit">extra credit</span>' in row[0], page
    assert page.count("extra credit: not counted in the maximum") == 1, page


def test_extra_credit_not_earned_costs_nothing_and_says_so() -> None:
    result = bonus_entry("bo", statistics=False).result
    assert result is not None
    page = render_html(result)
    assert '<span class="earned">30</span> <span class="out-of">/ 30 points</span> ' in page
    assert '<span class="out-of extra-credit">(+0 of 5 extra credit)</span>' in page, page
    assert '<span class="percent">100%</span>' in page, page
    assert '<p class="counts">2 passed, 1 extra credit not earned</p>' in page, page


def test_no_extra_credit_no_mention(realistic_result: SubmissionResult) -> None:
    assert "extra credit" not in render_html(realistic_result)
