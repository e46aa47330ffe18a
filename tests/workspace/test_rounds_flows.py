"""A round's life: open, closed, published, withdrawn and published again, reassessment, and the
confirmations before what cannot be undone."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import write_session
from app.enums import ActionStatus, InvitationStatus, RoundStatus
from app.invitations.service import invite
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    Invitation,
    InvitationBase,
    Organisation,
)
from tests.support.pages import post_form
from tests.support.workspace import Workspace, round_of


def test_a_round_moves_from_open_to_closed_to_published_and_no_further_by_accident(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    assert round_of(engine, workspace.current_round).status is RoundStatus.CLOSED
    post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert round_of(engine, workspace.current_round).status is RoundStatus.PUBLISHED
    refused = post_form(facilitator, path, f"{path}/status", {"to": "draft"})
    assert refused.status_code == 409
    assert "A published round cannot become draft" in refused.text


def _submit_more(engine: Engine, round_id: int, count: int) -> None:
    """``count`` more people in one organisation submit an answer."""
    with write_session(engine) as session:
        waiting = session.exec(
            select(Invitation).where(
                Invitation.round_id == round_id,
                col(Invitation.status).in_([InvitationStatus.NOT_OPENED, InvitationStatus.STARTED]),
            )
        ).first()
        assert waiting is not None
        organisation_id = waiting.organisation_id
        for number in range(count):
            invitation, _ = invite(
                session=session,
                assessment_round=session.get(AssessmentRound, round_id),  # type: ignore[arg-type]
                organisation=session.get(Organisation, organisation_id),  # type: ignore[arg-type]
                invitee=InvitationBase(role_title=f"Late answerer {number}"),
                secret="test-secret",
            )
            assert invitation.id is not None
            session.add(
                Answer(invitation_id=invitation.id, item_id="people-focus.1", kind="level", level=5)
            )
            invitation.status = InvitationStatus.SUBMITTED
            session.add(invitation)
        session.commit()


def test_republishing_is_refused_while_the_versions_differ_by_fewer_than_k_people(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    for status in ("closed", "published", "closed", "open"):
        post_form(facilitator, path, f"{path}/status", {"to": status})
    _submit_more(engine, workspace.current_round, 1)
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})

    refused = post_form(facilitator, path, f"{path}/status", {"to": "published"})

    assert refused.status_code == 409
    assert "cannot be published again yet" in refused.text
    assert "the whole place: 1 person" in refused.text
    assert round_of(engine, workspace.current_round).status is RoundStatus.CLOSED

    post_form(facilitator, path, f"{path}/status", {"to": "open"})
    _submit_more(engine, workspace.current_round, 2)
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    allowed = post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert allowed.status_code == 200, allowed.text[:500]
    assert round_of(engine, workspace.current_round).status is RoundStatus.PUBLISHED


def test_withdrawing_and_publishing_unchanged_results_again_is_allowed(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.previous_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert round_of(engine, workspace.previous_round).status is RoundStatus.PUBLISHED


def test_reassessment_invites_the_same_people_and_compares_with_this_round(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    response = post_form(
        facilitator, path, f"{path}/reassess", {"title": "Spring 2027"}, follow_redirects=False
    )
    new_id = int(response.headers["location"].rsplit("/", 1)[1])
    with Session(engine) as session:
        old = session.exec(
            select(Invitation).where(Invitation.round_id == workspace.current_round)
        ).all()
        new = session.exec(select(Invitation).where(Invitation.round_id == new_id)).all()
        assert sorted(i.role_title for i in new) == sorted(i.role_title for i in old)
        assert all(i.status is InvitationStatus.NOT_OPENED for i in new)
    from app.results.service import previous_round

    with Session(engine) as session:
        earlier = previous_round(session=session, assessment_round=round_of(engine, new_id))
        assert earlier is not None and earlier.id == workspace.current_round
        # The open actions of the action plan come along, with their status; done ones do not.
        before = session.exec(
            select(Action).where(Action.round_id == workspace.current_round)
        ).all()
        after = session.exec(select(Action).where(Action.round_id == new_id)).all()
        still_open = [
            (a.description, a.status, a.lead_organisation_id, a.due_on)
            for a in before
            if a.status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
        ]
        assert still_open and len(still_open) < len(before)
        assert sorted(
            (a.description, a.status, a.lead_organisation_id, a.due_on) for a in after
        ) == sorted(still_open)


def test_each_change_that_cannot_be_undone_is_confirmed_first_and_then_announced(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    page = facilitator.get(path).text
    assert f'href="{path}/status/closed"' in page
    assert 'action="' + path + '/status"' not in page  # no one-click change of status

    confirm = facilitator.get(f"{path}/status/closed")
    assert confirm.status_code == 200
    assert '<h1 class="govuk-heading-l">Close the round?</h1>' in confirm.text
    assert "Links stop accepting answers at once." in confirm.text
    assert "govuk-button--warning" in confirm.text
    assert round_of(engine, workspace.current_round).status is RoundStatus.OPEN  # nothing yet

    done = post_form(facilitator, f"{path}/status/closed", f"{path}/status", {"to": "closed"})
    assert done.status_code == 200
    assert "The round is closed: links no longer accept answers." in done.text
    assert round_of(engine, workspace.current_round).status is RoundStatus.CLOSED
    assert facilitator.get(f"{path}/status/draft").status_code == 409

    with Session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(Invitation.round_id == workspace.current_round)
        ).first()
        assert invitation is not None
        invitation_id = invitation.id
    revoke = facilitator.get(f"{path}/invitations/{invitation_id}/revoke")
    assert "Revoke the link for" in revoke.text
    assert "Their link stops working at once." in revoke.text
    revoked = post_form(
        facilitator,
        f"{path}/invitations/{invitation_id}/revoke",
        f"{path}/invitations/{invitation_id}/revoke",
        {},
    )
    assert "The link was revoked: it no longer opens the questionnaire." in revoked.text
    assert facilitator.get(f"{path}?done=<script>").text.count("<script>") == 0
    # A stale or edited banner name is ignored: the round's page still shows.
    assert facilitator.get(f"{path}?done={'x' * 500}").status_code == 200
