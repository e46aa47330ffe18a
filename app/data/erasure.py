"""Taking people's data out: one respondent's answers and details, or a whole round.

Every prepared report of the place goes in the same transaction, since any of them may
quote or count what is erased."""

from sqlmodel import Session, col, delete

from app.enums import InvitationStatus
from app.jobs.report_jobs import forget_place_jobs
from app.models import Answer, AssessmentRound, Invitation


def erase_respondent(*, session: Session, invitation: Invitation, place_id: int | None) -> None:
    """Their answers and who they are go; the invitation stays, revoked, so the round's
    counts of who was invited still add up."""
    session.exec(delete(Answer).where(col(Answer.invitation_id) == invitation.id))
    invitation.status = InvitationStatus.REVOKED
    invitation.name = None
    invitation.email = None
    invitation.submitted_at = None
    session.add(invitation)
    forget_place_jobs(session, place_id)


def delete_round(*, session: Session, assessment_round: AssessmentRound) -> None:
    forget_place_jobs(session, assessment_round.place_id)
    session.delete(assessment_round)
