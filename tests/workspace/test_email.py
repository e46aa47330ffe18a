"""Invitation e-mails through a real SMTP server on loopback (aiosmtpd)."""

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from app.core.config import Settings
from app.core.db import write_session
from app.main import create_app
from app.models import Invitation, OutboxMessage, utcnow
from tests.support.mail import Inbox, mail_server
from tests.support.pages import sign_in
from tests.support.servers import free_port
from tests.support.workspace import Workspace


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with mail_server() as handler:
        yield handler, handler.port


def _with_emails(engine: Engine, round_id: int) -> int:
    """Everyone waiting in the round gets an address, and nobody has been e-mailed yet (the
    demo's own sends are forgotten)."""
    with write_session(engine) as session:
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.round_id) == round_id))
        invitations = session.exec(
            select(Invitation).where(
                Invitation.round_id == round_id,
                col(Invitation.status).in_(["not-opened", "started"]),
            )
        ).all()
        for number, invitation in enumerate(invitations):
            invitation.email = f"person{number}@example.org"
            invitation.emailed_at = None
            session.add(invitation)
        session.commit()
        return len(invitations)


def _confirmed_send(client: TestClient, round_id: int, who: str) -> tuple[str, dict[str, str]]:
    """The confirmation page's form: where it posts, and what (its one-time key among it)."""
    page = client.get(f"/rounds/{round_id}/invitations/email?who={who}")
    assert page.status_code == 200, page.text[-2000:]
    action = f"/rounds/{round_id}/invitations/email"
    form = page.text.split(f'<form method="post" action="{action}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    return action, fields


def test_links_are_e_mailed_once_and_each_message_carries_a_working_link(
    settings: Settings, engine: Engine, workspace: Workspace, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    waiting = _with_emails(engine, workspace.current_round)
    assert waiting >= 1
    mail = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with TestClient(create_app(settings=mail, engine=engine)) as client:
        sign_in(client, "fran@example.org")
        shown = client.get(f"/rounds/{workspace.current_round}/invitations/email?who=new").text
        people = f"{waiting} {'person' if waiting == 1 else 'people'}"
        assert f"E-mail their link to {people}?" in shown
        assert "person0@example.org" in shown
        action, fields = _confirmed_send(client, workspace.current_round, "new")

        # Sent, then the same request again (a double click, a retry): the second sends nothing.
        response = client.post(action, data=fields, follow_redirects=False)
        replayed = client.post(action, data=fields, follow_redirects=False)

        assert response.status_code == 303, response.text[-3000:]
        assert replayed.status_code == 303, replayed.text[-3000:]
        assert replayed.headers["location"] == response.headers["location"]
        for _ in range(2):  # the page it leads to, then a reload of it
            sent = client.get(response.headers["location"]).text
            assert f"{waiting} e-mail{'' if waiting == 1 else 's'} sent" in sent
        nobody = client.get(f"/rounds/{workspace.current_round}/invitations/email?who=new").text
        assert "Everyone waiting has been e-mailed their link already" in nobody
    assert len(handler.messages) == waiting
    message = handler.messages[0]
    assert str(message["Subject"]).strip() == "Kestrel Vale: place-based working self-assessment"
    body = message.get_content()
    assert re.search(r"It takes about \d+ minutes\.", body) and "half an hour" not in body
    link = next(line for line in body.splitlines() if "/r/" in line)
    token = link.rsplit("/r/", 1)[1]
    with TestClient(create_app(settings=settings, engine=engine)) as respondent:
        assert respondent.get(f"/r/{token}").status_code == 200


def test_a_reminder_sent_twice_at_once_goes_once_and_a_later_one_goes_again(
    settings: Settings, engine: Engine, workspace: Workspace, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    waiting = _with_emails(engine, workspace.current_round)
    mail = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with TestClient(create_app(settings=mail, engine=engine)) as client:
        sign_in(client, "fran@example.org")
        action, fields = _confirmed_send(client, workspace.current_round, "all")
        with ThreadPoolExecutor(4) as pool:
            statuses = list(
                pool.map(
                    lambda _: client.post(action, data=fields, follow_redirects=False).status_code,
                    range(4),
                )
            )
        assert statuses == [303] * 4
        assert len(handler.messages) == waiting
        listed = client.get(f"/rounds/{workspace.current_round}/invitations").text
        assert listed.count("Last reminded on") == waiting

        # Nobody is reminded twice in a day; a week later, a new confirmation's reminder goes.
        again = client.get(f"/rounds/{workspace.current_round}/invitations/email?who=all")
        assert "Nobody to e-mail" in again.text
        with write_session(engine) as session:
            for invitation in session.exec(
                select(Invitation).where(col(Invitation.emailed_at).is_not(None))
            ):
                invitation.emailed_at = (invitation.emailed_at or utcnow()) - timedelta(days=7)
                session.add(invitation)
            session.commit()
        action, fields = _confirmed_send(client, workspace.current_round, "all")
        assert client.post(action, data=fields).status_code == 200
    assert len(handler.messages) == 2 * waiting
    assert all(str(m["Subject"]).startswith("Reminder:") for m in handler.messages)
    with Session(engine) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 2 * waiting


def test_an_unreachable_mail_server_is_explained_and_the_links_stay_on_the_page(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    _with_emails(engine, workspace.current_round)
    mail = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    with TestClient(create_app(settings=mail, engine=engine)) as client:
        sign_in(client, "fran@example.org")
        action, fields = _confirmed_send(client, workspace.current_round, "new")
        response = client.post(action, data=fields)
        listed = client.get(f"/rounds/{workspace.current_round}/invitations").text
    assert response.status_code == 502
    assert "Could not reach the mail server 127.0.0.1" in response.text
    assert "No e-mails were sent" in response.text
    assert "Their links are on the" in response.text
    assert "/r/" in listed
    with Session(engine) as session:
        assert all(
            i.emailed_at is None
            for i in session.exec(
                select(Invitation).where(Invitation.round_id == workspace.current_round)
            )
        )
