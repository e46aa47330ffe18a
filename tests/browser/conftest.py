"""A live server on loopback and Debian's Chromium driven by Playwright.

Without Chromium these tests skip with a loud reason on a laptop, and fail under CI=true.
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import select

from app.core.db import write_session
from app.core.paths import STATIC_DIR
from app.demo.accounts import ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import RoundStatus
from app.models import AssessmentRound, Place
from tests.support.browser import AXE, CHROMIUM, CHROMIUM_ARGS, DemoPlace
from tests.support.databases import require_dependency
from tests.support.servers import LiveServer


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_dependency(
        CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    )
    require_dependency(
        (STATIC_DIR / "build" / "placecheck.css").exists() and AXE.exists(),
        "the front-end assets are not built (run make assets)",
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # axe-core goes in as an inline script, which the app's Content-Security-Policy refuses;
    # tests that need the policy in force use a context of their own.
    context = browser.new_context(
        viewport={"width": 1024, "height": 900}, locale="en-GB", bypass_csp=True
    )
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def demo_place(live_server: LiveServer) -> DemoPlace:
    with write_session(live_server.engine) as session:
        summary = load_demo(session, "a-test-secret-for-the-demo-place-0123456789")
        place = session.get(Place, summary.place_id)
        assert place is not None
        ensure_demo_accounts(session, place)
        open_round = session.exec(
            select(AssessmentRound).where(
                AssessmentRound.place_id == summary.place_id,
                AssessmentRound.status == RoundStatus.OPEN,
            )
        ).one()
        return DemoPlace(live_server.url, place.slug, open_round.id or 0)
