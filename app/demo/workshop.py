"""What the demo forum recorded at its workshops: agreed levels, an action plan, chosen quotes.

The baseline round has a full set of agreed levels (the forum met after it closed); the current
round had an interim workshop on the results so far, so some conditions are agreed, one could not
be agreed and the rest are still to discuss. Together they show every workshop part of every
report.
"""

from datetime import date

from sqlmodel import Session, col, select

from app.enums import ActionStatus, InvitationStatus
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    Organisation,
)
from questionnaires.sectors import Sector

BASELINE_LEVELS = {
    "people-focus": 3,
    "strong-leadership": 3,
    "trust-and-relationships": 3,
    "shared-outcomes-and-accountability": 2,
    "risk-appetite-and-experimentation": 2,
    "co-production-with-lived-experience": 2,
    "strengths-and-assets": 3,
    "sufficient-resources": 2,
    "data-and-evidence": 3,
    "coordination-role": 2,
    "embedding-the-approach": 2,
    "staying-true-when-scaling": 3,
}
CURRENT_AGREEMENTS: dict[str, tuple[int | None, str]] = {
    "strong-leadership": (
        4,
        "The forum now meets monthly and partners carry its decisions through; agreed as "
        "Established, not yet Embedded, because it still rests on a few leaders.",
    ),
    "trust-and-relationships": (
        4,
        "Front-line teams in the two pilot neighbourhoods know each other by name; elsewhere not.",
    ),
    "shared-outcomes-and-accountability": (
        None,
        "The council sees the outcomes framework as agreed; NHS partners do not recognise it. "
        "To be revisited once the ICB board has discussed it.",
    ),
    "coordination-role": (
        2,
        "No one holds the coordinating role between meetings; the policy team covers it when "
        "it can.",
    ),
    "data-and-evidence": (
        2,
        "Data is shared case by case; there is no standing agreement.",
    ),
}
ACTIONS: tuple[tuple[str, str | None, str | None, Sector, date, ActionStatus], ...] = (
    (
        "Take the shared outcomes framework to the ICB board and agree which measures both "
        "organisations report on.",
        "shared-outcomes-and-accountability",
        None,
        Sector.NHS_ICB,
        date(2027, 1, 31),
        ActionStatus.IN_PROGRESS,
    ),
    (
        "Fund a place coordinator post for two years, hosted by the council and jointly managed.",
        "coordination-role",
        "R9",
        Sector.LOCAL_AUTHORITY,
        date(2027, 3, 31),
        ActionStatus.NOT_STARTED,
    ),
    (
        "Sign a data-sharing agreement covering adult social care, housing and community health "
        "teams.",
        "data-and-evidence",
        "R8",
        Sector.NHS_PROVIDER,
        date(2027, 2, 28),
        ActionStatus.IN_PROGRESS,
    ),
    (
        "Put two Community Voices panel members on the forum with a vote.",
        "co-production-with-lived-experience",
        "R6",
        Sector.VOLUNTARY_AND_COMMUNITY,
        date(2026, 12, 15),
        ActionStatus.DONE,
    ),
    (
        "Agree a 'permission to try' statement that front-line staff can rely on.",
        "risk-appetite-and-experimentation",
        None,
        Sector.POLICE,
        date(2027, 4, 30),
        ActionStatus.NOT_STARTED,
    ),
)
QUOTED_CONDITIONS = (
    "strong-leadership",
    "shared-outcomes-and-accountability",
    "coordination-role",
    "data-and-evidence",
    "co-production-with-lived-experience",
)


def record_demo_workshops(
    session: Session,
    previous: AssessmentRound,
    current: AssessmentRound,
    organisations: list[Organisation],
) -> None:
    assert previous.id is not None and current.id is not None
    for condition_id, level in BASELINE_LEVELS.items():
        session.add(
            ConditionAgreement(
                round_id=previous.id,
                condition_id=condition_id,
                agreed_level=level,
                rationale="Agreed at the baseline workshop, May 2025.",
            )
        )
    for condition_id, (agreed, rationale) in CURRENT_AGREEMENTS.items():
        session.add(
            ConditionAgreement(
                round_id=current.id,
                condition_id=condition_id,
                agreed_level=agreed,
                could_not_agree=agreed is None,
                rationale=rationale,
            )
        )
    lead_of = {o.sector: o.id for o in organisations}
    for description, linked_condition, recommendation_id, sector, due, status in ACTIONS:
        session.add(
            Action(
                round_id=current.id,
                description=description,
                condition_id=linked_condition,
                recommendation_id=recommendation_id,
                lead_organisation_id=lead_of[sector],
                due_on=due,
                status=status,
            )
        )
    _choose_quotes(session, current.id)


def _choose_quotes(session: Session, round_id: int) -> None:
    """The first submitted comment on each quoted condition, as the facilitator would pick."""
    answers = session.exec(
        select(Answer, Invitation.organisation_id)
        .join(Invitation, col(Answer.invitation_id) == col(Invitation.id))
        .where(
            Invitation.round_id == round_id,
            Invitation.status == InvitationStatus.SUBMITTED,
            col(Answer.evidence).is_not(None),
        )
        .order_by(col(Answer.id))
    ).all()
    chosen: set[str] = set()
    for answer, organisation_id in answers:
        condition_id = answer.item_id.split(".")[0]
        if condition_id in QUOTED_CONDITIONS and condition_id not in chosen and answer.evidence:
            chosen.add(condition_id)
            assert answer.id is not None
            session.add(
                EvidenceQuote(
                    round_id=round_id,
                    answer_id=answer.id,
                    organisation_id=organisation_id,
                    subject_id=condition_id,
                    text=answer.evidence,
                )
            )
