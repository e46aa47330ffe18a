"""Limits on guessing, hit by many requests at the same moment, against ``placecheck serve`` with
two workers on SQLite and on PostgreSQL. A limit that checks first and counts after lets a burst
through (40 wrong passwords sent at once were all checked, and the right one among them was
accepted); each attempt must take its place in the count before its password is checked."""

import secrets
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, delete

from app.core.db import create_db_engine
from app.demo.accounts import DEMO_PASSWORD
from app.models import FailedAttempt
from tests.support.bursts import at_once, database_for
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of, post_sign_in
from tests.support.servers import Server, server

VIEWER = "viewer@kestrel-vale.example"
FACILITATOR = "facilitator@kestrel-vale.example"
NEW_PASSWORD = "a new password with spaces "


def _sign_ins_at_once(
    running: Server, email: str, count: int, every: str | None = None
) -> Counter[int]:
    """``count`` wrong passwords for one account at once, the right one among them (last);
    or ``every`` one the same."""
    clients = [httpx.Client(base_url=running.url, timeout=120) for _ in range(count)]
    tokens = [csrf_of(client.get("/sign-in").text) for client in clients]

    def send(number: int) -> int:
        password = every or (DEMO_PASSWORD if number == count - 1 else f"wrong guess {number}")
        form = {"email": email, "password": password, "csrf_token": tokens[number]}
        return clients[number].post("/sign-in", data=form).status_code

    try:
        return at_once(count, send)
    finally:
        for client in clients:
            client.close()


def _bad_links_at_once(running: Server, count: int) -> Counter[int]:
    with httpx.Client(base_url=running.url, timeout=120) as client:
        return at_once(count, lambda _: client.get(f"/r/{secrets.token_urlsafe(32)}").status_code)


def _forget_attempts(url: str) -> None:
    engine = create_db_engine(url)
    with Session(engine) as session:
        session.exec(delete(FailedAttempt))
        session.commit()
    engine.dispose()


def _change_password(client: httpx.Client, token: str, current: str) -> int:
    form = {
        "csrf_token": token,
        "current_password": current,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    return client.post("/account/password", data=form).status_code


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_guesses_sent_at_once_are_counted_one_by_one(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_for(backend, tmp_path, request)
    prepare(url, respondents=0)
    rows: list[list[str]] = []
    with server(url, tmp_path, workers=2) as running:
        # Twenty people signing in at once with the right password all get in: an attempt
        # that finds the count full of checks still running waits for them.
        right = _sign_ins_at_once(running, FACILITATOR, 20, DEMO_PASSWORD)
        rows.append(["20 right passwords on one account at once", str(dict(right))])
        assert right == Counter({303: 20}), right
        _forget_attempts(url)

        for count in (20, 60):
            statuses = _sign_ins_at_once(running, VIEWER, count)
            rows.append([f"{count} sign-ins on one account at once", str(dict(statuses))])
            # Five wrong passwords are checked, never more. The right one is let in if it came
            # while a place was free (and gives the place back, which a later guess may take).
            assert statuses[400] == 5, statuses
            assert statuses[429] + statuses[303] == count - 5 and statuses[303] <= 1, statuses
            _forget_attempts(url)

        for count in (20, 60):
            statuses = _bad_links_at_once(running, count)
            rows.append([f"{count} bad links from one address at once", str(dict(statuses))])
            assert statuses[404] == 20 and statuses[429] == count - 20, statuses
            _forget_attempts(url)

        with httpx.Client(base_url=running.url, timeout=120) as viewer:
            assert post_sign_in(viewer, VIEWER, DEMO_PASSWORD).status_code == 303
            token = csrf_of(viewer.get("/account").text)

            statuses = at_once(30, lambda n: _change_password(viewer, token, f"wrong {n}"))
            right = _change_password(viewer, token, DEMO_PASSWORD)
        rows.append(["30 wrong current passwords at once", str(dict(statuses))])
        rows.append(["then the right one", str(right)])
        assert statuses == Counter({400: 5, 429: 25}), statuses
        assert right == 429
    print_table(f"Limits hit at once, {backend} with 2 workers", ["burst", "statuses"], rows)
