"""The workshop stage: agreed levels, the action plan and the comments chosen for the report."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.core.exceptions import ChangeRefusedError
from app.enums import ActionStatus, InvitationStatus
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


def action_in(session: Session, assessment_round: AssessmentRound, action_id: int) -> Action | None:
    """One of the round's actions (another round's is never found)."""
    action = session.get(Action, action_id)
    return action if action is not None and action.round_id == assessment_round.id else None


def set_action_status(*, session: Session, action: Action, status: ActionStatus) -> None:
    action.status = status
    session.add(action)


def change_action(*, session: Session, action: Action, wanted: dict[str, object]) -> list[str]:
    """Correct an action; returns the names of the fields that changed, for the audit."""
    changed = [name for name, value in wanted.items() if getattr(action, name) != value]
    for name in changed:
        setattr(action, name, wanted[name])
    session.add(action)
    return changed


def remove_action(*, session: Session, action: Action) -> None:
    session.delete(action)


@dataclass(frozen=True)
class Comment:
    answer_id: int
    item_id: str
    subject_id: str
    text: str
    sector: Sector
    organisation_id: int


def comments_of(
    *, session: Session, assessment_round: AssessmentRound, definition: Definition
) -> list[Comment]:
    """Comments from submitted answers, in questionnaire order, with no one's name."""
    rows = session.exec(
        select(Answer, Organisation.sector, Invitation.organisation_id)
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
            organisation_id,
        )
        for answer, sector, organisation_id in rows
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


def quote_comment(
    *, session: Session, assessment_round: AssessmentRound, comment: "Comment", text: str
) -> EvidenceQuote:
    """Put a partner's comment (as the facilitator trimmed it) in the round's reports, once."""
    already = session.exec(
        select(EvidenceQuote.id).where(
            EvidenceQuote.round_id == assessment_round.id,
            EvidenceQuote.answer_id == comment.answer_id,
        )
    ).first()
    if already is not None:
        raise ChangeRefusedError(
            "This comment is already in the report", field=f"comment-{comment.answer_id}"
        )
    quote = EvidenceQuote(
        round_id=assessment_round.id or 0,
        answer_id=comment.answer_id,
        organisation_id=comment.organisation_id,
        subject_id=comment.subject_id,
        text=text,
    )
    session.add(quote)
    return quote


def unquote(*, session: Session, assessment_round: AssessmentRound, quote_id: int) -> bool:
    """Take a quote out of the round's reports; False if the round has no such quote."""
    quote = session.get(EvidenceQuote, quote_id)
    if quote is None or quote.round_id != assessment_round.id:
        return False
    session.delete(quote)
    return True
