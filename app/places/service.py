"""Places, their partner organisations and assessment rounds, as facilitators change them."""

import re
from datetime import date

from sqlmodel import Session, col, select

from app.invitations.service import invite
from app.models import (
    AssessmentRound,
    Invitation,
    InvitationStatus,
    MembershipRole,
    Organisation,
    Place,
    PlaceMembership,
    RoundStatus,
    User,
)
from app.rounds.definitions import snapshot_definition
from questionnaires.schema import Definition
from questionnaires.sectors import Sector

# Which status a round may move to from each status, and the button that does it.
TRANSITIONS: dict[RoundStatus, dict[RoundStatus, str]] = {
    RoundStatus.DRAFT: {RoundStatus.OPEN: "Open the round for answers"},
    RoundStatus.OPEN: {RoundStatus.CLOSED: "Close the round"},
    RoundStatus.CLOSED: {
        RoundStatus.PUBLISHED: "Publish the results",
        RoundStatus.OPEN: "Reopen for late answers",
    },
    RoundStatus.PUBLISHED: {RoundStatus.CLOSED: "Withdraw publication"},
}


class ChangeRefusedError(ValueError):
    """The change cannot be made; the message says why, for the person who asked."""


def slug_for(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "place"
    slug, number = base, 2
    while session.exec(select(Place).where(Place.slug == slug)).first() is not None:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_place(*, session: Session, creator: User, name: str, description: str) -> Place:
    place = Place(name=name, slug=slug_for(session, name), description=description)
    session.add(place)
    session.flush()
    assert place.id is not None and creator.id is not None
    session.add(
        PlaceMembership(user_id=creator.id, place_id=place.id, role=MembershipRole.FACILITATOR)
    )
    return place


def organisations_of(session: Session, place_id: int | None) -> list[Organisation]:
    return list(
        session.exec(
            select(Organisation)
            .where(Organisation.place_id == place_id)
            .order_by(col(Organisation.name))
        ).all()
    )


def add_organisation(*, session: Session, place: Place, name: str, sector: Sector) -> Organisation:
    if any(o.name.lower() == name.lower() for o in organisations_of(session, place.id)):
        raise ChangeRefusedError(f"{name} is already a partner of {place.name}")
    assert place.id is not None
    organisation = Organisation(place_id=place.id, name=name, sector=sector)
    session.add(organisation)
    session.flush()
    return organisation


def rounds_of(session: Session, place_id: int | None) -> list[AssessmentRound]:
    return list(
        session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.place_id == place_id)
            .order_by(col(AssessmentRound.created_at).desc(), col(AssessmentRound.id).desc())
        ).all()
    )


def create_round(
    *,
    session: Session,
    place: Place,
    definition: Definition,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    anonymity_threshold: int,
) -> AssessmentRound:
    assert place.id is not None
    snapshot = snapshot_definition(session=session, definition=definition)
    assessment_round = AssessmentRound(
        place_id=place.id,
        title=title,
        questionnaire_hash=snapshot.content_hash,
        opens_on=opens_on,
        closes_on=closes_on,
        anonymity_threshold=anonymity_threshold,
    )
    session.add(assessment_round)
    session.flush()
    return assessment_round


def change_status(
    *, session: Session, assessment_round: AssessmentRound, to: RoundStatus
) -> RoundStatus:
    before = assessment_round.status
    if to not in TRANSITIONS[before]:
        raise ChangeRefusedError(f"A {before.value} round cannot become {to.value}")
    assessment_round.status = to
    session.add(assessment_round)
    return before


def reassess(
    *, session: Session, previous: AssessmentRound, title: str, secret: str
) -> AssessmentRound:
    """A new draft round for the same place and questionnaire, inviting the same people."""
    place = session.get(Place, previous.place_id)
    assert place is not None
    new_round = AssessmentRound(
        place_id=previous.place_id,
        title=title,
        questionnaire_hash=previous.questionnaire_hash,
        anonymity_threshold=previous.anonymity_threshold,
    )
    session.add(new_round)
    session.flush()
    invitations = session.exec(
        select(Invitation, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == previous.id,
            Invitation.status != InvitationStatus.REVOKED,
        )
        .order_by(col(Invitation.id))
    ).all()
    for invitation, organisation in invitations:
        invite(
            session=session,
            assessment_round=new_round,
            organisation=organisation,
            role_title=invitation.role_title,
            name=invitation.name,
            email=invitation.email,
            secret=secret,
        )
    return new_round
