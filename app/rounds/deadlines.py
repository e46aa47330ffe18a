"""A round's closing date, kept by the service rather than by the facilitator's diary: the round
closes itself when the date has passed, and a reminder goes to everyone who has not answered a
set number of days before.

The dates are the place's own (UK) calendar: a round "closing on 31 March" takes answers until
midnight at the end of 31 March in London, whatever the server's clock is set to. Each check is
a conditional update, so it is safe to run from every process at once and to run again after a
restart; whatever was due while the service was down happens at the next check.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app.core import audit
from app.core.config import Settings
from app.core.db import UnitOfWork, changed_rows, write_session
from app.enums import RoundStatus
from app.invitations.mail import mail_configured, send_invitations
from app.invitations.service import awaiting_answers, mark_emailed
from app.models import AssessmentRound, Place
from app.rounds.service import change_status
from reports.wording import long_date


def past_deadline(assessment_round: AssessmentRound, today: date) -> bool:
    closes_on = assessment_round.closes_on
    return closes_on is not None and today > closes_on


def reminder_date(assessment_round: AssessmentRound) -> date | None:
    if assessment_round.closes_on is None or assessment_round.remind_days_before is None:
        return None
    return assessment_round.closes_on - timedelta(days=assessment_round.remind_days_before)


def close_rounds_past_deadline(engine: Engine, today: date) -> list[int]:
    """Close every open round whose closing date has passed; returns their ids."""
    closed: list[int] = []
    with write_session(engine) as session:
        due = session.exec(
            select(AssessmentRound).where(
                AssessmentRound.status == RoundStatus.OPEN,
                col(AssessmentRound.closes_on) < today,
            )
        ).all()
        for assessment_round in due:
            change_status(session=session, assessment_round=assessment_round, to=RoundStatus.CLOSED)
            audit.record(
                session,
                "round-closed-at-deadline",
                actor_user_id=None,
                place_id=assessment_round.place_id,
                round_id=assessment_round.id,
                closes_on=str(assessment_round.closes_on),
            )
            closed.append(assessment_round.id or 0)
    return closed


@dataclass(frozen=True)
class ReminderRun:
    round_id: int
    sent: int
    failures: list[str]


def send_due_reminders(engine: Engine, settings: Settings, today: date) -> list[ReminderRun]:
    """E-mail the scheduled reminder of every open round whose reminder date has come, once.

    Needs a mail server and the public address (links in an e-mail must say where the service
    is); without them nothing is sent, and the round's page says so. The round is marked as
    reminded before the messages go, by an update only one process can win, so two processes
    never both send it.
    """
    if not mail_configured(settings) or not settings.public_url:
        return []
    runs: list[ReminderRun] = []
    with Session(engine) as session:
        work = UnitOfWork(session)
        candidates = session.exec(
            select(AssessmentRound).where(
                AssessmentRound.status == RoundStatus.OPEN,
                col(AssessmentRound.remind_days_before).is_not(None),
                col(AssessmentRound.reminder_sent_on).is_(None),
                col(AssessmentRound.closes_on) >= today,
            )
        ).all()
        due = [r for r in candidates if (when := reminder_date(r)) is not None and when <= today]
        for assessment_round in due:
            work.write()
            won = changed_rows(
                session,
                update(AssessmentRound)
                .where(
                    col(AssessmentRound.id) == assessment_round.id,
                    col(AssessmentRound.reminder_sent_on).is_(None),
                )
                .values(reminder_sent_on=today),
            )
            place = session.get(Place, assessment_round.place_id)
            invitees = awaiting_answers(
                session, assessment_round, secret=settings.secret, base_url=settings.public_url
            )
            work.finish()  # marked as reminded, and the lock let go, before the mail goes
            if not won or place is None:
                continue
            outcome = send_invitations(
                settings,
                invitees,
                place=place.name,
                round_title=assessment_round.title,
                closes=long_date(assessment_round.closes_on),
                reminder=True,
            )
            mark_emailed(work.write(), outcome.sent)
            audit.record(
                session,
                "reminders-emailed",
                actor_user_id=None,
                place_id=assessment_round.place_id,
                round_id=assessment_round.id,
                sent=len(outcome.sent),
                failed=len(outcome.failures),
                scheduled=True,
            )
            work.finish()
            runs.append(ReminderRun(assessment_round.id or 0, len(outcome.sent), outcome.failures))
    return runs
