"""From a round's stored answers to a ScoreResult (and the previous round's, for change)."""

from collections import defaultdict

from sqlalchemy import select as sa_select
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
    """Submitted responses only: answers still being written are not results yet.

    Read as plain columns, joined in one query: at a thousand respondents, loading answers as
    ORM objects took five times as long as the scoring that follows."""
    rows = session.execute(
        sa_select(col(Invitation.id), col(Organisation.name), col(Organisation.sector))
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            col(Invitation.round_id) == assessment_round.id,
            col(Invitation.status) == InvitationStatus.SUBMITTED,
        )
        .order_by(col(Invitation.id))
    ).all()
    answers: dict[int, dict[str, AnswerValue]] = defaultdict(dict)
    stored = session.execute(
        sa_select(
            col(Answer.invitation_id), col(Answer.item_id), col(Answer.kind), col(Answer.level)
        )
        .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
        .where(
            col(Invitation.round_id) == assessment_round.id,
            col(Invitation.status) == InvitationStatus.SUBMITTED,
            col(Answer.kind).in_([AnswerKind.LEVEL, *OPT_OUTS]),
        )
    )
    for invitation_id, item_id, kind, level in stored:
        answers[invitation_id][item_id] = OPT_OUTS.get(kind, level)
    return [
        Respondent(
            id=f"invitation-{invitation_id}",
            organisation=organisation,
            sector=sector,
            answers=answers.get(invitation_id, {}),
        )
        for invitation_id, organisation, sector in rows
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
    otherwise the latest of them. Looked up once per build and handed to the scores, the facts
    and the workshop record, so that the three can never compare with different rounds."""
    earlier = earlier_rounds(session=session, assessment_round=assessment_round)
    return next((r for r in earlier if r.id == chosen), earlier[0] if earlier else None)


def score_round(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    rules: Rules,
    earlier: AssessmentRound | None,
) -> ScoreResult:
    """Score a round with its own anonymity threshold, compared with ``earlier`` (its
    ``previous_round``, or None for no comparison)."""
    round_rules = rules.with_threshold(assessment_round.anonymity_threshold)
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
