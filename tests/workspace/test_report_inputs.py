"""The fingerprint of what a round's reports and pages read: it moves with every change to any
of it (a report made from older inputs is never handed over as current), and with nothing else."""

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, col, select

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
    User,
)
from app.results.inputs import (
    UNCHANGING,
    UnlistedReadError,
    fingerprinted_tables,
    reading_only_sources,
    report_inputs,
    table_of,
)
from app.results.reports import ReportUnavailableError, report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind
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


def _a_new_data_contact(session: Session, workspace: Workspace) -> None:
    round_ = session.get(AssessmentRound, workspace.current_round)
    assert round_ is not None
    _edit(session, session.get(Place, round_.place_id), data_contact="Someone new, new@example.org")


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
    invitation = session.get(Invitation, answer.invitation_id)
    assert invitation is not None
    session.add(
        EvidenceQuote(
            round_id=workspace.current_round,
            answer_id=answer.id,
            organisation_id=invitation.organisation_id,
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
        _a_new_data_contact,
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


@pytest.mark.parametrize(
    ("kind", "round_of_workspace", "partner"),
    [
        (ReportKind.FORUM, "current_round", False),
        (ReportKind.FORUM, "previous_round", False),
        (ReportKind.WORKSHOP, "current_round", False),
        (ReportKind.PARTNER, "current_round", True),
        (ReportKind.QUESTIONNAIRE, "current_round", False),
    ],
)
def test_every_table_a_report_reads_is_in_its_fingerprint(
    kind: ReportKind, round_of_workspace: str, partner: bool, workspace: Workspace, engine: Engine
) -> None:
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, getattr(workspace, round_of_workspace))
        assert assessment_round is not None
        organisation = session.exec(
            select(Organisation).where(Organisation.place_id == assessment_round.place_id)
        ).first()
        assert organisation is not None
        event.listen(engine, "before_cursor_execute", seen)
        try:
            report_html(
                session=session,
                assessment_round=assessment_round,
                kind=kind,
                rules=load_rules(),
                today=TODAY,
                organisation_id=organisation.id if partner else None,
            )
        except ReportUnavailableError:
            pass  # what it read before refusing counts all the same
        finally:
            event.remove(engine, "before_cursor_execute", seen)

    read = {
        table.name
        for table in SQLModel.metadata.sorted_tables
        for statement in statements
        if re.search(rf"\b{table.name}\b", statement)
    }
    assert read, "the report read nothing: the listener saw no statement"
    unchanging = {table_of(model).name for model in UNCHANGING}
    assert read - fingerprinted_tables(engine.dialect) - unchanging == set()


def _forum_report(engine: Engine, round_id: int) -> str:
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, round_id)
        assert assessment_round is not None
        return report_html(
            session=session,
            assessment_round=assessment_round,
            kind=ReportKind.FORUM,
            rules=load_rules(),
            today=TODAY,
        ).html


def test_answers_to_a_later_round_leave_an_earlier_rounds_report_as_made(
    workspace: Workspace, engine: Engine
) -> None:
    earlier = replace(workspace, current_round=workspace.previous_round)
    fingerprint, report = (
        _fingerprint(engine, earlier),
        _forum_report(engine, earlier.current_round),
    )
    with write_session(engine) as session:
        _a_changed_answer(session, workspace)
        _an_erased_answer(session, workspace)
        _a_revoked_invitation(session, workspace)

    assert _forum_report(engine, earlier.current_round) == report
    assert _fingerprint(engine, earlier) == fingerprint


@pytest.mark.parametrize(
    ("published", "unlisted"), [(False, User), (True, Answer), (True, Invitation)]
)
def test_a_report_or_page_that_reads_what_its_fingerprint_does_not_is_refused(
    published: bool, unlisted: type[SQLModel], engine: Engine
) -> None:
    with Session(engine) as session, reading_only_sources(session, published=published):
        session.exec(select(Place)).all()  # listed: read as usual
        with pytest.raises(UnlistedReadError, match=table_of(unlisted).name):
            session.exec(select(unlisted)).all()
