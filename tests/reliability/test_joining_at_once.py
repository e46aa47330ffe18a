"""Inviting someone and following the invitation, twenty times at once, against
``placecheck serve`` with two workers on SQLite and PostgreSQL: one invitation from one form
however often it is sent, and one account from one link however many tabs send it (the others
are told the link was used). Each request comes from a browser of its own."""

import re
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from app.core.db import create_db_engine
from app.demo.accounts import DEMO_PASSWORD
from app.models import AccountInvitation, PlaceMembership, User
from tests.support.audit import audited
from tests.support.bursts import at_once, database_for
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of, post_sign_in
from tests.support.servers import server

FACILITATOR = "facilitator@kestrel-vale.example"
PEOPLE = "/places/kestrel-vale/people"
AT_ONCE = 20


def _recorded(url: str) -> tuple[int, int, int, Counter[str]]:
    """Invitations, accounts and memberships for the invited address, and what was audited."""
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            invitations = session.exec(
                select(AccountInvitation).where(AccountInvitation.email == "kit@example.org")
            ).all()
            users = session.exec(select(User).where(User.email == "kit@example.org")).all()
            memberships = session.exec(
                select(PlaceMembership)
                .join(User, col(User.id) == col(PlaceMembership.user_id))
                .where(User.email == "kit@example.org")
            ).all()
            actions = audited(session, "account-")
    finally:
        engine.dispose()
    return len(invitations), len(users), len(memberships), Counter(actions)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_twenty_at_once_make_one_invitation_and_one_account(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_for(backend, tmp_path, request)
    prepare(url, respondents=0)
    with server(url, tmp_path, workers=2) as running:
        facilitators = [httpx.Client(base_url=running.url, timeout=120) for _ in range(AT_ONCE)]
        for browser in facilitators:
            assert post_sign_in(browser, FACILITATOR, DEMO_PASSWORD).status_code == 303
        form_page = facilitators[0].get(PEOPLE).text
        key = re.findall(r'name="form_key" value="([^"]+)"', form_page)[0]
        tokens = [csrf_of(browser.get(PEOPLE).text) for browser in facilitators]
        invited = {"form_key": key, "display_name": "Kit", "email": "kit@example.org"}

        def invite(number: int) -> int:
            form = {**invited, "role": "viewer", "csrf_token": tokens[number]}
            return facilitators[number].post(PEOPLE, data=form).status_code

        invitations = at_once(AT_ONCE, invite)
        link = re.findall(r">https?://[^<]*(/join/[^<]+)</code>", facilitators[0].get(PEOPLE).text)
        for browser in facilitators:
            browser.close()

        tabs = [httpx.Client(base_url=running.url, timeout=120) for _ in range(AT_ONCE)]
        join_tokens = [csrf_of(tab.get(link[0]).text) for tab in tabs]

        def join(number: int) -> int:
            chosen = f"kit's password, tab {number}"
            form = {
                "email": "kit@example.org",
                "new_password": chosen,
                "confirm_password": chosen,
                "csrf_token": join_tokens[number],
            }
            return tabs[number].post(link[0], data=form, follow_redirects=False).status_code

        joined = at_once(AT_ONCE, join)
        for tab in tabs:
            tab.close()
        recorded = _recorded(url)
    print_table(
        f"Invitations at once, {backend}",
        ["burst", "statuses"],
        [
            [f"{AT_ONCE} invitations, one form", str(dict(invitations))],
            [f"{AT_ONCE} tabs following one link", str(dict(joined))],
        ],
    )

    assert invitations == Counter({303: AT_ONCE})
    assert joined == Counter({303: 1, 410: AT_ONCE - 1})
    assert recorded == (1, 1, 1, Counter({"account-invited": 1, "account-joined": 1}))
