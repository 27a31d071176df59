"""The summary page and a report in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batch_samples import assignment, batch

from grader.report.outputs import file_names, write_outputs

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium in a container: no sandbox (no user namespaces), no GPU, and nothing
# fetched in the background, so that a console error can only come from the page.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def unavailable(message: str) -> None:
    """Skip on a laptop without the browser; fail in CI, where it is required."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: the browser tests need it in CI (see .ci/run)", pytrace=False)
    pytest.skip(f"{message} (CI=true turns this skip into a failure)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional dependency
    except ImportError:
        unavailable("the playwright Python package is not installed")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    entries = batch()
    write_outputs(folder, assignment(), entries, previous=entries[:20])
    return folder


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """The page at path, loaded from file://, and the list its console errors go to."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def keep(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / name
    page.screenshot(path=str(shot), full_page=True)
    return shot


def test_summary_opens_and_a_details_section_expands(browser: Any, out: Path) -> None:
    page, errors = open_page(browser, out / "summary.html")
    try:
        assert "Class summary" in page.title()
        folded = page.locator("details.group").first
        assert folded.get_attribute("open") is None
        assert not folded.locator("details.problem").first.is_visible()
        folded.locator("summary").first.click()
        assert folded.get_attribute("open") == "", "a click on the summary opens the section"
        assert folded.locator("details.problem").first.is_visible()
        assert page.locator("svg.histogram rect.bar").count() > 0
        shot = keep(page, "summary.png")
        assert shot.stat().st_size > 10_000
        assert errors == []
    finally:
        page.close()


def test_report_link_from_the_summary_opens_the_student_report(browser: Any, out: Path) -> None:
    page, errors = open_page(browser, out / "summary.html")
    try:
        name = file_names(["s001"])["s001"]
        page.locator(f'table.students a[href="reports/{name}.html"]').click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/reports/{name}.html")
        assert "student view" in page.locator(".eyebrow").inner_text().lower()
        anchor = page.locator("details.test:not([open])").first.get_attribute("id")
        closed = page.locator(f"details#{anchor}")
        assert closed.get_attribute("open") is None
        closed.locator("> summary").click()
        assert closed.get_attribute("open") == ""
        keep(page, "report.png")
        assert errors == []
    finally:
        page.close()


def test_nothing_is_fetched(browser: Any, out: Path) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto((out / "summary.html").as_uri())
        page.goto((out / "reports" / "s001.html").as_uri())
        assert all(u.startswith("file://") for u in requests), requests
        assert len(requests) == 2
    finally:
        page.close()
