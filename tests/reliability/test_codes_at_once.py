"""One code from an authenticator app, sent from twenty browsers at the same moment (a code
read over a shoulder and replayed at once), against ``placecheck serve`` with two workers on
SQLite and PostgreSQL: one browser is let in, never two."""

from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlmodel import select

from app.accounts.two_factor import STEP_SECONDS, confirm_setup, start_setup
from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_PASSWORD
from app.models import User, utcnow
from tests.support.bursts import at_once, database_for
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of, post_sign_in
from tests.support.servers import server

FACILITATOR = "facilitator@kestrel-vale.example"
AT_ONCE = 20


def _turned_on(url: str) -> str:
    """The facilitator's secret, confirmed with the code of the step before this one."""
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            user = session.exec(select(User).where(User.email == FACILITATOR)).one()
            secret = start_setup(session, user).secret
            earlier = utcnow() - timedelta(seconds=STEP_SECONDS)
            confirm_setup(session, user, pyotp.TOTP(secret).at(earlier), now=earlier)
            session.commit()
    finally:
        engine.dispose()
    return secret


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_one_code_sent_from_twenty_browsers_at_once_lets_one_in(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_for(backend, tmp_path, request)
    prepare(url, respondents=0)
    secret = _turned_on(url)
    with server(url, tmp_path, workers=2) as running:
        browsers = [httpx.Client(base_url=running.url, timeout=120) for _ in range(AT_ONCE)]
        for browser in browsers:
            sent = post_sign_in(browser, FACILITATOR, DEMO_PASSWORD)
            assert sent.headers["location"] == "/sign-in/code", sent.text[-300:]
        tokens = [csrf_of(browser.get("/sign-in/code").text) for browser in browsers]
        code = pyotp.TOTP(secret).now()

        def send(number: int) -> int:
            form = {"csrf_token": tokens[number], "code": code}
            return browsers[number].post("/sign-in/code", data=form).status_code

        statuses = at_once(AT_ONCE, send)
        signed_in = sum(
            b.get("/places", follow_redirects=False).status_code == 200 for b in browsers
        )
        for browser in browsers:
            browser.close()
    print_table(
        f"One code at once, {backend}",
        ["burst", "statuses", "signed in"],
        [[f"{AT_ONCE} browsers", str(dict(statuses)), str(signed_in)]],
    )

    assert statuses[303] == 1 and signed_in == 1, statuses
    assert statuses[400] + statuses[429] == AT_ONCE - 1, statuses
