"""What the audit log recorded, as the tests that count actions read it."""

from sqlmodel import Session, col, select

from app.models import AuditEvent


def audited(session: Session, prefix: str) -> list[str]:
    """The recorded actions starting with ``prefix``, oldest first."""
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(col(AuditEvent.action).startswith(prefix))
            .order_by(col(AuditEvent.id))
        ).all()
    )
