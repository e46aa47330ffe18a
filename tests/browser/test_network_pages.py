"""The network's page in Chromium, at 1280 and 320 px, with axe: as a network reader and as a
forum member of a place that shares (its place marked), on the demo place with thirteen more
places sharing and one release."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from app.core.db import write_session
from app.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, NETWORK_READER, ensure_network_reader
from app.enums import Region
from app.network.releases import make_releases
from tests.support.browser import DemoPlace, axe_violations
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
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/sign-in")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
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
        context.close()
