"""A national service's worth of data, for trying Placecheck at the scale the LGA would run it:
``placecheck demo --scale national`` adds 300 fictional places, each with three rounds of 30
respondents, beside Kestrel Vale.

Each place has its own profile: its conditions sit higher or lower than Kestrel Vale's, its
partners answer a little differently, and it improves (or not) between its rounds, so no two
places' results look alike. The rows are written in bulk (one statement per table per place):
two million answers one at a time would take most of an hour.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.db import insert_rows
from app.core.security.tokens import hash_token
from app.demo.place import CURRENT_LEVELS, DEMO_ORGANISATIONS, demo_answer
from app.enums import (
    AreaType,
    InvitationStatus,
    PeerVisibility,
    Region,
    RoundStatus,
    RuralUrban,
)
from app.invitations.service import link_token
from app.models import (
    Answer,
    AssessmentRound,
    Invitation,
    NetworkShare,
    Organisation,
    Place,
    utcnow,
)
from app.network.releases import make_releases
from app.results.publication import record_publication
from app.rounds.definitions import snapshot_definition
from questionnaires.registry import Registry
from questionnaires.schema import Definition

SLUG_PREFIX = "national-"
PLACES = 300
RESPONDENTS = 30
ROUNDS = (
    ("Pilot assessment, autumn 2024", date(2024, 10, 1), RoundStatus.PUBLISHED, -0.6),
    ("Baseline assessment, spring 2025", date(2025, 4, 1), RoundStatus.PUBLISHED, -0.3),
    ("Follow-up assessment, autumn 2026", date(2026, 10, 1), RoundStatus.CLOSED, 0.0),
)
"""Each round's title, opening date, status and how far behind the place's latest it was."""

FIRST = ("North", "South", "East", "West", "Upper", "Lower", "Greater", "Old", "New", "Mid")
SECOND = (
    "Ashby", "Brackwater", "Calder", "Dunmere", "Elmstead", "Farrow", "Glenholm", "Harwick",
    "Ivel", "Kestrel", "Langmoor", "Marden", "Netherby", "Oakhurst", "Pennick", "Quarry",
    "Redcliffe", "Saltmarsh", "Thornbury", "Wyvern", "Yarrow", "Brookvale", "Copperfield",
    "Dunsford", "Evenlode", "Fenmoor", "Greystone", "Hollins", "Ironbridge", "Juniper",
)  # fmt: skip


@dataclass(frozen=True)
class NationalSummary:
    created: bool
    places: int
    invitations: int
    answers: int
    sharing: int
    """Places with a published round shared with the network."""
    named: int
    """Of those, the ones other places may see named."""


def place_name(number: int) -> str:
    """Three hundred distinct, plausible and plainly fictional names."""
    return f"{FIRST[number % len(FIRST)]} {SECOND[number // len(FIRST) % len(SECOND)]}"


def load_national(session: Session, secret: str, places: int | None = None) -> NationalSummary:
    """Add the national places (``PLACES`` of them) once; loading again leaves them be. The
    caller's unit of work holds the write lock and commits."""
    present = session.exec(
        select(func.count()).select_from(Place).where(col(Place.slug).startswith(SLUG_PREFIX))
    ).one()
    if present:
        return _summary(session, created=False)
    definition = Registry().get("trusting-place")
    snapshot = snapshot_definition(session=session, definition=definition)
    rng = random.Random(300)
    for number in range(places or PLACES):
        _one_place(session, number, snapshot.content_hash, definition, rng, secret)
    session.flush()
    return _summary(session, created=True)


_AREAS = (
    AreaType.COUNTY,
    AreaType.UNITARY,
    AreaType.METROPOLITAN,
    AreaType.DISTRICT,
    AreaType.COMBINED_AUTHORITY,
)
_CLASSES = {
    AreaType.LONDON_BOROUGH: (RuralUrban.URBAN_WITH_MAJOR_CONURBATION,),
    AreaType.METROPOLITAN: (
        RuralUrban.URBAN_WITH_MAJOR_CONURBATION,
        RuralUrban.URBAN_WITH_MINOR_CONURBATION,
    ),
    AreaType.COMBINED_AUTHORITY: (
        RuralUrban.URBAN_WITH_MAJOR_CONURBATION,
        RuralUrban.URBAN_WITH_CITY_AND_TOWN,
    ),
    AreaType.UNITARY: (
        RuralUrban.URBAN_WITH_CITY_AND_TOWN,
        RuralUrban.URBAN_WITH_SIGNIFICANT_RURAL,
        RuralUrban.LARGELY_RURAL,
    ),
    AreaType.COUNTY: (
        RuralUrban.MAINLY_RURAL,
        RuralUrban.LARGELY_RURAL,
        RuralUrban.URBAN_WITH_SIGNIFICANT_RURAL,
    ),
    AreaType.DISTRICT: (
        RuralUrban.MAINLY_RURAL,
        RuralUrban.URBAN_WITH_CITY_AND_TOWN,
        RuralUrban.LARGELY_RURAL,
    ),
}


def _compared_by(number: int) -> tuple[Region | None, AreaType | None, RuralUrban | None]:
    """A plausible region, type of area and rural and urban class for place ``number``, spread
    over every comparison group (London's places are its boroughs), one in twenty left unset."""
    if number % 20 == 19:
        return None, None, None
    region = list(Region)[number % len(Region)]
    area = AreaType.LONDON_BOROUGH if region is Region.LONDON else _AREAS[number // 9 % 5]
    classes = _CLASSES[area]
    return region, area, classes[number // 45 % len(classes)]


def _one_place(
    session: Session,
    number: int,
    content_hash: str,
    definition: Definition,
    rng: random.Random,
    secret: str,
) -> None:
    name = place_name(number)
    place = Place(
        name=name,
        slug=f"{SLUG_PREFIX}{number:03d}",
        description=f"A fictional place forum, one of {PLACES} in the national demo.",
    )
    place.region, place.area_type, place.rural_urban = _compared_by(number)
    session.add(place)
    session.flush()
    assert place.id is not None
    organisations = [
        Organisation(
            place_id=place.id,
            name=profile.name.replace("Kestrel Vale", name).replace("Kestrel", name),
            sector=profile.sector,
        )
        for profile in DEMO_ORGANISATIONS
    ]
    session.add_all(organisations)
    # The place's own profile: where it stands on each condition against Kestrel Vale.
    standing = {condition: rng.gauss(0.0, 0.5) for condition in CURRENT_LEVELS}
    for title, opens_on, status, behind in ROUNDS:
        assessment_round = AssessmentRound(
            place_id=place.id,
            title=title,
            questionnaire_hash=content_hash,
            status=status,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=30),
            created_at=datetime.combine(opens_on - timedelta(days=10), time(9), UTC),
        )
        session.add(assessment_round)
        session.flush()
        changes = {c: shift + behind * rng.uniform(0.5, 1.5) for c, shift in standing.items()}
        _respondents(session, assessment_round, organisations, definition, rng, changes, secret)
        if status is RoundStatus.PUBLISHED:
            record_publication(session=session, assessment_round=assessment_round)
            if number % 4 != 3:  # three places in four share what they publish
                session.add(_network_share(assessment_round, place, number))


def _network_share(assessment_round: AssessmentRound, place: Place, number: int) -> NetworkShare:
    """Every other sharing place is named to other places, with a contact."""
    if number % 2:
        return NetworkShare(round_id=assessment_round.id or 0, visibility=PeerVisibility.UNNAMED)
    return NetworkShare(
        round_id=assessment_round.id or 0,
        visibility=PeerVisibility.NAMED,
        contact=f"{place.name} place forum team, placeforum@{place.slug}.example",
    )


def _respondents(
    session: Session,
    assessment_round: AssessmentRound,
    organisations: list[Organisation],
    definition: Definition,
    rng: random.Random,
    changes: dict[str, float],
    secret: str,
) -> None:
    assert assessment_round.id is not None
    profiles = list(zip(organisations, DEMO_ORGANISATIONS, strict=True))
    opened = datetime.combine(assessment_round.opens_on or date.today(), time(9), UTC)
    people = []
    for number in range(RESPONDENTS):
        organisation, profile = profiles[number % len(profiles)]
        role = profile.roles[number // len(profiles) % len(profile.roles)]
        nonce = f"national-{assessment_round.id}-{number}"
        status = InvitationStatus.SUBMITTED if rng.random() < 0.9 else InvitationStatus.STARTED
        people.append((organisation, profile, role, status))
        session.add(
            Invitation(
                round_id=assessment_round.id,
                organisation_id=organisation.id or 0,
                role_title=role,
                token_hash=hash_token(link_token(secret, nonce)),
                link_nonce=nonce,
                status=status,
                submitted_at=opened + timedelta(days=number % 20)
                if status is InvitationStatus.SUBMITTED
                else None,
            )
        )
    session.flush()
    invitations = session.exec(
        select(Invitation.id)
        .where(Invitation.round_id == assessment_round.id)
        .order_by(col(Invitation.id))
    ).all()
    now = utcnow()
    rows = []
    for invitation_id, (_, profile, role, status) in zip(invitations, people, strict=True):
        items = definition.items_for(profile.sector)
        if status is InvitationStatus.STARTED:
            items = items[: len(items) // 2]
        for item in items:
            answer = demo_answer(item, profile.sector, role, rng, changes)
            rows.append(
                {
                    "invitation_id": invitation_id,
                    "item_id": item.id,
                    "kind": answer.kind,
                    "level": answer.level,
                    "evidence": None,
                    "version": 1,
                    "updated_at": now,
                }
            )
    insert_rows(session, Answer, rows)


def _summary(session: Session, *, created: bool) -> NationalSummary:
    national = select(Place.id).where(col(Place.slug).startswith(SLUG_PREFIX))
    rounds = select(AssessmentRound.id).where(col(AssessmentRound.place_id).in_(national))
    invitations = select(Invitation.id).where(col(Invitation.round_id).in_(rounds))
    shared = (
        select(AssessmentRound.place_id, NetworkShare.visibility)
        .join(NetworkShare, col(NetworkShare.round_id) == col(AssessmentRound.id))
        .where(col(AssessmentRound.place_id).in_(national))
        .distinct()
    )
    sharing = session.exec(shared).all()
    return NationalSummary(
        created=created,
        places=session.exec(select(func.count()).select_from(national.subquery())).one(),
        invitations=session.exec(select(func.count()).select_from(invitations.subquery())).one(),
        answers=session.exec(
            select(func.count())
            .select_from(Answer)
            .where(col(Answer.invitation_id).in_(invitations))
        ).one(),
        sharing=len({place for place, _ in sharing}),
        named=len({place for place, seen in sharing if seen is PeerVisibility.NAMED}),
    )


def first_release(session: Session, minimum: int, restricted_days: int) -> None:
    """The national demo's first release, dated just past its restricted period, so that its
    open data can be downloaded at once; later releases (an editor's) are dated as made."""
    for made in make_releases(session, minimum):
        made.made_at = utcnow() - timedelta(days=restricted_days + 1)
        session.add(made)
