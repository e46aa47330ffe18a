"""A round is scored once per process until anything its pages read changes."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import write_session
from app.models import Answer, AssessmentRound, ConditionAgreement, Invitation
from app.results.remembered import remembered
from tests.support.workspace import Workspace


def _change_an_answer(engine: Engine, round_id: int) -> None:
    with write_session(engine) as session:
        answer = session.exec(
            select(Answer)
            .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
            .where(Invitation.round_id == round_id)
        ).first()
        assert answer is not None
        answer.version += 1
        session.add(answer)
        session.commit()


def test_a_round_is_scored_again_only_when_something_it_reads_changes(
    workspace: Workspace, engine: Engine
) -> None:
    computed: list[str] = []

    def view(what: str) -> int:
        with Session(engine) as session:
            assessment_round = session.get(AssessmentRound, workspace.current_round)
            assert assessment_round is not None
            return remembered(
                session=session,
                assessment_round=assessment_round,
                what=(what,),
                compute=lambda: computed.append(what) or len(computed),
            )

    assert view("results") == 1
    assert view("results") == 1  # nothing changed: the same value, not computed again
    assert view("scores") == 2  # another view of the round is kept apart
    _change_an_answer(engine, workspace.current_round)
    assert view("results") == 3
    _change_an_answer(engine, workspace.previous_round)  # the round compared with
    assert view("results") == 4
    assert computed == ["results", "scores", "results", "results"]


def test_the_results_show_an_agreement_as_soon_as_it_is_recorded(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    agreed = f"/rounds/{workspace.current_round}/results/agreed"
    assert "agreed after a long discussion" not in facilitator.get(agreed).text
    with write_session(engine) as session:
        session.add(
            ConditionAgreement(
                round_id=workspace.current_round,
                condition_id="people-focus",
                agreed_level=3,
                rationale="agreed after a long discussion",
            )
        )
        session.commit()

    assert "agreed after a long discussion" in facilitator.get(agreed).text
