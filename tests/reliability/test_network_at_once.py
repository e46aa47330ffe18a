"""Sharing with other places, clicked twenty times at once (a double-clicking, impatient
forum on a slow day), against ``placecheck serve`` with two workers on SQLite and PostgreSQL:
one share, one withdrawal, each recorded once, and nobody shown an error. Each click comes
from a browser of its own: one browser's requests wait for each other on its session."""

from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_PASSWORD, NETWORK_EDITOR, ensure_network_editor
from app.models import NetworkRelease, NetworkShare
from tests.support.audit import audited
from tests.support.bursts import at_once, database_for, signed_in_browsers
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of, post_sign_in
from tests.support.servers import server

FACILITATOR = "facilitator@kestrel-vale.example"
AT_ONCE = 20


def _recorded(url: str, round_id: int) -> tuple[int, Counter[str]]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            shares = len(
                session.exec(select(NetworkShare).where(NetworkShare.round_id == round_id)).all()
            )
            actions = audited(session, "network")
    finally:
        engine.dispose()
    return shares, Counter(actions)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_twenty_clicks_at_once_share_once_and_withdraw_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_for(backend, tmp_path, request)
    published = prepare(url, respondents=0).published_round
    page = f"/rounds/{published}/network"
    rows: list[list[str]] = []
    with server(url, tmp_path, workers=2) as running:
        # Each in a browser of their own (requests from one browser queue behind each other).
        browsers = [httpx.Client(base_url=running.url, timeout=120) for _ in range(AT_ONCE)]
        for browser in browsers:
            assert post_sign_in(browser, FACILITATOR, DEMO_PASSWORD).status_code == 303
        tokens = [csrf_of(browser.get(page).text) for browser in browsers]
        withdraw = {"csrf_token": tokens[0]}
        assert browsers[0].post(f"{page}/withdraw", data=withdraw).status_code == 303
        assert _recorded(url, published) == (0, Counter({"network-withdrawn": 1}))

        def share(number: int) -> int:
            form = {
                "csrf_token": tokens[number],
                "visibility": "named" if number % 2 else "unnamed",
                "contact": f"Team {number}",
            }
            return browsers[number].post(page, data=form).status_code

        def withdraw_in(number: int) -> int:
            form = {"csrf_token": tokens[number]}
            return browsers[number].post(f"{page}/withdraw", data=form).status_code

        shared = at_once(AT_ONCE, share)
        rows.append([f"{AT_ONCE} shares at once", str(dict(shared))])
        after_sharing = _recorded(url, published)
        withdrawn = at_once(AT_ONCE, withdraw_in)
        for browser in browsers:
            browser.close()
        rows.append([f"{AT_ONCE} withdrawals at once", str(dict(withdrawn))])
        after_withdrawing = _recorded(url, published)
    print_table(f"Sharing clicked at once, {backend}", ["burst", "statuses"], rows)

    assert shared == Counter({303: AT_ONCE}) and withdrawn == Counter({303: AT_ONCE})
    assert after_sharing == (
        1,
        Counter({"network-withdrawn": 1, "network-shared": 1, "network-share-changed": 19}),
    )
    assert after_withdrawing == (
        0,
        Counter({"network-withdrawn": 2, "network-shared": 1, "network-share-changed": 19}),
    )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_twenty_editors_releasing_at_once_make_one_release(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The demo place shares; twenty presses of "Release the figures now" (the editor's
    double clicks, or several editors at once) make one release, recorded once: the rest find
    nothing changed since it."""
    url = database_for(backend, tmp_path, request)
    prepare(url, respondents=0)
    engine = create_db_engine(url)
    with write_session(engine) as session:
        ensure_network_editor(session)
        session.commit()
    engine.dispose()
    with server(url, tmp_path, workers=2) as running:
        editors = signed_in_browsers(
            running.url, NETWORK_EDITOR, DEMO_PASSWORD, AT_ONCE, "/network"
        )

        def release(number: int) -> str:
            browser, token = editors[number]
            response = browser.post("/network/releases", data={"csrf_token": token})
            return f"{response.status_code} {response.headers.get('location')}"

        released = at_once(AT_ONCE, release)
        for browser, _ in editors:
            browser.close()
    engine = create_db_engine(url)
    with Session(engine) as session:
        releases = len(session.exec(select(NetworkRelease)).all())
        recorded = audited(session, "network-released")
    engine.dispose()
    print_table(
        f"Releasing at once, {backend}",
        ["burst", "answers"],
        [[f"{AT_ONCE} releases", str(dict(released))]],
    )

    assert released == Counter(
        {"303 /network?done=released": 1, "303 /network?done=unchanged": AT_ONCE - 1}
    )
    assert releases == 1 and len(recorded) == 1
