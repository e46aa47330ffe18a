"""Invitations: creating them with a fresh link, and finding one from the token in a link."""

import hmac
from hashlib import sha256

from sqlmodel import Session, select

from app.models import AssessmentRound, Invitation, InvitationStatus, Organisation
from app.tokens import hash_token, new_token


def invite(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    organisation: Organisation,
    role_title: str,
    name: str | None = None,
    email: str | None = None,
    token: str | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with its token, which is never stored and cannot be
    shown again (only its hash is kept)."""
    assert assessment_round.id is not None and organisation.id is not None
    token = token or new_token()
    invitation = Invitation(
        round_id=assessment_round.id,
        organisation_id=organisation.id,
        role_title=role_title,
        name=name,
        email=email,
        token_hash=hash_token(token),
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def find_invitation(*, session: Session, token: str) -> Invitation | None:
    """The live invitation for a link's token; None for unknown and revoked links alike."""
    if not token or len(token) > 200:
        return None
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()
    if invitation is None or invitation.status is InvitationStatus.REVOKED:
        return None
    return invitation


def demo_token(secret: str, key: str) -> str:
    """A stable token for a demo invitation, so `placecheck demo` can print the same working
    link every time it runs. Derived from the deployment's secret, so it is not guessable."""
    return hmac.new(secret.encode(), f"placecheck-demo:{key}".encode(), sha256).hexdigest()
