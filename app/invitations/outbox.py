"""E-mails with people's links, written to an outbox when a send is confirmed and marked as the
mail server takes them: a send happens once, however often its request arrives.

A send comes from a confirmation page that says who will get what, and carries a one-time key.
The messages are written under that key in the request's own transaction, then delivered once
it has committed; a second request with the same key (a reload, a double click, a retry after
a slow answer) finds them written and sends nothing. A reminder next week comes from a new
confirmation page, with a new key, and goes out as it should.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.core.db import lock_until_commit
from app.invitations.mail import Invitee, Outcome
from app.invitations.service import mark_emailed
from app.models import AssessmentRound, OutboxMessage, utcnow


def write_messages(
    session: Session,
    *,
    assessment_round: AssessmentRound,
    send_key: str,
    invitees: list[Invitee],
    reminder: bool,
    user_id: int | None,
) -> bool:
    """Write this send's messages in the caller's write transaction; ``False`` (writing
    nothing) if a request with the same key wrote them already."""
    lock_until_commit(session, f"outbox:{send_key}")
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.send_key == send_key)).first():
        return False
    session.add_all(
        OutboxMessage(
            round_id=assessment_round.id or 0,
            invitation_id=invitee.invitation_id,
            send_key=send_key,
            reminder=reminder,
            email=invitee.email,
            requested_by_user_id=user_id,
        )
        for invitee in invitees
    )
    return True


def record_delivery(session: Session, send_key: str, outcome: Outcome) -> None:
    """Mark each of the send's messages sent, or failed with the reason the mail server gave
    (for one address, or for all of them)."""
    now = utcnow()
    sent = set(outcome.sent)
    for message in session.exec(select(OutboxMessage).where(OutboxMessage.send_key == send_key)):
        if message.invitation_id in sent:
            message.sent_at = now
        else:
            mine = [f for f in outcome.failures if f.startswith(f"{message.email}:")]
            message.failure = (mine or outcome.failures or ["Not sent."])[0][:1000]
        session.add(message)
    mark_emailed(session, outcome.sent)


@dataclass(frozen=True)
class Sending:
    """What became of one send, for the page the browser is sent to afterwards."""

    reminder: bool
    sent: int
    waiting: int
    failures: list[str]
    sent_at: datetime | None


def sending(session: Session, assessment_round: AssessmentRound, send_key: str) -> Sending | None:
    messages = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.send_key == send_key, OutboxMessage.round_id == assessment_round.id
        )
    ).all()
    if not messages:
        return None
    sent = [m.sent_at for m in messages if m.sent_at is not None]
    return Sending(
        reminder=messages[0].reminder,
        sent=len(sent),
        waiting=sum(1 for m in messages if m.sent_at is None and m.failure is None),
        failures=[m.failure for m in messages if m.failure],
        sent_at=max(sent) if sent else None,
    )


def last_reminded(session: Session, assessment_round: AssessmentRound) -> dict[int, datetime]:
    """When each person in the round was last sent a reminder."""
    rows = session.exec(
        select(OutboxMessage.invitation_id, func.max(OutboxMessage.sent_at))
        .where(
            OutboxMessage.round_id == assessment_round.id,
            col(OutboxMessage.reminder),
            col(OutboxMessage.sent_at).is_not(None),
        )
        .group_by(col(OutboxMessage.invitation_id))
    ).all()
    return {invitation_id: at for invitation_id, at in rows if at is not None}
