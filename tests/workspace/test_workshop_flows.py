"""What the forum records in the workshop (agreed levels, actions, quotes) reaching the results."""

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.enums import InvitationStatus
from app.models import (
    Answer,
    EvidenceQuote,
    Invitation,
)
from app.rounds.definitions import definition_of_round
from tests.support.pages import post_form
from tests.support.workspace import Workspace, round_of


def test_agreed_levels_and_actions_reach_the_results(
    facilitator: TestClient, workspace: Workspace
) -> None:
    path = f"/rounds/{workspace.current_round}/workshop"
    response = post_form(
        facilitator,
        path,
        f"{path}/agreements",
        {
            "level-people-focus": "3",
            "rationale-people-focus": "Agreed after a long debate.",
            "level-coordination-role": "could-not-agree",
            "level-strong-leadership": "9",
        },
    )
    assert response.status_code == 400
    assert "Choose a level for Strong leadership" in response.text
    post_form(
        facilitator,
        path,
        f"{path}/agreements",
        {
            "level-people-focus": "3",
            "rationale-people-focus": "Agreed after a long debate.",
            "level-coordination-role": "could-not-agree",
        },
    )
    post_form(
        facilitator,
        path,
        f"{path}/actions",
        {
            "description": "Appoint a place coordinator",
            "condition_id": "coordination-role",
            "recommendation_id": "R9",
            "lead_organisation_id": "",
            "due_on": "2027-06-30",
        },
    )
    results = facilitator.get(f"/rounds/{workspace.current_round}/results/agreed").text
    assert "3 – Developing. Agreed after a long debate." in " ".join(results.split())
    assert "The forum could not agree a level." in results
    assert "Appoint a place coordinator" in results


def test_a_chosen_comment_appears_as_a_quote_without_a_name_and_only_once(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with Session(engine) as session:
        answer = session.exec(
            select(Answer)
            .join(Invitation)
            .where(
                Invitation.round_id == workspace.current_round,
                Invitation.status == InvitationStatus.SUBMITTED,
                Answer.evidence.is_not(None),  # type: ignore[union-attr]
                col(Answer.id).not_in(select(EvidenceQuote.answer_id)),
            )
        ).first()
        assert answer is not None, "the demo place has comments not yet quoted"
        definition = definition_of_round(
            session=session, assessment_round=round_of(engine, workspace.current_round)
        )
    item = definition.items_by_id[answer.item_id]
    path = f"/rounds/{workspace.current_round}/workshop"
    page = f"{path}/conditions/{item.subject}"
    listed = facilitator.get(page).text
    # Labelled by the statement's own words, never by an id.
    assert item.question in html.unescape(listed)
    assert f"{answer.item_id} –" not in listed

    chosen = {"answer_id": str(answer.id), "text": "We now plan around neighbourhoods."}
    response = post_form(
        facilitator, page, f"{path}/quotes", {**chosen, "from_condition": item.subject}
    )

    assert "The comment will appear in the report." in response.text
    assert "We now plan around neighbourhoods." in response.text
    again = post_form(facilitator, page, f"{path}/quotes", chosen)
    assert again.status_code == 400
    assert "This comment is already in the report" in again.text
    only_chosen = facilitator.get(f"{page}?shown=chosen").text
    assert "Showing 1 of" in only_chosen and "We now plan around neighbourhoods." in only_chosen


def test_a_condition_nobody_rated_has_no_consensus_rather_than_none_at_all(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with Session(engine) as session:
        invited = select(Invitation.id).where(Invitation.round_id == workspace.current_round)
        for answer in session.exec(
            select(Answer).where(
                col(Answer.invitation_id).in_(invited),
                col(Answer.item_id).startswith("people-focus."),
            )
        ):
            session.delete(answer)
        session.commit()
    path = f"/rounds/{workspace.current_round}/workshop"

    row = re.search(r"People focus</a></th>(.*?)</tr>", facilitator.get(path).text, re.S)
    page = " ".join(facilitator.get(f"{path}/conditions/people-focus").text.split())

    assert row is not None
    assert "0%" not in row[1] and "–" in row[1]
    assert "No one has rated this condition yet" in page
    assert "split between the two ends" not in page


def test_a_condition_in_the_wrong_place_of_the_address_is_not_found(
    facilitator: TestClient, workspace: Workspace
) -> None:
    response = facilitator.get(f"/rounds/{workspace.current_round}/workshop/people-focus")

    assert response.status_code == 404


def test_recommendations_offered_for_an_action_are_never_cut_mid_word(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    page = facilitator.get(f"/rounds/{workspace.current_round}/workshop").text
    select_html = page.split('name="recommendation_id"', 1)[1].split("</select>", 1)[0]
    offered = [html.unescape(t) for t in re.findall(r"<option[^>]*>([^<]+)</option>", select_html)]
    titles = {
        r.numbered_title
        for r in definition_of_round(
            session=Session(engine), assessment_round=round_of(engine, workspace.current_round)
        ).recommendations
    }

    shortened = [o for o in offered if o.endswith("…")]
    assert shortened, "some titles are long enough to be shortened"
    for option in shortened:
        kept = option.removesuffix("…")
        assert any(t.startswith(kept) and t[len(kept)] == " " for t in titles), option
