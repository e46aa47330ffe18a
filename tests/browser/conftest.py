"""A live server on loopback and Debian's Chromium driven by Playwright.

Without Chromium these tests skip with a loud reason on a laptop, and fail under CI=true.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import Session, select

from app.core.paths import PROJECT_ROOT, STATIC_DIR
from app.demo.accounts import ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import RoundStatus
from app.models import AssessmentRound, Place
from tests.conftest import LiveServer, require_dependency

CHROMIUM = Path(os.environ.get("PLACECHECK_CHROMIUM", "/usr/bin/chromium"))
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Violations of WCAG 2.2 A and AA that axe-core finds in the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
        })"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@dataclass(frozen=True)
class DemoPlace:
    """The demo place as ``make run`` loads it, on a live server, with its demo accounts."""

    url: str
    slug: str
    open_round: int


@pytest.fixture
def demo_place(live_server: LiveServer) -> DemoPlace:
    with Session(live_server.engine) as session:
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
