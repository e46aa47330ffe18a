"""The demo place that ``make run`` loads: a fictional place forum, Kestrel Vale.

It grows with the product; whatever a user can do should be visible here. Loading is idempotent:
the place is found by its slug and left alone if it is already there.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.models import (
    AssessmentRound,
    Invitation,
    Organisation,
    Place,
    RoundStatus,
)
from app.questionnaires import snapshot_definition
from app.tokens import hash_token, new_token
from questionnaires.registry import Registry
from questionnaires.sectors import Sector

DEMO_SLUG = "kestrel-vale"

DEMO_ORGANISATIONS: list[tuple[str, Sector, int]] = [
    # name, sector, how many people it invites
    ("Kestrel Vale Borough Council", Sector.LOCAL_AUTHORITY, 4),
    ("NHS Kestrel and Fenmoor Integrated Care Board", Sector.NHS_ICB, 3),
    ("Kestrel Vale Hospitals NHS Foundation Trust", Sector.NHS_PROVIDER, 3),
    ("Fenmoor Police", Sector.POLICE, 3),
    ("Fenmoor Fire and Rescue Service", Sector.FIRE_AND_RESCUE, 2),
    ("Kestrel Homes", Sector.HOUSING, 3),
    ("Kestrel Vale Council for Voluntary Service", Sector.VOLUNTARY_AND_COMMUNITY, 3),
    ("Kestrel Vale Community Voices panel", Sector.COMMUNITY_MEMBER, 3),
]


@dataclass(frozen=True)
class DemoSummary:
    place_id: int
    created: bool
    rounds: int
    organisations: int
    invitations: int


def load_demo(session: Session) -> DemoSummary:
    existing = session.exec(select(Place).where(Place.slug == DEMO_SLUG)).first()
    if existing is not None and existing.id is not None:
        return _summarise(session, existing.id, created=False)

    place = Place(
        name="Kestrel Vale",
        slug=DEMO_SLUG,
        description="A fictional place forum used to show every part of Placecheck.",
    )
    session.add(place)
    session.flush()
    assert place.id is not None
    organisations = [
        Organisation(place_id=place.id, name=name, sector=sector)
        for name, sector, _ in DEMO_ORGANISATIONS
    ]
    session.add_all(organisations)
    snapshot = snapshot_definition(session=session, definition=Registry().get("trusting-place"))
    rounds = [
        AssessmentRound(
            place_id=place.id,
            title="Baseline assessment, spring 2025",
            questionnaire_hash=snapshot.content_hash,
            status=RoundStatus.PUBLISHED,
            opens_on=date(2025, 4, 1),
            closes_on=date(2025, 4, 30),
        ),
        AssessmentRound(
            place_id=place.id,
            title="Follow-up assessment, autumn 2026",
            questionnaire_hash=snapshot.content_hash,
            status=RoundStatus.OPEN,
            opens_on=date(2026, 10, 1),
            closes_on=date(2026, 12, 18),
        ),
    ]
    session.add_all(rounds)
    session.flush()
    for assessment_round in rounds:
        assert assessment_round.id is not None
        for organisation, (_, _, headcount) in zip(organisations, DEMO_ORGANISATIONS, strict=True):
            assert organisation.id is not None
            for number in range(1, headcount + 1):
                session.add(
                    Invitation(
                        round_id=assessment_round.id,
                        organisation_id=organisation.id,
                        role_title=f"Partner representative {number}",
                        token_hash=hash_token(new_token()),
                    )
                )
    session.commit()
    return _summarise(session, place.id, created=True)


def _summarise(session: Session, place_id: int, *, created: bool) -> DemoSummary:
    round_ids = session.exec(
        select(AssessmentRound.id).where(AssessmentRound.place_id == place_id)
    ).all()
    organisations = session.exec(
        select(Organisation.id).where(Organisation.place_id == place_id)
    ).all()
    invitations = session.exec(
        select(Invitation.id).where(col(Invitation.round_id).in_(round_ids))
    ).all()
    return DemoSummary(
        place_id=place_id,
        created=created,
        rounds=len(round_ids),
        organisations=len(organisations),
        invitations=len(invitations),
    )
