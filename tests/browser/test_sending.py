"""A facilitator chases the demo's open round by e-mail in Chromium, with a real mail server on
loopback: the confirmation says who gets what, and reloading the result, going back and
pressing the button again, or both, sends nothing twice."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import SQLModel, select

from app.core.clock import place_today
from app.core.config import Environment, Settings
from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import RoundStatus
from app.models import AssessmentRound, Place
from reports.wording import long_date
from tests.support.browser import axe_violations
from tests.support.mail import Inbox, mail_server
from tests.support.servers import LiveServer, serving


@pytest.fixture
def mailing(tmp_path: Path) -> Iterator[tuple[LiveServer, Inbox, int]]:
    """The demo on a live server that sends e-mail; yields it, its inbox and the open round."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'mail.db'}")
    SQLModel.metadata.create_all(engine)
    with mail_server() as inbox:
        settings = Settings(
            environment=Environment.TEST,
            database_url=engine.url.render_as_string(hide_password=False),
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            smtp_starttls=False,
        )
        with write_session(engine) as session:
            load_demo(session, settings.secret)
            place = session.exec(select(Place)).one()
            ensure_demo_accounts(session, place)
            session.commit()
            open_round = session.exec(
                select(AssessmentRound).where(AssessmentRound.status == RoundStatus.OPEN)
            ).one()
            round_id = open_round.id or 0
        with serving(engine, settings) as server:
            yield server, inbox, round_id
    engine.dispose()


def test_a_reminder_is_confirmed_sent_once_and_never_again_on_reload_or_back(
    page: Page, mailing: tuple[LiveServer, Inbox, int]
) -> None:
    server, inbox, round_id = mailing
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("E-mail address").fill(DEMO_ACCOUNTS[0].email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.url}/rounds/{round_id}/invitations")

    # Everyone waiting was e-mailed when the round opened: nobody is sent their link again.
    page.get_by_role("button", name="E-mail links to people not yet e-mailed").click()
    expect(page.get_by_role("heading", name="Nobody to e-mail")).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="E-mail a reminder to everyone who has not submitted").click()
    heading = page.get_by_role("heading", name="E-mail a reminder to")
    expect(heading).to_be_visible()
    waiting = int(heading.inner_text().split(" to ")[1].split(" ")[0])
    assert waiting > 0 and axe_violations(page) == []
    page.get_by_role("button", name=f"Send {waiting} e-mails").click()
    expect(page.get_by_role("heading", name=f"{waiting} reminders sent")).to_be_visible()
    assert axe_violations(page) == []

    page.reload()
    expect(page.get_by_role("heading", name=f"{waiting} reminders sent")).to_be_visible()
    # Back to the confirmation (made afresh): nobody is reminded twice in a day.
    page.go_back()
    expect(page.get_by_role("heading", name="Nobody to e-mail")).to_be_visible()
    expect(page.get_by_text("or was e-mailed less than a day ago")).to_be_visible()

    assert len(inbox.messages) == waiting
    assert all(str(m["Subject"]).startswith("Reminder:") for m in inbox.messages)
    page.goto(f"{server.url}/rounds/{round_id}/invitations")
    today = long_date(place_today())
    assert page.get_by_text(f"Last reminded on {today}").count() == waiting
