"""The class summary page: golden file, counts and rates, escaping, visibility, links."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from batch_samples import assignment, batch, bonus_assignment, bonus_entry, entry, graded
from test_html import check_golden

from grader.report.outputs import file_names
from grader.report.regrade import regrade_diff
from grader.report.summary import build_summary, outcome, render_summary
from grader.results import BatchEntry


def links(entries: list[BatchEntry]) -> dict[str, str]:
    names = file_names(e.student.id for e in entries)
    return {e.student.id: f"reports/{names[e.student.id]}.html" for e in entries if e.result}


def page(entries: list[BatchEntry], previous: list[BatchEntry] | None = None) -> str:
    changes = regrade_diff(previous, entries) if previous is not None else None
    return render_summary(assignment(), entries, links(entries), changes)


def test_summary_matches_golden_file() -> None:
    """The summary of the generated batch equals golden/summary.html.

    Refresh after an intended change with ``GRADER_UPDATE_GOLDEN=1`` (see test_html.py) and
    review the diff.
    """
    check_golden("summary.html", page(batch()))


def test_summary_with_regrade_diff_matches_golden_file() -> None:
    """A small batch graded twice equals golden/summary-regrade.html (refresh: see above)."""
    now = [
        entry("amy", graded("amy", [True] * 7)),
        entry("ben", graded("ben", [False] + [True] * 6)),
        entry("cat", message="cat.zip: not a zip archive"),
        entry("dan", graded("dan", [True, False, True, False, True, False, True])),
    ]
    before = [
        entry("amy", graded("amy", [True] * 6 + [False])),
        entry("ben", graded("ben", [True] * 7)),
        entry("cat", graded("cat", [True] * 7)),
        entry("eve", graded("eve", [True] * 7)),
    ]
    check_golden("summary-regrade.html", page(now, previous=before))


def test_summary_does_not_depend_on_entry_order() -> None:
    entries = batch()
    assert page(entries) == page(list(reversed(entries)))


def test_counts_add_up_to_the_entries() -> None:
    entries = batch()
    view = build_summary(assignment(), entries, links(entries))
    counts = {c.key: c.value for c in view.counts}
    expected = {k: sum(outcome(e) == k for e in entries) for k in counts}
    assert counts == expected
    assert sum(counts.values()) == len(entries)
    assert counts["rejected"] == 1 and counts["infrastructure_error"] == 1
    assert sum(b.count for b in view.histogram.bars) == view.graded == len(entries) - 2


def test_tests_the_class_fails_most_come_first() -> None:
    entries = batch()
    view = build_summary(assignment(), entries, links(entries))
    rates = [t.passed / t.total for t in view.tests]
    assert rates == sorted(rates), [(t.name, t.rate) for t in view.tests]
    graded_results = [e.result for e in entries if e.result and e.status == "graded"]
    for t in view.tests:
        passed = sum(
            1 for r in graded_results for x in r.tests if x.name == t.name and x.status == "passed"
        )
        assert (t.passed, t.total) == (passed, len(graded_results)), t.name


def test_hidden_tests_and_their_details_show_in_the_summary() -> None:
    html = page(batch())
    assert "restart-reuseaddr" in html and "hidden from students" in html
    assert "concurrent-10" in html and "shown after the due date" in html
    # the instructor sees why hidden tests crashed or failed, e.g. in the problem list
    assert "Your program crashed (signal 11, SIGSEGV)" in html


def test_student_data_is_escaped_and_controls_made_visible() -> None:
    html = page(batch())
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x00id" in html
    assert re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html) is None
    assert "\\x1b" in html and "\\x07" in html


class Tags(HTMLParser):
    """Collects the tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_summary_is_self_contained_and_links_every_report() -> None:
    entries = batch()
    html = page(entries, previous=entries[:10])
    for needle in ("http://", "https://", "src=", "@import", "url(", "<script", "<link"):
        assert needle not in html, f"{needle!r} in a page that must not fetch anything"
    parser = Tags()
    parser.feed(html)
    assert {t for t, _ in parser.tags}.isdisjoint({"script", "link", "img", "iframe", "object"})
    hrefs = {a["href"] for t, a in parser.tags if t == "a" and a.get("href")}
    reports = set(links(entries).values())
    exports = {"gradebook.csv", "canvas.csv", "moodle-worksheet.csv", "results.json", "junit/"}
    exports |= {"gradescope/", "regrade-diff.csv"}
    assert reports <= hrefs, "every graded student's report is linked"
    assert hrefs == reports | exports, "links go to reports and the other outputs, relative"
    assert all(h and ".." not in h and ":" not in h for h in hrefs)


def test_rejected_and_ungraded_entries_are_listed_with_their_messages() -> None:
    html = page(batch())
    assert "evil.zip: entry &#39;../../etc/passwd&#39; leads out" in html
    assert "The Docker engine did not answer within 30 s" in html
    assert "The build failed: gcc -Wall -o server server.c" in html


def test_regrade_section_appears_only_with_a_previous_run() -> None:
    entries = [entry("amy", graded("amy", [True] * 7)), entry("ben", graded("ben", [False] * 7))]
    before = [entry("amy", graded("amy", [True] * 6 + [False])), entries[1]]
    assert "Changes since the previous run" not in page(entries)
    html = page(entries, previous=before)
    assert "Changes since the previous run" in html
    assert "1 student changed: 1 up<" in html
    assert (
        '<code>concurrent-10</code> <span class="st s-timeout">◷ timed out</span> → '
        '<span class="st s-passed">✓ passed</span>'
    ) in html
    assert "+10" in html
    nothing = page(entries, previous=entries)
    assert "No student&#39;s score or test results changed" in nothing


def test_empty_batch_renders() -> None:
    html = render_summary(assignment(), [], {})
    assert "0 submissions, none graded" in html


def test_extra_credit_is_a_bonus_in_the_summary() -> None:
    """A student who did the required work has full marks, with or without the bonus; the
    bonus shows beside the score and on its test."""
    entries = [
        bonus_entry("ana", statistics=True),
        bonus_entry("bo", statistics=False),
        bonus_entry("cy", statistics=True, timeouts=False),
    ]
    view = build_summary(bonus_assignment(), entries, {})
    assert [(r.id, r.status, r.score, r.extra_credit, r.percent) for r in view.rows] == [
        ("ana", "full", "35", "+5 extra credit", "117%"),
        ("bo", "full", "30", "", "100%"),
        ("cy", "partial", "15", "+5 extra credit", "50%"),
    ]
    assert [c.value for c in view.counts if c.key in ("full", "partial")] == [2, 1]
    rates = {t.name: (t.tag, t.points) for t in view.tests}
    assert rates["statistics"] == ("extra credit", "+5"), rates
    assert rates["timeouts"] == ("", "20"), rates
    html = render_summary(bonus_assignment(), entries, {})
    assert "· 30 points (+5 extra credit on top) ·" in html, html
    assert 'title="statistics: passed, 5 / 5 extra credit"' in html, html
