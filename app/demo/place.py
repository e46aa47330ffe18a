"""The demo place that ``make run`` loads: a fictional place forum, Kestrel Vale.

It grows with the product; whatever a user can do should be visible here. The answers are
generated from profiles (deterministically) so that every kind of result appears: a strength, a
priority, split views, a gap between sectors, a condition most partners cannot judge, a sector
below the anonymity threshold, the plain-language version, and change since the previous round.
It has three rounds: a pilot in autumn 2024 that only five partners answered, the baseline of
spring 2025 (both published), and the open follow-up, so any two rounds can be compared and the
warning that different partners answered is shown (on the baseline, against the pilot). One of
the pilot's paper questionnaires came back after its results were published, so its page shows
that the live answers differ from the publication, and publishing it again is refused.
Loading is idempotent: the place is found by its slug and left alone if it is already there.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.core.security.tokens import hash_token
from app.data.paper import PaperRespondent, store_paper_answers
from app.demo.workshop import record_demo_workshops
from app.enums import (
    AnswerKind,
    AreaType,
    InvitationStatus,
    PeerVisibility,
    Region,
    RoundStatus,
    RuralUrban,
)
from app.invitations.service import find_invitation, link_token
from app.models import (
    Answer,
    AssessmentRound,
    Invitation,
    NetworkShare,
    Organisation,
    OutboxMessage,
    Place,
)
from app.results.publication import record_publication
from app.rounds.definitions import snapshot_definition
from questionnaires.registry import Registry
from questionnaires.schema import Definition, Item, ItemKind
from questionnaires.sectors import Sector

DEMO_SLUG = "kestrel-vale"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    sector: Sector
    roles: tuple[str, ...]


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        "Kestrel Vale Borough Council",
        Sector.LOCAL_AUTHORITY,
        (
            "Chief Executive",
            "Director of Adult Social Care",
            "Director of Public Health",
            "Head of Policy and Partnerships",
            "Director of Children's Services",
        ),
    ),
    DemoOrganisation(
        "NHS Kestrel and Fenmoor Integrated Care Board",
        Sector.NHS_ICB,
        ("Place Director", "Director of Strategy", "Chief Finance Officer"),
    ),
    DemoOrganisation(
        "Kestrel Vale Hospitals NHS Foundation Trust",
        Sector.NHS_PROVIDER,
        ("Chief Operating Officer", "Director of Community Services", "Head of Discharge"),
    ),
    DemoOrganisation(
        "Fenmoor Police",
        Sector.POLICE,
        ("Superintendent, Kestrel Vale", "Neighbourhood Inspector", "Partnerships Lead"),
    ),
    DemoOrganisation(
        "Fenmoor Fire and Rescue Service",
        Sector.FIRE_AND_RESCUE,
        ("Group Manager, Prevention", "Community Safety Lead"),
    ),
    DemoOrganisation(
        "Kestrel Homes",
        Sector.HOUSING,
        ("Chief Executive", "Head of Tenancy Support", "Neighbourhoods Manager", "Head of Income"),
    ),
    DemoOrganisation(
        "Kestrel Vale Council for Voluntary Service",
        Sector.VOLUNTARY_AND_COMMUNITY,
        ("Chief Officer", "Community Development Worker", "Volunteering Lead"),
    ),
    DemoOrganisation(
        "Kestrel Vale Community Voices panel",
        Sector.COMMUNITY_MEMBER,
        ("Panel member", "Panel member", "Panel member", "Panel member"),
    ),
)

# Typical level per condition in the current round, and how far each sector departs from it.
CURRENT_LEVELS = {
    "people-focus": 3.2,
    "strong-leadership": 4.2,
    "trust-and-relationships": 3.6,
    "shared-outcomes-and-accountability": 3.0,
    "risk-appetite-and-experimentation": 2.4,
    "co-production-with-lived-experience": 2.6,
    "strengths-and-assets": 3.4,
    "sufficient-resources": 2.2,
    "data-and-evidence": 2.6,
    "coordination-role": 1.8,
    "embedding-the-approach": 2.4,
    "staying-true-when-scaling": 3.1,
}
SECTOR_SHIFTS = {
    # The council sees shared outcomes as well advanced; the NHS does not: a split and a gap.
    ("shared-outcomes-and-accountability", Sector.LOCAL_AUTHORITY): 1.7,
    ("shared-outcomes-and-accountability", Sector.NHS_ICB): -1.9,
    ("shared-outcomes-and-accountability", Sector.NHS_PROVIDER): -1.7,
    # Community members rate co-production far lower than professionals do.
    ("co-production-with-lived-experience", Sector.COMMUNITY_MEMBER): -1.4,
    ("co-production-with-lived-experience", Sector.LOCAL_AUTHORITY): 0.8,
    ("people-focus", Sector.COMMUNITY_MEMBER): -0.8,
    ("risk-appetite-and-experimentation", Sector.POLICE): -0.6,
}
# Inside the council, the chief executive sees strengths-based working far further on than the
# head of policy and partnerships: the council's one score hides it, so it is flagged.
ROLE_SHIFTS = {
    ("strengths-and-assets", "Chief Executive", Sector.LOCAL_AUTHORITY): 1.2,
    ("strengths-and-assets", "Head of Policy and Partnerships", Sector.LOCAL_AUTHORITY): -1.4,
}
# The previous round was lower where the place has since made progress.
PREVIOUS_CHANGE = {
    "strong-leadership": -1.0,
    "trust-and-relationships": -0.7,
    "co-production-with-lived-experience": -0.3,
    "coordination-role": 0.2,
}
# The pilot round, a year before the baseline, was answered by five of the partners only (no
# police, fire or community panel), and rated the place lower still: comparing with it shows
# the warning that different partners answered.
PILOT_PARTNERS = {
    Sector.LOCAL_AUTHORITY,
    Sector.NHS_ICB,
    Sector.NHS_PROVIDER,
    Sector.HOUSING,
    Sector.VOLUNTARY_AND_COMMUNITY,
}
PILOT_CHANGE = {
    **{condition: change - 0.4 for condition, change in PREVIOUS_CHANGE.items()},
    "people-focus": -0.5,
    "data-and-evidence": -0.6,
}
IMPORTANCE = {
    "coordination-role": 3.7,
    "co-production-with-lived-experience": 3.4,
    "shared-outcomes-and-accountability": 3.3,
    "embedding-the-approach": 3.2,
    "sufficient-resources": 3.5,
    "strong-leadership": 2.2,
    "staying-true-when-scaling": 2.0,
}
# Only finance people can judge resources; everyone else mostly answers 'don't know'.
KNOWS_THE_MONEY = {"Chief Finance Officer", "Chief Executive"}
RECOMMENDATION_LEVELS = {
    "R1": 3.6,
    "R2": 2.4,
    "R3": 1.6,
    "R4": 2.3,
    "R5": 3.1,
    "R6": 2.6,
    "R7": 3.4,
    "R8": 2.2,
    "R9": 1.3,
    "R10": 3.1,
    "R11": 2.6,
    "R12": 3.8,
    "R13": 2.4,
    "R14": 2.9,
    "R15": 2.2,
    "R16": 2.7,
    "R17": 2.1,
    "R18": 3.6,
    "R19": 2.9,
    "R20": 2.5,
    "R21": 3.2,
    "R22": 3.0,
}
EVIDENCE = {
    "strong-leadership.1": "The forum has met every month since the spring and its decisions on "
    "the hospital discharge pathway were carried through by every partner.",
    "shared-outcomes-and-accountability.1": "We have an outcomes framework but the NHS partners "
    "still report only against their own national targets.",
    "shared-outcomes-and-accountability.3": "Budget figures are shared for the better care fund "
    "only; nothing else is on the table yet.",
    "coordination-role.1": "Coordination falls to whoever chairs the forum that quarter; there is "
    "no team behind it.",
    "co-production-with-lived-experience.2": "People with lived experience attend the board as "
    "guests, but they do not vote.",
    "people-focus.2": "The complex needs team now gives each person one named worker, but only "
    "in the north of the borough.",
    "data-and-evidence.2": "Front-line staff still cannot see each other's case notes without a "
    "formal request.",
    "R9": "There is no shared project office; each partner runs its own programme team.",
    "R12": "Single-year grants stop us keeping good staff in the neighbourhood teams.",
}


@dataclass(frozen=True)
class DemoSummary:
    place_id: int
    created: bool
    rounds: int
    organisations: int
    invitations: int
    submitted: int


# Invitations of the open round whose links `placecheck demo` prints, so anyone can try them.
DEMO_LINKS = (
    ("a council director who has not finished", Sector.LOCAL_AUTHORITY, 4),
    ("a community panel member (plain-language version)", Sector.COMMUNITY_MEMBER, 3),
    ("a housing manager who has not opened the link yet", Sector.HOUSING, 3),
)


def _link_nonce(round_title: str, organisation: str, number: int) -> str:
    """Stable, so `placecheck demo` prints the same working links every time it runs."""
    return f"demo|{round_title}|{organisation}|{number}"


def demo_links(session: Session, secret: str) -> list[tuple[str, str]]:
    """(who, path) of the demo invitations worth trying, with their working tokens."""
    current = session.exec(
        select(AssessmentRound)
        .join(Place, col(AssessmentRound.place_id) == col(Place.id))
        .where(Place.slug == DEMO_SLUG, AssessmentRound.status == RoundStatus.OPEN)
    ).first()
    if current is None:
        return []
    links = []
    for who, sector, number in DEMO_LINKS:
        organisation = next(o for o in DEMO_ORGANISATIONS if o.sector is sector)
        token = link_token(secret, _link_nonce(current.title, organisation.name, number))
        if find_invitation(session=session, token=token) is not None:
            links.append((who, f"/r/{token}"))
    return links


def load_demo(session: Session, secret: str) -> DemoSummary:
    existing = session.exec(select(Place).where(Place.slug == DEMO_SLUG)).first()
    if existing is not None and existing.id is not None:
        return _summarise(session, existing.id, created=False)

    definition = Registry().get("trusting-place")
    place = Place(
        name="Kestrel Vale",
        slug=DEMO_SLUG,
        description="A fictional place forum used to show every part of Placecheck.",
        data_contact="Kestrel Vale place forum team, placeforum@kestrel-vale.example",
        region=Region.NORTH_WEST,
        area_type=AreaType.UNITARY,
        rural_urban=RuralUrban.URBAN_WITH_CITY_AND_TOWN,
    )
    session.add(place)
    session.flush()
    assert place.id is not None
    organisations = [
        Organisation(place_id=place.id, name=o.name, sector=o.sector) for o in DEMO_ORGANISATIONS
    ]
    session.add_all(organisations)
    snapshot = snapshot_definition(session=session, definition=definition)
    previous = AssessmentRound(
        place_id=place.id,
        title="Baseline assessment, spring 2025",
        questionnaire_hash=snapshot.content_hash,
        status=RoundStatus.PUBLISHED,
        opens_on=date(2025, 4, 1),
        closes_on=date(2025, 4, 30),
        created_at=datetime(2025, 3, 20, 9, 0, tzinfo=UTC),
    )
    # The open round's dates follow the calendar, so that it is still open whenever the demo is
    # loaded (it closes itself once its closing date has passed) and its reminder is ahead.
    today = place_today()
    current = AssessmentRound(
        place_id=place.id,
        title="Follow-up assessment, autumn 2026",
        questionnaire_hash=snapshot.content_hash,
        status=RoundStatus.OPEN,
        opens_on=today - timedelta(days=40),
        closes_on=today + timedelta(days=18),
        remind_days_before=7,
        created_at=datetime.combine(today - timedelta(days=47), time(9), UTC),
    )
    pilot = AssessmentRound(
        place_id=place.id,
        title="Pilot assessment, autumn 2024",
        questionnaire_hash=snapshot.content_hash,
        status=RoundStatus.PUBLISHED,
        opens_on=date(2024, 10, 1),
        closes_on=date(2024, 10, 31),
        created_at=datetime(2024, 9, 20, 9, 0, tzinfo=UTC),
    )
    session.add_all([previous, current, pilot])
    session.flush()
    rng = random.Random(2026)
    for assessment_round, changes in ((previous, PREVIOUS_CHANGE), (current, None)):
        _invite_and_answer(
            session, definition, assessment_round, organisations, rng, changes, secret
        )
    pilot_partners = [o for o in organisations if o.sector in PILOT_PARTNERS]
    _invite_and_answer(
        session, definition, pilot, pilot_partners, random.Random(2024), PILOT_CHANGE, secret
    )
    session.flush()
    record_publication(session=session, assessment_round=pilot)
    record_publication(session=session, assessment_round=previous)
    session.add(
        NetworkShare(
            round_id=previous.id or 0,
            visibility=PeerVisibility.NAMED,
            contact="Kestrel Vale place forum team, placeforum@kestrel-vale.example",
        )
    )
    _late_paper_return(session, definition, pilot, organisations)
    record_demo_workshops(session, previous, current, organisations)
    _demo_emails(session, current, today)
    session.flush()
    return _summarise(session, place.id, created=True)


def _demo_emails(session: Session, current: AssessmentRound, today: date) -> None:
    """The open round's people who have not submitted were e-mailed their links when it
    opened and reminded a week ago, as the invitations list and its outbox show."""
    waiting = session.exec(
        select(Invitation).where(
            Invitation.round_id == current.id,
            col(Invitation.status).in_([InvitationStatus.NOT_OPENED, InvitationStatus.STARTED]),
        )
    ).all()
    opened = datetime.combine(current.opens_on or today, time(9), UTC)
    reminded = datetime.combine(today - timedelta(days=7), time(9), UTC)
    for number, invitation in enumerate(waiting):
        invitation.email = f"partner{number + 1}@kestrel-vale.example"
        invitation.emailed_at = reminded
        session.add(invitation)
        for send_key, at, reminder in (
            ("demo-invitations-sent-when-the-round-opened", opened, False),
            ("demo-reminders-sent-a-week-before-now", reminded, True),
        ):
            session.add(
                OutboxMessage(
                    round_id=current.id or 0,
                    invitation_id=invitation.id or 0,
                    send_key=send_key,
                    reminder=reminder,
                    email=invitation.email,
                    created_at=at,
                    sent_at=at,
                )
            )


def _invite_and_answer(
    session: Session,
    definition: Definition,
    assessment_round: AssessmentRound,
    organisations: list[Organisation],
    rng: random.Random,
    changes: dict[str, float] | None,
    secret: str,
) -> None:
    """Invite each organisation's people and answer for them; ``changes`` shifts an earlier
    round's levels from the current ones (None: this is the current round)."""
    assert assessment_round.id is not None
    is_previous = changes is not None
    profiles = {profile.name: profile for profile in DEMO_ORGANISATIONS}
    opened = datetime.combine(assessment_round.opens_on or date.today(), datetime.min.time(), UTC)
    for organisation in organisations:
        assert organisation.id is not None
        profile = profiles[organisation.name]
        for number, role in enumerate(profile.roles):
            status = _demo_status(profile.sector, number, is_previous)
            nonce = _link_nonce(assessment_round.title, organisation.name, number)
            invitation = Invitation(
                round_id=assessment_round.id,
                organisation_id=organisation.id,
                role_title=role,
                token_hash=hash_token(link_token(secret, nonce)),
                link_nonce=nonce,
                status=status,
                submitted_at=opened + timedelta(days=3 + number)
                if status is InvitationStatus.SUBMITTED
                else None,
            )
            session.add(invitation)
            session.flush()
            assert invitation.id is not None
            if status is InvitationStatus.NOT_OPENED:
                continue
            items = definition.items_for(profile.sector)
            if status is InvitationStatus.STARTED:
                items = items[: len(items) // 3]
            for item in items:
                answer = demo_answer(item, profile.sector, role, rng, changes)
                session.add(
                    Answer(
                        invitation_id=invitation.id,
                        item_id=item.id,
                        kind=answer.kind,
                        level=answer.level,
                        evidence=answer.evidence,
                    )
                )


def _late_paper_return(
    session: Session,
    definition: Definition,
    pilot: AssessmentRound,
    organisations: list[Organisation],
) -> None:
    """A paper questionnaire from the pilot came back after its results were published. Forum
    members go on reading the results as published; the round's page tells the facilitators
    that one person's answers now differ, and publishing again is refused (one person is fewer
    than k, so the two versions would give their answers away)."""
    housing = next(o for o in organisations if o.sector is Sector.HOUSING)
    role = "Tenancy Sustainment Officer"
    rng = random.Random(2025)
    answers: dict[str, tuple[AnswerKind, int | None, str | None]] = {}
    for item in definition.items_for(Sector.HOUSING):
        answer = demo_answer(item, Sector.HOUSING, role, rng, PILOT_CHANGE)
        answers[item.id] = (answer.kind, answer.level, None)
    late = PaperRespondent("Returned by post after publication", housing, role, answers)
    store_paper_answers(session=session, assessment_round=pilot, respondents=[late])


def _demo_status(sector: Sector, number: int, is_previous: bool) -> InvitationStatus:
    """Most people have submitted; a few are part-way through or have not opened the link."""
    if is_previous:
        if (sector, number) in {(Sector.NHS_ICB, 2), (Sector.VOLUNTARY_AND_COMMUNITY, 2)}:
            return InvitationStatus.NOT_OPENED
        return InvitationStatus.SUBMITTED
    if (sector, number) in {(Sector.LOCAL_AUTHORITY, 4), (Sector.COMMUNITY_MEMBER, 3)}:
        return InvitationStatus.STARTED
    if (sector, number) == (Sector.HOUSING, 3):
        return InvitationStatus.NOT_OPENED
    return InvitationStatus.SUBMITTED


def _level(typical: float, rng: random.Random, top: int) -> int:
    return max(1, min(top, round(typical + rng.choice((-0.6, -0.3, 0.0, 0.0, 0.3, 0.6)))))


@dataclass(frozen=True)
class DemoAnswer:
    kind: AnswerKind
    level: int | None = None
    evidence: str | None = None


def demo_answer(
    item: Item,
    sector: Sector,
    role: str,
    rng: random.Random,
    changes: dict[str, float] | None,
) -> DemoAnswer:
    """One generated answer: the current round's profile, shifted by ``changes`` for an earlier
    round (or another place), with don't-knows where people could not know."""
    condition = item.subject
    is_previous = changes is not None
    if item.kind is ItemKind.STATEMENT:
        if condition == "sufficient-resources" and role not in KNOWS_THE_MONEY:
            if rng.random() < 0.8:
                return DemoAnswer(AnswerKind.DONT_KNOW)
        if sector is Sector.HOUSING and item.id == "data-and-evidence.2":
            return DemoAnswer(AnswerKind.NOT_APPLICABLE)
        if rng.random() < 0.05:
            return DemoAnswer(AnswerKind.DONT_KNOW)
        typical = CURRENT_LEVELS[condition] + SECTOR_SHIFTS.get((condition, sector), 0.0)
        typical += ROLE_SHIFTS.get((condition, role, sector), 0.0)
        if changes is not None:
            typical += changes.get(condition, 0.0)
        evidence = EVIDENCE.get(item.id) if not is_previous and rng.random() < 0.5 else None
        return DemoAnswer(AnswerKind.LEVEL, _level(typical, rng, 5), evidence)
    if item.kind is ItemKind.IMPORTANCE:
        return DemoAnswer(AnswerKind.LEVEL, _level(IMPORTANCE.get(condition, 2.8), rng, 4))
    if item.kind is ItemKind.RECOMMENDATION:
        if rng.random() < 0.1:
            return DemoAnswer(AnswerKind.DONT_KNOW)
        top = 5 if int(item.id[1:]) <= 9 else 4
        evidence = EVIDENCE.get(item.id) if not is_previous and rng.random() < 0.5 else None
        return DemoAnswer(
            AnswerKind.LEVEL, _level(RECOMMENDATION_LEVELS[item.id], rng, top), evidence
        )
    return DemoAnswer(AnswerKind.LEVEL, rng.choice((1, 2, 2, 3, 3, 3)))


def _summarise(session: Session, place_id: int, *, created: bool) -> DemoSummary:
    round_ids = session.exec(
        select(AssessmentRound.id).where(AssessmentRound.place_id == place_id)
    ).all()
    organisations = session.exec(
        select(Organisation.id).where(Organisation.place_id == place_id)
    ).all()
    invitations = session.exec(
        select(Invitation.status).where(col(Invitation.round_id).in_(round_ids))
    ).all()
    return DemoSummary(
        place_id=place_id,
        created=created,
        rounds=len(round_ids),
        organisations=len(organisations),
        invitations=len(invitations),
        submitted=sum(1 for status in invitations if status is InvitationStatus.SUBMITTED),
    )
