"""The network's page in Chromium, at 1280 and 320 px, with axe: as a network reader and as a
forum member of a place that shares (its place marked), on the demo place with thirteen more
places sharing and one release."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from app.core.db import write_session
from app.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    NETWORK_EDITOR,
    NETWORK_READER,
    ensure_network_editor,
    ensure_network_reader,
)
from app.enums import Region
from app.network.releases import make_releases
from tests.support.browser import DemoPlace, axe_violations, signed_in_page
from tests.support.network import sharing_places
from tests.support.servers import LiveServer

from .test_results_page import OUTSIDE_A_SCROLL_REGION

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.mark.parametrize("width", [1280, 320])
def test_the_network_page_fits_and_passes_axe_for_a_reader_and_a_forum_member(
    browser: Browser, live_server: LiveServer, demo_place: DemoPlace, width: int
) -> None:
    sharing_places(
        live_server.engine,
        [Region.NORTH_WEST] * 7 + [Region.LONDON] * 6,
        [n % 5 == 0 for n in range(13)],
    )
    with write_session(live_server.engine) as session:
        ensure_network_reader(session)
        make_releases(session, 5)
        session.commit()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for who, email in (("reader", NETWORK_READER), ("member", DEMO_ACCOUNTS[1].email)):
        page = signed_in_page(browser, live_server.url, email, DEMO_PASSWORD, width)
        page.goto(f"{live_server.url}/network")
        page.get_by_label("Compare with").select_option("region:london")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        page.screenshot(path=str(SCREENSHOTS / f"network-{who}-{width}.png"), full_page=True)
        main = page.inner_text("main")
        assert "Region: London: places in each band" in main
        assert ("Your place: Kestrel Vale" in main) is (who == "member")
        assert axe_violations(page) == []
        assert page.evaluate(OUTSIDE_A_SCROLL_REGION) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_a_story_is_offered_reviewed_and_read_in_the_library_and_each_page_passes_axe(
    browser: Browser, live_server: LiveServer, demo_place: DemoPlace, width: int
) -> None:
    """The facilitator offers a story (a first try refused with the error summary), the
    network's editor declines it with a word and the facilitator offers it again, the editor
    publishes it, and a forum member reads it in the library."""
    with write_session(live_server.engine) as session:
        ensure_network_editor(session)
        session.commit()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def signed_in(email: str) -> Page:
        return signed_in_page(browser, live_server.url, email, DEMO_PASSWORD, width)

    def looked_at(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    facilitator = signed_in(DEMO_ACCOUNTS[0].email)
    facilitator.goto(f"{live_server.url}/places/kestrel-vale")
    facilitator.get_by_role("link", name="Offer other places a story of what worked").click()
    facilitator.get_by_label("Title").fill("A residents' panel that sets the agenda")
    facilitator.get_by_label("The condition it is about").select_option(
        label="Co-production with local people with lived experience"
    )
    facilitator.get_by_label("What you did").fill("Too short")
    facilitator.get_by_label("Whom other places contact").fill("Forum team, forum@kv.example")
    facilitator.get_by_role("button", name="Send to the network's editor").click()
    summary = facilitator.locator(".govuk-error-summary")
    assert "What you did must be at least 20 characters long" in summary.inner_text()
    looked_at(facilitator, "stories-place-error")
    facilitator.get_by_label("What you did").fill("Twelve paid residents choose two items a year.")
    facilitator.get_by_label("What changed").fill("Two of our four priorities came from them.")
    facilitator.get_by_role("button", name="Send to the network's editor").click()
    assert "Waiting for the network's editor" in facilitator.inner_text("main")
    looked_at(facilitator, "stories-place")

    editor = signed_in(NETWORK_EDITOR)
    editor.goto(f"{live_server.url}/network/stories")
    assert "Waiting for review (1)" in editor.inner_text("main")
    assert editor.get_by_label("Why it is not published (for its place)").input_value() == ""
    looked_at(editor, "stories-editor")
    editor.get_by_label("Publish it in the library").check()
    editor.get_by_role("button", name="Save the decision").click()
    assert "The story was published" in editor.inner_text("main")

    member = signed_in(DEMO_ACCOUNTS[1].email)
    member.goto(f"{live_server.url}/network")
    member.get_by_role("link", name="What worked: stories from places").click()
    member.get_by_label("Stories about").select_option(
        label="Co-production with local people with lived experience"
    )
    member.get_by_role("button", name="Show").click()
    library = member.inner_text("main")
    assert "A residents' panel that sets the agenda" in library and "Kestrel Vale" in library
    looked_at(member, "stories-library")
    for page in (facilitator, editor, member):
        page.context.close()
