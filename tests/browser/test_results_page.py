"""The demo place's results page in Chromium at a desktop and the narrowest phone width: every
wide table scrolls inside a labelled region, nothing else runs off the screen, and axe-core
finds no WCAG 2.2 A/AA violation."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from app.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.support.browser import DemoPlace, axe_violations

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

OUTSIDE_A_SCROLL_REGION = """() => {
  const width = document.documentElement.clientWidth;
  const escaped = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    const region = element.closest('[role=region]');
    const labelled = region && (region.getAttribute('aria-labelledby')
      || region.getAttribute('aria-label'));
    const scrolls = region && getComputedStyle(region).overflowX === 'auto'
      && region.getBoundingClientRect().right <= width + 0.5;
    if (region && region !== element && labelled && scrolls) continue;
    escaped.push(`${element.tagName.toLowerCase()}.${element.className} ends at ${box.right}`);
  }
  return escaped;
}"""


@pytest.fixture
def demo_results(demo_place: DemoPlace) -> str:
    return f"{demo_place.url}/rounds/{demo_place.open_round}/results"


def _signed_in_page(browser: Browser, results: str, width: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    origin = results.split("/rounds/")[0]
    page.goto(f"{origin}/sign-in")
    page.get_by_label("E-mail address").fill(DEMO_ACCOUNTS[0].email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(results)
    return page


@pytest.mark.parametrize("width", [1280, 320])
def test_the_results_page_never_scrolls_sideways_outside_a_labelled_region(
    browser: Browser, demo_results: str, width: int
) -> None:
    page = _signed_in_page(browser, demo_results, width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for part in ("", "/sectors", "/tables", "/recommendations", "/agreed"):
        page.goto(demo_results + part)
        for details in page.locator("details").all():
            details.evaluate("element => { element.open = true; }")
        name = part.strip("/") or "summary"
        page.screenshot(path=str(SCREENSHOTS / f"results-{name}-{width}.png"), full_page=True)
        assert page.evaluate(OUTSIDE_A_SCROLL_REGION) == [], part
        assert page.evaluate("document.documentElement.scrollWidth") == width, part
        assert axe_violations(page) == [], part
    page.context.close()


def test_at_desktop_width_the_sector_table_fits_without_scrolling(
    browser: Browser, demo_results: str
) -> None:
    page = _signed_in_page(browser, demo_results, 1280)
    for part, caption in (
        ("/tables", "#by-sector-caption"),
        ("/tables", "#by-organisation-caption"),
        ("", "#conditions-caption"),
    ):
        page.goto(demo_results + part)
        region = page.locator(f"[role=region]:has({caption})")
        assert region.evaluate("element => element.scrollWidth <= element.clientWidth"), caption
    page.context.close()


def test_each_condition_compares_every_sector_with_the_place(
    browser: Browser, demo_results: str
) -> None:
    page = _signed_in_page(browser, demo_results, 1280)
    widest = page.locator("h3:text('Widest gaps between sectors') + ul li strong").all_inner_texts()
    assert page.get_by_role("heading", name="Where partners disagree").is_visible()
    page.get_by_role("link", name="how each sector sees each condition").click()
    opened = page.locator("details[open] summary").all_inner_texts()
    assert "Shared outcomes and mutual accountability: all partners 2.8" in opened
    assert {title.split(":")[0] for title in opened} == {w.rstrip(".") for w in widest}
    table = page.locator("table:has(#compare-shared-outcomes-and-accountability-caption)")
    rows = table.locator("tbody tr").all_inner_texts()
    assert rows[0].split() == ["All", "partners", "24", "2.8"]
    local_authority = next(row for row in rows if row.startswith("Local authority"))
    assert local_authority.split()[-2:] == ["4.6", "+1.8"]
    page.context.close()
