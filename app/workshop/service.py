"""The workshop stage: agreed levels, the action plan and the comments chosen for the report."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.enums import InvitationStatus
from app.models import (
    Action,
    ActionBase,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    ConditionAgreementBase,
    EvidenceQuote,
    Invitation,
    Organisation,
)
from questionnaires.schema import Definition
from questionnaires.sectors import Sector


def agreements_of(session: Session, round_id: int | None) -> dict[str, ConditionAgreement]:
    rows = session.exec(
        select(ConditionAgreement).where(ConditionAgreement.round_id == round_id)
    ).all()
    return {row.condition_id: row for row in rows}


def record_agreements(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    agreements: dict[str, ConditionAgreementBase | None],
) -> None:
    """Set each condition's agreement; None clears it (not yet discussed)."""
    assert assessment_round.id is not None
    existing = agreements_of(session, assessment_round.id)
    for condition_id, agreement in agreements.items():
        row = existing.get(condition_id)
        if agreement is None:
            if row is not None:
                session.delete(row)
            continue
        row = row or ConditionAgreement(round_id=assessment_round.id, condition_id=condition_id)
        row.agreed_level = None if agreement.could_not_agree else agreement.agreed_level
        row.could_not_agree = agreement.could_not_agree
        row.rationale = agreement.rationale
        session.add(row)


def actions_of(session: Session, round_id: int | None) -> list[Action]:
    return list(
        session.exec(
            select(Action).where(Action.round_id == round_id).order_by(col(Action.id))
        ).all()
    )


def add_action(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    details: ActionBase,
) -> Action:
    assert assessment_round.id is not None
    action = Action(round_id=assessment_round.id, **details.model_dump())
    session.add(action)
    session.flush()
    return action


@dataclass(frozen=True)
class Comment:
    answer_id: int
    item_id: str
    subject_id: str
    text: str
    sector: Sector


def comments_of(
    *, session: Session, assessment_round: AssessmentRound, definition: Definition
) -> list[Comment]:
    """Comments from submitted answers, in questionnaire order, with no one's name."""
    rows = session.exec(
        select(Answer, Organisation.sector)
        .join(Invitation, col(Answer.invitation_id) == col(Invitation.id))
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == assessment_round.id,
            Invitation.status == InvitationStatus.SUBMITTED,
            col(Answer.evidence).is_not(None),
        )
    ).all()
    order = {item.id: n for n, item in enumerate(definition.items)}
    comments = [
        Comment(
            answer.id or 0,
            answer.item_id,
            definition.items_by_id[answer.item_id].subject,
            answer.evidence or "",
            Sector(sector),
        )
        for answer, sector in rows
        if answer.item_id in definition.items_by_id and (answer.evidence or "").strip()
    ]
    return sorted(comments, key=lambda c: (order[c.item_id], c.answer_id))


def quotes_of(session: Session, round_id: int | None) -> list[EvidenceQuote]:
    return list(
        session.exec(
            select(EvidenceQuote)
            .where(EvidenceQuote.round_id == round_id)
            .order_by(col(EvidenceQuote.id))
        ).all()
    )
