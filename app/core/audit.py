"""The audit log: sign-ins, exports, status changes and deletions, for administrators to read."""

from typing import Any

from sqlmodel import Session

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
