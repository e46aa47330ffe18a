"""Helpers shared by test suites (a module, not a conftest: conftests hold fixtures)."""

import re

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.enums import InvitationStatus
from app.models import Invitation


def main_content(html: str) -> str:
    """A page's content, without what changes from one request to the next (the form token),
    so that two readings of a page can be compared."""
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, "the page has no main element"
    return re.sub(r'name="csrf_token" value="[^"]*"', "", match.group(0))


def submitted_invitations(engine: Engine, round_id: int) -> list[int]:
    """The ids of the round's submitted invitations, oldest first."""
    with Session(engine) as session:
        return [
            i.id or 0
            for i in session.exec(
                select(Invitation)
                .where(
                    Invitation.round_id == round_id,
                    Invitation.status == InvitationStatus.SUBMITTED,
                )
                .order_by(col(Invitation.id))
            ).all()
        ]
