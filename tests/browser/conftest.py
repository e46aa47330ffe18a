"""A live server on loopback and Debian's Chromium driven by Playwright.

Without Chromium these tests skip with a loud reason on a laptop, and fail under CI=true.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine
from sqlmodel import SQLModel

from app.core.config import Environment, Settings
from app.core.db import create_db_engine
from app.core.paths import PROJECT_ROOT, STATIC_DIR
from app.main import create_app
from tests.conftest import require_dependency

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


@dataclass
class LiveServer:
    url: str
    engine: Engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'live.db'}")
    SQLModel.metadata.create_all(engine)
    settings = Settings(
        environment=Environment.TEST,
        database_url=str(engine.url),
        report_cache_dir=tmp_path / "report-cache",
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings=settings, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", engine)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB")
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
