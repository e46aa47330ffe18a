"""Debian's Chromium driven by Playwright: where it is, how it is started, and axe-core's
accessibility check of a page as it is now."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

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


@dataclass(frozen=True)
class DemoPlace:
    """The demo place as ``make run`` loads it, on a live server, with its demo accounts."""

    url: str
    slug: str
    open_round: int
