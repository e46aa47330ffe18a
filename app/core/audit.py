"""The audit log: sign-ins, exports, status changes and deletions, for administrators to read."""

from typing import Any

from sqlmodel import Session, col, select

from app.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor_user_id: int | None,
    place_id: int | None = None,
    round_id: int | None = None,
    **detail: Any,
) -> None:
    """Add an event to the session; it is committed with the change it describes."""
    session.add(
        AuditEvent(
            action=action,
            actor_user_id=actor_user_id,
            place_id=place_id,
            round_id=round_id,
            detail=detail,
        )
    )


def latest(
    session: Session, action: str, *, actor_user_id: int | None, round_id: int | None
) -> AuditEvent | None:
    """This person's latest event of this kind about this round: what a page confirms after
    a change, read from what was recorded rather than from the address."""
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.actor_user_id == actor_user_id,
            AuditEvent.round_id == round_id,
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
