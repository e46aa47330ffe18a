"""Invitations: creating them, finding one from a link's token, and re-creating its link.

A link's token is HMAC(secret key, nonce). The database keeps the nonce and the token's hash,
never the token: a copy of the database alone opens no one's answers, yet the facilitator can
see and copy every link at any time, and reissuing one (a new nonce) kills the old link.
"""

import hmac
from collections import Counter
from hashlib import sha256

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, func, select

from app.core.exceptions import ChangeRefusedError
from app.core.security.tokens import hash_token, new_token
from app.enums import InvitationStatus, RoundStatus
from app.invitations.mail import Invitee
from app.models import (
    AssessmentRound,
    Invitation,
    InvitationBase,
    InvitationCreate,
    Organisation,
    utcnow,
)
from app.rounds.definitions import definition_of_round
from questionnaires.timing import estimated_minutes


def link_url(base_url: str, token: str) -> str:
    """The whole link a respondent opens: ``base_url`` is where the service is reached."""
    return base_url.rstrip("/") + f"/r/{token}"


def invitations_of(
    session: Session, assessment_round: AssessmentRound
) -> list[tuple[Invitation, Organisation]]:
    """Every invitation of the round with its organisation, by organisation name."""
    return list(
        session.exec(
            select(Invitation, Organisation)
            .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
            .where(Invitation.round_id == assessment_round.id)
            .order_by(func.lower(Organisation.name), col(Invitation.id))
        ).all()
    )


def already_invited(
    session: Session,
    assessment_round: AssessmentRound,
    people: list[tuple[int, Organisation, InvitationBase]],
) -> set[int]:
    """The lines of ``people`` that name someone already invited to this round, or named on
    an earlier line of the same file: the same e-mail address, or the same name at the same
    organisation. People known only by their role ("Panel member") are counted: a file
    listing four panel members where four are invited already adds none, so uploading the same
    file twice (a reload, a double click, a second try after a slow answer) invites no one
    twice, while a fifth panel member is still added."""

    def keys(organisation_id: int | None, person: InvitationBase) -> list[tuple[str, ...]]:
        def plain(text: str) -> str:
            return " ".join(text.lower().split())

        known: list[tuple[str, ...]] = []
        if person.email:
            known.append(("email", person.email.strip().lower()))
        if person.name:
            known.append(("name", str(organisation_id), plain(person.name)))
        return known or [("role", str(organisation_id), plain(person.role_title))]

    invited: Counter[tuple[str, ...]] = Counter()
    for invitation, _ in invitations_of(session, assessment_round):
        invited.update(keys(invitation.organisation_id, invitation))
    skipped: set[int] = set()
    for line, organisation, person in people:
        mine = keys(organisation.id, person)
        if any(invited[key] > 0 for key in mine):
            skipped.add(line)
            invited.subtract(key for key in mine if key[0] == "role")  # the next is not
        else:
            invited.update({key: 1 for key in mine if key[0] != "role"})
    return skipped


AWAITING = (InvitationStatus.NOT_OPENED, InvitationStatus.STARTED)
"""Invited, with a live link, and not yet submitted: whom a reminder is for."""


def awaiting_answers(
    session: Session,
    assessment_round: AssessmentRound,
    *,
    secret: str,
    base_url: str,
    only_not_emailed: bool = False,
) -> list[Invitee]:
    """Everyone with an e-mail address and a live link who has not submitted: whom an
    invitation or a reminder goes to."""
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    return [
        Invitee(
            invitation.id or 0,
            invitation.email,
            invitation.name or invitation.role_title,
            link_url(base_url, token),
            estimated_minutes(definition, organisation.sector),
            invitation.emailed_at,
        )
        for invitation, organisation in invitations_of(session, assessment_round)
        if invitation.email
        and invitation.status in AWAITING
        and not (only_not_emailed and invitation.emailed_at is not None)
        and (token := token_of(secret, invitation))
    ]


def mark_emailed(session: Session, invitation_ids: list[int]) -> None:
    """Note when each of these people was last sent their link, in the caller's transaction."""
    now = utcnow()
    for invitation_id in invitation_ids:
        invitation = session.get(Invitation, invitation_id)
        if invitation is not None:
            invitation.emailed_at = now
            session.add(invitation)


def link_token(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"placecheck-link:{nonce}".encode(), sha256).hexdigest()


def invite(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    organisation: Organisation,
    invitee: InvitationBase,
    secret: str,
    nonce: str | None = None,
    flush: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation for ``invitee`` (an ``InvitationCreate`` a form or an upload row
    passed, or an earlier round's invitation); returns it with its link's token. Without
    ``flush`` it has no id until the caller flushes (an import flushes a thousand at once)."""
    assert assessment_round.id is not None and organisation.id is not None
    nonce = nonce or new_token()
    token = link_token(secret, nonce)
    invitation = Invitation(
        round_id=assessment_round.id,
        organisation_id=organisation.id,
        role_title=invitee.role_title,
        name=invitee.name,
        email=invitee.email,
        token_hash=hash_token(token),
        link_nonce=nonce,
    )
    session.add(invitation)
    if flush:
        session.flush()
    return invitation, token


def links_in_use(*, session: Session, secret: str, nonces: set[str]) -> set[str]:
    """Which of these nonces make links that already belong to an invitation (one query)."""
    by_hash = {hash_token(link_token(secret, nonce)): nonce for nonce in nonces}
    taken = session.exec(
        select(Invitation.token_hash).where(col(Invitation.token_hash).in_(list(by_hash)))
    ).all()
    return {by_hash[token_hash] for token_hash in taken}


def token_of(secret: str, invitation: Invitation) -> str | None:
    """The token of a live invitation's link, or None when it cannot be shown."""
    if invitation.link_nonce is None or invitation.status is InvitationStatus.REVOKED:
        return None
    return link_token(secret, invitation.link_nonce)


def reissue(*, session: Session, secret: str, invitation: Invitation) -> str:
    """A new link for the same person; the old link stops working. Answers are kept."""
    nonce = new_token()
    token = link_token(secret, nonce)
    invitation.link_nonce = nonce
    invitation.token_hash = hash_token(token)
    if invitation.status is InvitationStatus.REVOKED:
        invitation.status = InvitationStatus.NOT_OPENED
    session.add(invitation)
    return token


MAX_TOKEN = 200
"""Longer than any link's token: a longer one is refused without hashing it."""


def live_link(token: str) -> ColumnElement[bool] | None:
    """What finds the invitation a link's token opens (unknown and revoked links alike find
    nothing); None for a token no link can have."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return and_(
        col(Invitation.token_hash) == hash_token(token),
        col(Invitation.status) != InvitationStatus.REVOKED,
    )


def find_invitation(*, session: Session, token: str) -> Invitation | None:
    """The live invitation for a link's token; None for unknown and revoked links alike."""
    link = live_link(token)
    return None if link is None else session.exec(select(Invitation).where(link)).first()


def change_invitation(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    invitation: Invitation,
    details: InvitationCreate,
) -> list[str]:
    """Correct a person's details or move them to the partner they answer for; returns the
    names of the fields changed (the audit log keeps which, not the personal data itself).

    Their answers go with them, so a move changes which partner and sector count them. Once
    the results are published that would change them under the forum's feet, so a person who
    has submitted is moved only after the publication is withdrawn.
    """
    moving = details.organisation_id != invitation.organisation_id
    if (
        moving
        and invitation.status is InvitationStatus.SUBMITTED
        and assessment_round.status is RoundStatus.PUBLISHED
    ):
        raise ChangeRefusedError(
            "This person's answers are in the published results, so they cannot move to "
            "another partner. Withdraw the publication first",
            field="organisation_id",
        )
    changed = []
    for name in ("organisation_id", "role_title", "name", "email"):
        if getattr(invitation, name) != getattr(details, name):
            setattr(invitation, name, getattr(details, name))
            changed.append(name)
    session.add(invitation)
    return changed


def revoke(*, session: Session, invitation: Invitation) -> None:
    """Stop the link working at once; the answers are kept, so reissuing lets them carry on."""
    invitation.status = InvitationStatus.REVOKED
    session.add(invitation)
