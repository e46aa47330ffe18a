"""What a report reads of a round besides its scores: facts about the round (who was invited,
who submitted) and what the forum recorded at its workshop."""

from collections import Counter
from datetime import date

from sqlmodel import Session, col, select

from app.enums import InvitationStatus
from app.models import (
    Action,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    Organisation,
    Place,
)
from reports.facts import (
    Agreement,
    OrganisationFacts,
    PlannedAction,
    Quote,
    RoundFacts,
    WorkshopRecord,
)


def round_facts(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    today: date,
    earlier: AssessmentRound | None,
) -> RoundFacts:
    """Who was invited and who answered, beside the round ``earlier`` it is compared with."""
    place = session.get(Place, assessment_round.place_id)
    assert place is not None
    organisations = session.exec(
        select(Organisation).where(Organisation.place_id == place.id).order_by(col(Organisation.id))
    ).all()
    invitations = session.exec(
        select(Invitation.organisation_id, Invitation.status).where(
            Invitation.round_id == assessment_round.id,
            Invitation.status != InvitationStatus.REVOKED,
        )
    ).all()
    invited: Counter[int | None] = Counter(organisation_id for organisation_id, _ in invitations)
    submitted: Counter[int | None] = Counter(
        organisation_id
        for organisation_id, status in invitations
        if status is InvitationStatus.SUBMITTED
    )
    return RoundFacts(
        place=place.name,
        title=assessment_round.title,
        status=assessment_round.status.label,
        interim=assessment_round.status.interim,
        opens_on=assessment_round.opens_on,
        closes_on=assessment_round.closes_on,
        produced_on=today,
        organisations=tuple(
            OrganisationFacts(
                id=o.id or 0,
                name=o.name,
                sector=o.sector,
                invited=invited[o.id],
                submitted=submitted[o.id],
            )
            for o in organisations
            if invited[o.id]
        ),
        previous_title=earlier.title if earlier is not None else None,
        previous_partners=_partners_who_answered(session, earlier) if earlier else (),
    )


def _partners_who_answered(session: Session, assessment_round: AssessmentRound) -> tuple[str, ...]:
    names = session.exec(
        select(Organisation.name)
        .join(Invitation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == assessment_round.id,
            Invitation.status == InvitationStatus.SUBMITTED,
        )
        .distinct()
    ).all()
    return tuple(sorted(names))


def _agreements(session: Session, round_id: int | None) -> tuple[Agreement, ...]:
    if round_id is None:
        return ()
    rows = session.exec(
        select(ConditionAgreement).where(ConditionAgreement.round_id == round_id)
    ).all()
    return tuple(
        Agreement(row.condition_id, row.agreed_level, row.could_not_agree, row.rationale)
        for row in rows
    )


def workshop_record(
    *, session: Session, assessment_round: AssessmentRound, earlier: AssessmentRound | None
) -> WorkshopRecord:
    """What the forum recorded at this round's workshop, and what it agreed at ``earlier``."""
    actions = session.exec(
        select(Action, Organisation)
        .join(
            Organisation,
            col(Action.lead_organisation_id) == col(Organisation.id),
            isouter=True,
        )
        .where(Action.round_id == assessment_round.id)
        .order_by(col(Action.id))
    ).all()
    quotes = session.exec(
        select(EvidenceQuote, Organisation)
        .join(Organisation, col(EvidenceQuote.organisation_id) == col(Organisation.id))
        .where(EvidenceQuote.round_id == assessment_round.id)
        .order_by(col(EvidenceQuote.id))
    ).all()
    return WorkshopRecord(
        agreements=_agreements(session, assessment_round.id),
        actions=tuple(
            PlannedAction(
                description=action.description,
                condition_id=action.condition_id,
                recommendation_id=action.recommendation_id,
                lead=lead.name if lead is not None else None,
                due_on=action.due_on,
                status=action.status.label,
            )
            for action, lead in actions
        ),
        quotes=tuple(Quote(q.subject_id, q.text, o.sector) for q, o in quotes),
        previous_agreements=_agreements(session, earlier.id if earlier else None),
    )
