"""The respondent journey in a real browser: keyboard only, reloads, two tabs, a closed round,
axe-core on every page type, and a 320px-wide screen."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.enums import RoundStatus
from app.models import Answer
from tests.support.browser import axe_violations
from tests.support.records import Invited, make_round, set_status
from tests.support.servers import LiveServer

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def invited(live_server: LiveServer) -> Invited:
    return make_round(live_server.engine)


def tab_to(page: Page, condition: str, *, limit: int = 80) -> None:
    """Press Tab until ``condition`` (JavaScript, given the focused element `el`) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {condition} }})()"):
            return
    raise AssertionError(f"never reached by keyboard: {condition}")


def choose_by_keyboard(page: Page, name: str, steps_down: int) -> None:
    tab_to(page, f"el.name === {name!r}")
    page.keyboard.press("Space")
    for _ in range(steps_down):
        page.keyboard.press("ArrowDown")


def stored_levels(server: LiveServer) -> dict[str, int | None]:
    with Session(server.engine) as session:
        return {a.item_id: a.level for a in session.exec(select(Answer)).all()}


def test_a_whole_journey_by_keyboard_only(
    page: Page, live_server: LiveServer, invited: Invited
) -> None:
    page.goto(f"{live_server.url}/r/{invited.community}")
    tab_to(page, "el.textContent.trim() === 'Start now'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks")
    expect(page.locator("h1")).to_have_text("Your answers")
    tab_to(page, "el.textContent.trim() === 'Starting from people'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/people-focus")

    pages = 0
    while page.locator("form[data-autosave]").count():
        names = page.eval_on_selector_all(
            "input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
        )
        for name in names:
            choose_by_keyboard(page, name, 2)  # the third choice
        tab_to(page, "el.textContent.trim() === 'Save and continue'")
        before = page.url
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url, before=before: url != before)
        pages += 1
        assert pages <= 12

    expect(page.locator("h1")).to_have_text("Check your answers")
    tab_to(page, "el.textContent.trim() === 'Continue'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks")
    tab_to(page, "el.textContent.trim() === 'Submit your answers'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/submit")
    expect(page.locator("h1")).to_have_text("Submit your answers")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Submit your answers'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/done")

    expect(page.locator(".govuk-panel__title")).to_have_text("Answers submitted")
    assert pages == 12
    levels = stored_levels(live_server)
    assert len(levels) == 31
    assert set(levels.values()) == {3}


def test_reloading_or_closing_the_tab_loses_nothing(
    browser: Browser, page: Page, live_server: LiveServer, invited: Invited
) -> None:
    url = f"{live_server.url}/r/{invited.council}/p/people-focus"
    page.goto(url)
    page.check("#answer-people-focus-1-4")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at")
    page.fill("#evidence-answer-people-focus-1", "Joint plans in two neighbourhoods.")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at", timeout=5000)
    page.wait_for_function("() => document.querySelector('[data-save-status]').textContent")
    page.wait_for_timeout(2000)

    page.reload()
    expect(page.locator("#answer-people-focus-1-4")).to_be_checked()

    page.context.close()
    fresh = browser.new_context().new_page()
    fresh.goto(url)
    expect(fresh.locator("#answer-people-focus-1-4")).to_be_checked()
    expect(fresh.locator("#evidence-answer-people-focus-1")).to_have_value(
        "Joint plans in two neighbourhoods."
    )
    fresh.context.close()


def test_a_validation_error_keeps_what_was_typed(
    page: Page, live_server: LiveServer, invited: Invited
) -> None:
    page.goto(f"{live_server.url}/r/{invited.council}/p/people-focus")
    page.check("#answer-people-focus-1-2")
    page.fill("#evidence-answer-people-focus-2", "Only in the north of the borough.")
    page.click("button:has-text('Save and continue')")

    expect(page).to_have_title("Error: People focus – Placecheck")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Question 2: Select an answer")
    expect(page.locator("#answer-people-focus-1-2")).to_be_checked()
    expect(page.locator("#evidence-answer-people-focus-2")).to_have_value(
        "Only in the north of the borough."
    )
    summary.locator("a", has_text="Question 2").click()
    expect(page.locator("#answer-people-focus-2")).to_be_focused()


def test_a_stale_second_tab_is_detected(
    browser: Browser, live_server: LiveServer, invited: Invited
) -> None:
    url = f"{live_server.url}/r/{invited.council}/p/people-focus"
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    first.goto(url)
    second.goto(url)

    first.check("#answer-people-focus-1-5")
    expect(first.locator("[data-save-status]")).to_contain_text("Saved at")
    second.check("#answer-people-focus-1")
    expect(second.locator("[data-save-status]")).to_contain_text("changed in another tab")
    second.click("button:has-text('Save and come back later')")

    expect(second.locator(".govuk-error-summary")).to_contain_text("changed in another tab")
    expect(second.locator("#answer-people-focus-1-5")).to_be_checked()
    assert stored_levels(live_server)["people-focus.1"] == 5
    context.close()


def test_after_the_round_closes_answers_show_read_only(
    page: Page, live_server: LiveServer, invited: Invited
) -> None:
    page.goto(f"{live_server.url}/r/{invited.council}/p/people-focus")
    page.check("#answer-people-focus-1-3")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at")
    set_status(live_server.engine, invited.round_id, RoundStatus.CLOSED)

    page.reload()

    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("can no longer be changed")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Developing")


def _visit_every_page_type(page: Page, server: LiveServer, invited: Invited) -> list[str]:
    """Open each page type in turn; returns their names as it goes (for messages)."""
    base = f"{server.url}/r/{invited.council}"
    return [
        ("start", f"{base}"),
        ("task list", f"{base}/tasks"),
        ("question", f"{base}/p/people-focus"),
        ("check answers", f"{base}/check/conditions"),
        ("submit", f"{base}/submit"),
        ("invalid link", f"{server.url}/r/not-a-real-link"),
    ]


def test_axe_finds_no_wcag_violations_on_any_page_type(
    page: Page, live_server: LiveServer, invited: Invited
) -> None:
    found: dict[str, object] = {}
    for name, url in _visit_every_page_type(page, live_server, invited):
        page.goto(url)
        found[name] = axe_violations(page)

    page.goto(f"{live_server.url}/r/{invited.council}/p/people-focus")
    page.click("button:has-text('Save and continue')")
    found["question with errors"] = axe_violations(page)
    page.goto(f"{live_server.url}/r/{invited.council}/submit")
    found["submit with nothing answered"] = axe_violations(page)
    page.get_by_label("I want to submit without answering any question").check()
    page.click("main button:has-text('Submit your answers')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Answers submitted")
    found["confirmation"] = axe_violations(page)

    assert {name: v for name, v in found.items() if v} == {}
    assert len(found) == 9


def test_nothing_is_cut_off_on_a_320px_wide_screen(
    browser: Browser, live_server: LiveServer, invited: Invited
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    narrow = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widths = {}
    for name, url in _visit_every_page_type(narrow, live_server, invited):
        narrow.goto(url)
        widths[name] = narrow.evaluate("document.documentElement.scrollWidth")
        narrow.screenshot(
            path=str(SCREENSHOTS / f"320-{name.replace(' ', '-')}.png"), full_page=True
        )
    context.close()

    assert widths == dict.fromkeys(widths, 320)


def test_the_axe_check_reports_a_real_violation(page: Page) -> None:
    """Guards the check above: an image without alternative text must be caught."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head>'
        '<body><main><img src="x.png"></main></body></html>'
    )

    assert "image-alt" in {violation["id"] for violation in axe_violations(page)}


def test_the_pages_scripts_run_under_the_content_security_policy(
    browser: Browser, live_server: LiveServer, invited: Invited
) -> None:
    """The policy allows only the service's own scripts: every script the pages need must be a
    file, and the browser must report no refusal while the answer saves in the background."""
    context = browser.new_context()  # the policy in force, unlike the axe-core pages
    page = context.new_page()
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in ("", "/tasks", "/p/people-focus"):
        page.goto(f"{live_server.url}/r/{invited.council}{path}")
        expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    page.locator("#answer-people-focus-1-3").check()
    page.wait_for_function("() => document.querySelector('[data-save-status]').textContent")
    page.goto(f"{live_server.url}/sign-in")
    context.close()

    assert refusals == []
    with Session(live_server.engine) as session:
        saved = session.exec(select(Answer).where(Answer.item_id == "people-focus.1")).all()
    assert [answer.level for answer in saved] == [3]


def test_the_information_pages_are_accessible_and_fit_a_narrow_screen(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    for path in ("/accessibility", "/privacy", "/help"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") == 320, path
        assert axe_violations(page) == [], path
    context.close()
