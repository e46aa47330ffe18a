"""Invitation e-mails through a real SMTP server on loopback (aiosmtpd)."""

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.db import write_session
from app.main import create_app
from app.models import Invitation
from tests.support.pages import post_form, sign_in
from tests.support.servers import free_port
from tests.support.workspace import Workspace


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[attr-defined,arg-type]
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _with_emails(engine: Engine, round_id: int) -> int:
    with write_session(engine) as session:
        invitations = session.exec(
            select(Invitation).where(
                Invitation.round_id == round_id, Invitation.status == "not-opened"
            )
        ).all()
        for number, invitation in enumerate(invitations):
            invitation.email = f"person{number}@example.org"
            session.add(invitation)
        session.commit()
        return len(invitations)


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
        path = f"/rounds/{workspace.current_round}"
        response = post_form(
            client, path, f"{path}/invitations/email", {"who": "new"}, follow_redirects=False
        )
        assert response.status_code == 303
        page = client.get(response.headers["location"])
        assert f"{waiting} e-mails sent" in page.text
        assert f"{waiting} e-mails sent" in client.get(response.headers["location"]).text
        again = post_form(client, path, f"{path}/invitations/email", {"who": "new"})
        assert "e-mails sent" not in again.text
        assert "everyone waiting had been e-mailed their link already" in again.text
    assert len(handler.messages) == waiting
    message = handler.messages[0]
    assert str(message["Subject"]).strip() == "Kestrel Vale: place-based working self-assessment"
    body = message.get_content()
    link = next(line for line in body.splitlines() if "/r/" in line)
    token = link.rsplit("/r/", 1)[1]
    with TestClient(create_app(settings=settings, engine=engine)) as respondent:
        assert respondent.get(f"/r/{token}").status_code == 200


def test_an_unreachable_mail_server_is_explained_and_the_links_stay_on_the_page(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    _with_emails(engine, workspace.current_round)
    mail = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    with TestClient(create_app(settings=mail, engine=engine)) as client:
        sign_in(client, "fran@example.org")
        path = f"/rounds/{workspace.current_round}"
        response = post_form(client, path, f"{path}/invitations/email", {"who": "new"})
    assert response.status_code == 502
    assert "Could not reach the mail server 127.0.0.1" in response.text
    assert "No e-mails were sent" in response.text
    assert "/r/" in response.text
    with Session(engine) as session:
        assert all(
            i.emailed_at is None
            for i in session.exec(
                select(Invitation).where(Invitation.round_id == workspace.current_round)
            )
        )
