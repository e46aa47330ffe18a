"""Debian's Chromium driven by Playwright: where it is, how it is started, and axe-core's
accessibility check of a page as it is now."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from app.core.paths import PROJECT_ROOT

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


def signed_in_page(browser: Browser, url: str, email: str, password: str, width: int) -> Page:
    """A page of a browser of its own (its own cookies), ``width`` wide, signed in as
    ``email`` through the sign-in form, with the CSP relaxed for axe's script only."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{url}/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


@dataclass(frozen=True)
class DemoPlace:
    """The demo place as ``make run`` loads it, on a live server, with its demo accounts."""

    url: str
    slug: str
    open_round: int
