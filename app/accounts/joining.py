"""Accounts given by invitation: a facilitator (or an administrator) asks someone by e-mail to
join a place with a role, or an administrator asks someone to read the network, and the person
follows a one-time, expiring link to set their own password or sign in with their
organisation's account (or, where they have an account already, to add the place to it).

Nobody passes a password on by hand, and a forwarded link is not enough on its own: the person
must give the address it was sent to, and a signed-in person can accept only an invitation sent
to their own address.
"""

import hmac
from datetime import datetime, timedelta
from enum import StrEnum
from hashlib import sha256

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.accounts.service import normalise_email
from app.core.db import lock_until_commit
from app.core.exceptions import ChangeRefusedError
from app.core.security.tokens import hash_token, new_token
from app.enums import MembershipRole
from app.invitations.mail import Wording
from app.models import (
    AccountInvitation,
    AccountInvitationBase,
    Place,
    PlaceMembership,
    User,
    utcnow,
)

JOIN_LINK_DAYS = 7
"""How long a link waits: long enough for a busy week, short enough that an old e-mail found
in someone's inbox later opens nothing."""


class JoinState(StrEnum):
    WAITING = "waiting"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def state_of(invitation: AccountInvitation, now: datetime | None = None) -> JoinState:
    if invitation.accepted_at is not None:
        return JoinState.ACCEPTED
    if invitation.withdrawn_at is not None:
        return JoinState.WITHDRAWN
    if invitation.expires_at <= (now or utcnow()):
        return JoinState.EXPIRED
    return JoinState.WAITING


def join_token(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"placecheck-join:{nonce}".encode(), sha256).hexdigest()


def join_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + f"/join/{token}"


def invite_to_place(
    *,
    session: Session,
    secret: str,
    place: Place | None,
    details: AccountInvitationBase,
    invited_by: User,
    form_key: str,
) -> tuple[AccountInvitation, bool]:
    """Invite someone to ``place`` (or, with None, to read the network); True when this
    request made the invitation, False when the same form (``form_key``) made it already.
    Someone already in, or already waiting on a link, is refused with what to do instead."""
    lock_until_commit(session, f"account-invitations-{place.id if place else 'network'}")
    made = session.exec(
        select(AccountInvitation).where(AccountInvitation.form_key == form_key)
    ).first()
    if made is not None:
        return made, False
    email = normalise_email(details.email)
    _refuse_someone_already_in(session, place, email)
    now = utcnow()
    for waiting in _invitations_to(session, place, email):
        if state_of(waiting, now) is JoinState.WAITING:
            raise ChangeRefusedError(
                f"{email} already has a link to join {_joining(place)}, waiting below. Copy "
                "it again, or withdraw it to send a new one.",
                field="email",
            )
    nonce = new_token()
    invitation = AccountInvitation(
        **details.model_dump(),
        place_id=place.id if place else None,
        token_hash=hash_token(join_token(secret, nonce)),
        link_nonce=nonce,
        form_key=form_key,
        invited_by_user_id=invited_by.id,
        created_at=now,
        expires_at=now + timedelta(days=JOIN_LINK_DAYS),
    )
    invitation.email = email
    session.add(invitation)
    session.flush()
    return invitation, True


def _joining(place: Place | None) -> str:
    return place.name if place else "the network of places"


def _refuse_someone_already_in(session: Session, place: Place | None, email: str) -> None:
    if place is None:
        if session.exec(
            select(User.id).where(User.email == email, col(User.reads_network))
        ).first():
            raise ChangeRefusedError(f"{email} already reads the network.", field="email")
        return
    member = session.exec(
        select(PlaceMembership)
        .join(User, col(User.id) == col(PlaceMembership.user_id))
        .where(User.email == email, PlaceMembership.place_id == place.id)
    ).first()
    if member is not None:
        raise ChangeRefusedError(
            f"{email} is already a {member.role.label.lower()} of {place.name}. An "
            "administrator changes people's roles on the Users page.",
            field="email",
        )


def _invitations_to(session: Session, place: Place | None, email: str) -> list[AccountInvitation]:
    return list(
        session.exec(
            select(AccountInvitation).where(_to(place), AccountInvitation.email == email)
        ).all()
    )


def _to(place: Place | None) -> ColumnElement[bool]:
    """Invitations to ``place``, or (None) to read the network."""
    if place is None:
        return col(AccountInvitation.place_id).is_(None)
    return col(AccountInvitation.place_id) == place.id


def open_invitations(session: Session, place: Place | None) -> list[AccountInvitation]:
    """The place's invitations not yet used or withdrawn (expired ones too, marked as such by
    ``state_of``), the newest first."""
    return list(
        session.exec(
            select(AccountInvitation)
            .where(
                _to(place),
                col(AccountInvitation.accepted_at).is_(None),
                col(AccountInvitation.withdrawn_at).is_(None),
            )
            .order_by(col(AccountInvitation.created_at).desc(), col(AccountInvitation.id).desc())
        ).all()
    )


def withdraw_invitation(*, session: Session, invitation: AccountInvitation) -> bool:
    """Stop the link working; False if it was used or withdrawn already (nothing changes)."""
    if invitation.accepted_at is not None or invitation.withdrawn_at is not None:
        return False
    invitation.withdrawn_at = utcnow()
    session.add(invitation)
    return True


def invitation_by_token(session: Session, token: str) -> AccountInvitation | None:
    return session.exec(
        select(AccountInvitation).where(AccountInvitation.token_hash == hash_token(token))
    ).first()


def is_for(invitation: AccountInvitation, email: str) -> bool:
    return hmac.compare_digest(normalise_email(email), invitation.email)


def accept(*, session: Session, invitation: AccountInvitation, user: User) -> None:
    """Give ``user`` the invitation's role in its place (or the network reader's right) and use
    the link up. Someone who facilitates the place already keeps that: an invitation never
    takes a role away."""
    assert invitation.email == user.email, "checked by the caller"
    invitation.accepted_at = utcnow()
    session.add(invitation)
    if invitation.place_id is None:
        user.reads_network = True
        session.add(user)
        return
    membership = session.get(PlaceMembership, (user.id, invitation.place_id))
    if membership is None:
        membership = PlaceMembership(
            user_id=user.id or 0, place_id=invitation.place_id, role=invitation.role
        )
    elif membership.role is not MembershipRole.FACILITATOR:
        membership.role = invitation.role
    session.add(membership)


def join_wording(
    invitation: AccountInvitation, place: Place | None, inviter: str, link: str
) -> Wording:
    """What the invitation e-mail says."""
    if place is None:
        role = "a network reader, reading the figures of the places that share them"
    elif invitation.role is MembershipRole.FACILITATOR:
        role = "a facilitator"
    else:
        role = "a member of the place forum, reading its published results"
    what = _joining(place)
    return Wording(
        f"{place.name if place else 'The network of places'}: you are invited to Placecheck",
        f"Dear {invitation.display_name},\n\n"
        f"{inviter} has invited you to join {what} on Placecheck as {role}.\n\n"
        f"Your personal link (please do not forward it):\n{link}\n\n"
        f"It works once, for {invitation.email}, until "
        f"{invitation.expires_at.strftime('%-d %B %Y')}. Follow it to choose your password"
        " or to sign in with your organisation's account.\n\nWith thanks,\n"
        f"{inviter}\n",
    )


def mark_join_emailed(session: Session, invitation_id: int) -> None:
    invitation = session.get(AccountInvitation, invitation_id)
    if invitation is not None:
        invitation.emailed_at = utcnow()
        session.add(invitation)
