"""Everything a facilitator creates can be corrected: here, an invitation (a person's details,
and the partner they answer for, with their answers going with them)."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.enums import ActionStatus, InvitationStatus, RoundStatus
from app.invitations.service import link_token
from app.models import Action, AssessmentRound, AuditEvent, Invitation, Organisation
from tests.support.pages import post_form
from tests.support.workspace import Workspace


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


def _first_action(engine: Engine, round_id: int) -> Action:
    with Session(engine) as session:
        action = session.exec(
            select(Action).where(Action.round_id == round_id).order_by(col(Action.id))
        ).first()
        assert action is not None, "the demo's open round has actions"
        return action


def test_an_action_can_be_corrected_and_a_bad_date_is_explained(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    action = _first_action(engine, workspace.current_round)
    path = f"/rounds/{workspace.current_round}/workshop/actions/{action.id}"
    fields = {
        "description": "Agree one outcomes framework for the place",
        "condition_id": "shared-outcomes-and-accountability",
        "recommendation_id": "",
        "lead_organisation_id": "",
        "status": "done",
    }

    refused = post_form(
        facilitator,
        path,
        path,
        {**fields, "due_on-day": "30", "due_on-month": "2", "due_on-year": "2027"},
    )
    assert refused.status_code == 400
    assert "like 31 3 2027" in refused.text
    saved = post_form(
        facilitator,
        path,
        path,
        {**fields, "due_on-day": "31", "due_on-month": "3", "due_on-year": "2027"},
    )

    assert "The action was changed." in saved.text
    changed = _first_action(engine, workspace.current_round)
    assert changed.description == "Agree one outcomes framework for the place"
    assert changed.status is ActionStatus.DONE and changed.lead_organisation_id is None
    assert str(changed.due_on) == "2027-03-31"


def test_removing_an_action_is_confirmed_first(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    action = _first_action(engine, workspace.current_round)
    path = f"/rounds/{workspace.current_round}/workshop/actions/{action.id}/remove"

    confirm = facilitator.get(path)
    assert "Remove this action from the plan?" in confirm.text
    assert _first_action(engine, workspace.current_round).id == action.id
    done = post_form(facilitator, path, path, {})

    assert "The action was removed from the plan." in done.text
    with Session(engine) as session:
        assert session.get(Action, action.id) is None


def test_the_places_data_contact_is_printed_in_its_respondents_privacy_notice(
    facilitator: TestClient, settings: Settings, workspace: Workspace, engine: Engine
) -> None:
    path = f"/places/{workspace.place_slug}/edit"
    contact = "Place forum team, placeforum@kestrelvale.example"
    saved = post_form(
        facilitator,
        path,
        path,
        {"name": "Kestrel Vale", "description": "", "data_contact": contact},
    )
    assert "The place&#39;s details were changed." in saved.text
    with Session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(Invitation.round_id == workspace.current_round)
        ).first()
        assert invitation is not None and invitation.link_nonce is not None
    token = link_token(settings.secret, invitation.link_nonce)

    start = facilitator.get(f"/r/{token}").text
    notice = facilitator.get(f"/r/{token}/privacy").text

    assert f'href="/r/{token}/privacy"' in start  # the footer leads to the place's own notice
    assert contact in notice and "Kestrel Vale" in notice
    assert contact not in facilitator.get("/privacy").text  # the general notice names no place
