"""From a round's stored answers to a ScoreResult (and the previous round's, for change)."""

from collections import defaultdict

from sqlmodel import Session, col, select

from app.enums import AnswerKind, InvitationStatus, RoundStatus
from app.models import Answer, AssessmentRound, Invitation, Organisation
from app.rounds.definitions import definition_of_round
from questionnaires.schema import OptOut
from scoring.engine import score
from scoring.rules import Rules
from scoring.types import AnswerValue, Respondent, ScoreResult

OPT_OUTS = {
    AnswerKind.DONT_KNOW: OptOut.DONT_KNOW,
    AnswerKind.NOT_APPLICABLE: OptOut.NOT_APPLICABLE,
}


def respondents_of_round(
    *, session: Session, assessment_round: AssessmentRound
) -> list[Respondent]:
    """Submitted responses only: answers still being written are not results yet."""
    rows = session.exec(
        select(Invitation, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == assessment_round.id,
            Invitation.status == InvitationStatus.SUBMITTED,
        )
        .order_by(col(Invitation.id))
    ).all()
    answers: dict[int, dict[str, AnswerValue]] = defaultdict(dict)
    invitation_ids = [invitation.id for invitation, _ in rows]
    for answer in session.exec(
        select(Answer).where(col(Answer.invitation_id).in_(invitation_ids))
    ).all():
        if answer.kind is AnswerKind.LEVEL and answer.level is not None:
            answers[answer.invitation_id][answer.item_id] = answer.level
        elif answer.kind in OPT_OUTS:
            answers[answer.invitation_id][answer.item_id] = OPT_OUTS[answer.kind]
    return [
        Respondent(
            id=f"invitation-{invitation.id}",
            organisation=organisation.name,
            sector=organisation.sector,
            answers=answers.get(invitation.id or 0, {}),
        )
        for invitation, organisation in rows
    ]


def earlier_rounds(*, session: Session, assessment_round: AssessmentRound) -> list[AssessmentRound]:
    """The place's closed or published rounds created before this one, newest first: the
    rounds this one can be compared with."""
    return list(
        session.exec(
            select(AssessmentRound)
            .where(
                AssessmentRound.place_id == assessment_round.place_id,
                col(AssessmentRound.id) != assessment_round.id,
                col(AssessmentRound.created_at) <= assessment_round.created_at,
                col(AssessmentRound.status).in_([RoundStatus.CLOSED, RoundStatus.PUBLISHED]),
            )
            .order_by(col(AssessmentRound.created_at).desc(), col(AssessmentRound.id).desc())
        ).all()
    )


def previous_round(
    *, session: Session, assessment_round: AssessmentRound, chosen: int | None = None
) -> AssessmentRound | None:
    """The round this one is compared with: ``chosen`` if it is one of its earlier rounds,
    otherwise the latest of them."""
    earlier = earlier_rounds(session=session, assessment_round=assessment_round)
    return next((r for r in earlier if r.id == chosen), earlier[0] if earlier else None)


def score_round(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    rules: Rules,
    compared_with: int | None = None,
) -> ScoreResult:
    """Score a round with its own anonymity threshold, compared with the previous round (or
    the earlier round ``compared_with`` names)."""
    round_rules = rules.with_threshold(assessment_round.anonymity_threshold)
    earlier = previous_round(
        session=session, assessment_round=assessment_round, chosen=compared_with
    )
    previous = (
        score(
            definition_of_round(session=session, assessment_round=earlier),
            respondents_of_round(session=session, assessment_round=earlier),
            rules.with_threshold(earlier.anonymity_threshold),
        )
        if earlier is not None
        else None
    )
    return score(
        definition_of_round(session=session, assessment_round=assessment_round),
        respondents_of_round(session=session, assessment_round=assessment_round),
        round_rules,
        previous,
    )
