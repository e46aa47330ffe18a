"""Everything a facilitator creates can be corrected: here, an invitation (a person's details,
and the partner they answer for, with their answers going with them)."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.enums import InvitationStatus, RoundStatus
from app.models import AssessmentRound, AuditEvent, Invitation, Organisation

from .conftest import Workspace, post_form


def _submitted_in(engine: Engine, round_id: int, organisation: str) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Invitation.id)
                .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
                .where(
                    Invitation.round_id == round_id,
                    Invitation.status == InvitationStatus.SUBMITTED,
                    Organisation.name == organisation,
                )
            ).all()
        )


def _organisation(engine: Engine, name: str) -> Organisation:
    with Session(engine) as session:
        return session.exec(select(Organisation).where(Organisation.name == name)).one()


def test_a_person_moved_to_the_right_partner_takes_their_answers_with_them(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    council = "Kestrel Vale Borough Council"
    housing = _organisation(engine, "Kestrel Homes")
    moving = _submitted_in(engine, workspace.current_round, council)[0]
    before = len(_submitted_in(engine, workspace.current_round, housing.name))
    path = f"/rounds/{workspace.current_round}/invitations/{moving}/edit"

    response = post_form(
        facilitator,
        path,
        path,
        {
            "organisation_id": str(housing.id),
            "role_title": "Head of Housing Strategy",
            "name": "Ola Ńowak",
            "email": "ola@example.org",
        },
    )

    assert response.status_code == 200
    assert "The invitation was changed" in response.text
    assert len(_submitted_in(engine, workspace.current_round, housing.name)) == before + 1
    assert moving not in _submitted_in(engine, workspace.current_round, council)
    progress = facilitator.get(f"/rounds/{workspace.current_round}/progress").text
    assert "Kestrel Homes" in progress
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "invitation-changed")
        ).one()
    assert event.detail["fields"] == ["organisation_id", "role_title", "name", "email"]
    assert "ola@example.org" not in str(event.detail)  # which fields, not the personal data


def test_a_person_in_published_results_cannot_be_moved_until_the_publication_is_withdrawn(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with Session(engine) as session:
        published = session.get(AssessmentRound, workspace.previous_round)
        assert published is not None and published.status is RoundStatus.PUBLISHED
        person = session.exec(
            select(Invitation).where(
                Invitation.round_id == workspace.previous_round,
                Invitation.status == InvitationStatus.SUBMITTED,
            )
        ).first()
        assert person is not None
        other = session.exec(
            select(Organisation).where(Organisation.id != person.organisation_id)
        ).first()
        assert other is not None
    path = f"/rounds/{workspace.previous_round}/invitations/{person.id}/edit"

    response = post_form(
        facilitator,
        path,
        path,
        {"organisation_id": str(other.id), "role_title": person.role_title},
    )

    assert response.status_code == 400
    assert "Withdraw the publication first" in response.text
    with Session(engine) as session:
        unchanged = session.get(Invitation, person.id)
        assert unchanged is not None and unchanged.organisation_id == person.organisation_id


def test_an_invitation_of_another_round_or_place_cannot_be_changed(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with Session(engine) as session:
        elsewhere = session.exec(
            select(Invitation).where(Invitation.round_id == workspace.previous_round)
        ).first()
    assert elsewhere is not None
    response = facilitator.get(f"/rounds/{workspace.current_round}/invitations/{elsewhere.id}/edit")
    assert response.status_code == 404
