"""The fingerprint of what a round's reports and pages read: it moves with every change to any
of it (a report made from older inputs is never handed over as current), and with nothing else."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import write_session
from app.enums import InvitationStatus
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    Organisation,
    Place,
)
from app.results.inputs import report_inputs
from tests.support.workspace import Workspace

TODAY = date(2026, 11, 30)
Change = Callable[[Session, Workspace], None]


def _answer(session: Session, round_id: int) -> Answer:
    answer = session.exec(
        select(Answer)
        .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
        .where(Invitation.round_id == round_id)
        .order_by(col(Answer.id))
    ).first()
    assert answer is not None
    return answer


def _edit(session: Session, row: object, **values: object) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)


def _a_changed_answer(session: Session, workspace: Workspace) -> None:
    answer = _answer(session, workspace.current_round)
    _edit(session, answer, version=answer.version + 1)


def _an_erased_answer(session: Session, workspace: Workspace) -> None:
    session.delete(_answer(session, workspace.current_round))


def _an_answer_in_the_round_compared_with(session: Session, workspace: Workspace) -> None:
    answer = _answer(session, workspace.previous_round)
    _edit(session, answer, version=answer.version + 1)


def _a_revoked_invitation(session: Session, workspace: Workspace) -> None:
    invitation = session.exec(
        select(Invitation).where(Invitation.round_id == workspace.current_round)
    ).first()
    assert invitation is not None
    _edit(session, invitation, status=InvitationStatus.REVOKED)


def _a_renamed_partner(session: Session, workspace: Workspace) -> None:
    round_ = session.get(AssessmentRound, workspace.current_round)
    assert round_ is not None
    organisation = session.exec(
        select(Organisation).where(Organisation.place_id == round_.place_id)
    ).first()
    _edit(session, organisation, name="A partner renamed")


def _a_renamed_place(session: Session, workspace: Workspace) -> None:
    round_ = session.get(AssessmentRound, workspace.current_round)
    assert round_ is not None
    _edit(session, session.get(Place, round_.place_id), name="A place renamed")


def _a_new_closing_date(session: Session, workspace: Workspace) -> None:
    round_ = session.get(AssessmentRound, workspace.current_round)
    assert round_ is not None
    _edit(session, round_, closes_on=(round_.closes_on or TODAY) + timedelta(days=7))


def _an_agreement(session: Session, workspace: Workspace) -> None:
    session.add(
        ConditionAgreement(
            round_id=workspace.current_round, condition_id="people-focus", agreed_level=2
        )
    )


def _an_action(session: Session, workspace: Workspace) -> None:
    session.add(Action(round_id=workspace.current_round, description="Share the data"))


def _a_quote(session: Session, workspace: Workspace) -> None:
    answer = _answer(session, workspace.current_round)
    session.add(
        EvidenceQuote(
            round_id=workspace.current_round,
            answer_id=answer.id,
            subject_id="people-focus",
            text="A quoted comment",
        )
    )


def _fingerprint(engine: Engine, workspace: Workspace, today: date = TODAY) -> str:
    with Session(engine) as session:
        round_ = session.get(AssessmentRound, workspace.current_round)
        assert round_ is not None
        return report_inputs(session=session, assessment_round=round_, today=today)


@pytest.mark.parametrize(
    "change",
    [
        _a_changed_answer,
        _an_erased_answer,
        _an_answer_in_the_round_compared_with,
        _a_revoked_invitation,
        _a_renamed_partner,
        _a_renamed_place,
        _a_new_closing_date,
        _an_agreement,
        _an_action,
        _a_quote,
    ],
)
def test_the_fingerprint_moves_with_anything_a_report_reads(
    change: Change, workspace: Workspace, engine: Engine
) -> None:
    before = _fingerprint(engine, workspace)
    assert _fingerprint(engine, workspace) == before  # read twice, nothing changed
    with write_session(engine) as session:
        change(session, workspace)
        session.commit()

    assert _fingerprint(engine, workspace) != before


def test_the_fingerprint_moves_with_the_day_and_not_with_another_place(
    workspace: Workspace, engine: Engine
) -> None:
    before = _fingerprint(engine, workspace)
    with write_session(engine) as session:
        other_round = session.get(AssessmentRound, workspace.other_round)
        assert other_round is not None
        _edit(session, other_round, title="Another place's round, renamed")
        _edit(session, session.get(Place, other_round.place_id), name="Another place renamed")
        session.commit()

    assert _fingerprint(engine, workspace) == before
    assert _fingerprint(engine, workspace, TODAY + timedelta(days=1)) != before
