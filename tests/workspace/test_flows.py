"""What a facilitator does, end to end through the pages (the browser test repeats the core)."""

import csv
import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.core.db import write_session
from app.core.security.session_cookie import SESSION_COOKIE
from app.enums import ActionStatus, InvitationStatus, RoundStatus
from app.invitations.service import invite
from app.main import create_app
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    AuditEvent,
    EvidenceQuote,
    Invitation,
    InvitationBase,
    Organisation,
    Place,
    User,
)
from app.results import views as result_views
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from scoring.serialise import result_to_json
from tests.support.pages import PASSWORD, csrf_of, post_form, sign_in
from tests.support.workspace import Workspace


def _round(engine: Engine, round_id: int) -> AssessmentRound:
    with Session(engine) as session:
        found = session.get(AssessmentRound, round_id)
        assert found is not None
        return found


def test_signing_in_gives_an_httponly_samesite_cookie_and_signing_out_ends_it(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        page = client.get("/sign-in")
        response = client.post(
            "/sign-in",
            data={
                "email": "FRAN@example.org ",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert client.get("/places").status_code == 200
        post_form(client, "/places", "/sign-out", {}, follow_redirects=False)
        assert client.get("/places", follow_redirects=False).status_code == 303


def test_a_copy_of_the_cookie_stops_working_when_its_owner_signs_out(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    app = create_app(settings=settings, engine=engine)
    with TestClient(app) as browser, TestClient(app) as copy:
        sign_in(browser, "fran@example.org")
        copy.cookies.set(SESSION_COOKIE, browser.cookies[SESSION_COOKIE])
        assert copy.get("/places", follow_redirects=False).status_code == 200
        with TestClient(app) as elsewhere:
            sign_in(elsewhere, "fran@example.org")  # another device, another session

            post_form(browser, "/places", "/sign-out", {}, follow_redirects=False)

            assert copy.get("/places", follow_redirects=False).status_code == 303
            assert elsewhere.get("/places", follow_redirects=False).status_code == 200


def test_a_deactivated_account_is_signed_out_at_once(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    app = create_app(settings=settings, engine=engine)
    with TestClient(app) as fran, TestClient(app) as admin:
        sign_in(fran, "fran@example.org")
        sign_in(admin, "admin@example.org")
        with Session(engine) as session:
            fran_id = session.exec(select(User).where(User.email == "fran@example.org")).one().id

        post_form(admin, "/admin/users", f"/admin/users/{fran_id}/active", {"active": "no"})

        assert fran.get("/places", follow_redirects=False).status_code == 303


def test_wrong_passwords_are_refused_then_limited_with_a_clear_message(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        responses = [
            post_form(
                client, "/sign-in", "/sign-in", {"email": "fran@example.org", "password": "wrong"}
            )
            for _ in range(6)
        ]
        assert [r.status_code for r in responses] == [400] * 5 + [429]
        assert all("The e-mail address or password is not right" in r.text for r in responses[:5])
        assert "Too many failed attempts" in responses[5].text
        # Even the right password waits until the window has passed.
        right = post_form(
            client, "/sign-in", "/sign-in", {"email": "fran@example.org", "password": PASSWORD}
        )
        assert right.status_code == 429


def test_one_persons_wrong_passwords_do_not_lock_out_colleagues_at_the_same_address(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        for _ in range(6):
            post_form(
                client, "/sign-in", "/sign-in", {"email": "fran@example.org", "password": "wrong"}
            )
        colleague = post_form(
            client,
            "/sign-in",
            "/sign-in",
            {"email": "vic@example.org", "password": PASSWORD},
            follow_redirects=False,
        )
        assert colleague.status_code == 303


def test_a_place_gets_partners_and_a_round(facilitator: TestClient) -> None:
    response = post_form(
        facilitator,
        "/places",
        "/places",
        {"name": "Heronsgate", "description": ""},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/places/heronsgate"
    missing = post_form(
        facilitator,
        "/places/heronsgate",
        "/places/heronsgate/organisations",
        {"name": "", "sector": ""},
    )
    assert missing.status_code == 400
    assert "Enter the organisation&#39;s name" in missing.text
    assert "Choose the organisation&#39;s sector" in missing.text
    post_form(
        facilitator,
        "/places/heronsgate",
        "/places/heronsgate/organisations",
        {"name": "Heronsgate Council", "sector": "local-authority"},
    )
    bad_dates = post_form(
        facilitator,
        "/places/heronsgate/rounds/new",
        "/places/heronsgate/rounds",
        {
            "title": "Spring",
            "questionnaire_id": "trusting-place@1.0.0",
            **{"opens_on-day": "1", "opens_on-month": "5", "opens_on-year": "2027"},
            **{"closes_on-day": "1", "closes_on-month": "4", "closes_on-year": "2027"},
            "anonymity_threshold": "3",
        },
    )
    assert "The closing date must be on or after the opening date" in bad_dates.text
    created = post_form(
        facilitator,
        "/places/heronsgate/rounds/new",
        "/places/heronsgate/rounds",
        {
            "title": "Spring",
            "questionnaire_id": "trusting-place@1.0.0",
            **{"opens_on-day": "1", "opens_on-month": "4", "opens_on-year": "2027"},
            **{"closes_on-day": "1", "closes_on-month": "5", "closes_on-year": "2027"},
            "anonymity_threshold": "4",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = facilitator.get(created.headers["location"])
    shown = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "Spring" in shown and "Anonymity threshold 4 people" in shown
    # Dates read as the reports write them.
    assert "Opens on 1 April 2027" in shown and "Closes on 1 May 2027" in shown


def _upload_invitations(facilitator: TestClient, round_id: int, content: str) -> Response:
    """Upload an invitations file from the round's page, as a facilitator would."""
    page = facilitator.get(f"/rounds/{round_id}/invitations")
    return facilitator.post(
        f"/rounds/{round_id}/invitations/upload",
        data={"csrf_token": csrf_of(page.text)},
        files={"invitations_file": ("people.csv", content.encode(), "text/csv")},
    )


def test_a_csv_with_a_bad_row_is_explained_line_by_line_and_nothing_is_imported(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _count_invitations(engine, workspace.current_round)
    content = (
        "organisation,role,name,email\n"
        "Fenmoor Police,Chief Inspector,Pat Lee,pat@example.org\n"
        "Fenmoor Polce,Analyst,,\n"
        "Kestrel Homes,,Jo,jo@\n"
    )
    response = _upload_invitations(facilitator, workspace.current_round, content)
    assert response.status_code == 400
    assert (
        "Line 3: &#39;Fenmoor Polce&#39; is not one of this place&#39;s organisations"
        in response.text
    )
    assert (
        "Line 4: Enter the person&#39;s role, for example Head of Policy; Enter an e-mail "
        "address in the right format, like name@example.org" in response.text
    )
    assert _count_invitations(engine, workspace.current_round) == before

    good = content.splitlines()[0] + "\n" + content.splitlines()[1] + "\n"
    response = _upload_invitations(facilitator, workspace.current_round, good)
    assert "1 invitations added" in response.text
    assert _count_invitations(engine, workspace.current_round) == before + 1


def _count_invitations(engine: Engine, round_id: int) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Invitation).where(Invitation.round_id == round_id)).all())


def _first_link(client: TestClient, round_id: int) -> tuple[str, str]:
    """(role, token) of the first person in the round's links file."""
    row = list(csv.reader(io.StringIO(client.get(f"/rounds/{round_id}/links.csv").text)))[1]
    return row[2], row[-1].rsplit("/r/", 1)[1]


def test_links_can_be_copied_again_reissued_and_revoked(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    role, token = _first_link(facilitator, workspace.current_round)
    assert facilitator.get(f"/r/{token}").status_code == 200
    with Session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(
                Invitation.round_id == workspace.current_round, Invitation.role_title == role
            )
        ).first()
        assert invitation is not None
        invitation_id = invitation.id
    post_form(facilitator, path, f"{path}/invitations/{invitation_id}/reissue", {})
    assert facilitator.get(f"/r/{token}").status_code == 404
    assert _first_link(facilitator, workspace.current_round)[0] == role
    new_token = _first_link(facilitator, workspace.current_round)[1]
    assert new_token != token and facilitator.get(f"/r/{new_token}").status_code == 200
    post_form(facilitator, path, f"{path}/invitations/{invitation_id}/revoke", {})
    assert facilitator.get(f"/r/{new_token}").status_code == 404


def test_a_round_moves_from_open_to_closed_to_published_and_no_further_by_accident(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    assert _round(engine, workspace.current_round).status is RoundStatus.CLOSED
    post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert _round(engine, workspace.current_round).status is RoundStatus.PUBLISHED
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
    assert _round(engine, workspace.current_round).status is RoundStatus.CLOSED

    post_form(facilitator, path, f"{path}/status", {"to": "open"})
    _submit_more(engine, workspace.current_round, 2)
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    allowed = post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert allowed.status_code == 200, allowed.text[:500]
    assert _round(engine, workspace.current_round).status is RoundStatus.PUBLISHED


def test_withdrawing_and_publishing_unchanged_results_again_is_allowed(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.previous_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert _round(engine, workspace.previous_round).status is RoundStatus.PUBLISHED


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
            session=session, assessment_round=_round(engine, workspace.current_round)
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


def test_export_delete_and_import_restores_identical_scores(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    round_id = workspace.current_round
    with Session(engine) as session:
        before = result_to_json(
            score_round(
                session=session, assessment_round=_round(engine, round_id), rules=load_rules()
            )
        )
    exported = facilitator.get(f"/rounds/{round_id}/export.json")
    assert exported.status_code == 200
    refused = post_form(facilitator, f"/rounds/{round_id}/delete", f"/rounds/{round_id}/delete", {})
    assert "Tick the box to confirm" in refused.text
    post_form(
        facilitator, f"/rounds/{round_id}/delete", f"/rounds/{round_id}/delete", {"confirm": "yes"}
    )
    assert facilitator.get(f"/rounds/{round_id}").status_code == 404
    page = facilitator.get("/places/kestrel-vale/import")
    imported = facilitator.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("round.json", exported.content, "application/json")},
        follow_redirects=False,
    )
    assert imported.status_code == 303, imported.text
    new_id = int(imported.headers["location"].rsplit("/", 1)[1])
    with Session(engine) as session:
        after = result_to_json(
            score_round(
                session=session, assessment_round=_round(engine, new_id), rules=load_rules()
            )
        )
    assert after == before
    # The restored round keeps its links: the same secret re-creates the same tokens.
    assert exported.json()["invitations"][0]["link_nonce"] in json.dumps(
        facilitator.get(f"/rounds/{new_id}/export.json").json()
    )


def test_a_file_that_is_not_a_round_export_is_refused_and_nothing_changes(
    facilitator: TestClient, engine: Engine
) -> None:
    page = facilitator.get("/places/kestrel-vale/import")
    response = facilitator.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("x.json", b'{"format": "something-else"}', "application/json")},
    )
    assert response.status_code == 400
    assert "this is not a Placecheck round export" in response.text


def test_the_spreadsheet_to_share_has_gated_scores_and_a_codebook_but_no_ones_answers(
    facilitator: TestClient, workspace: Workspace
) -> None:
    response = facilitator.get(f"/rounds/{workspace.current_round}/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "README",
        "Scores",
        "Sector scores",
        "Organisation scores",
        "Codebook",
    ]
    assert book["Scores"]["A2"].value == "people-focus"
    assert book["Codebook"].max_row == 76  # header and 75 items
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes in ("A2", "B2"), name
        assert sheet.auto_filter.ref == sheet.dimensions, name
        assert sheet.column_dimensions["A"].width >= 10, name
    # Scores as the report prints them: one decimal, consensus as a whole percentage.
    scores = {row[0]: row for row in book["Scores"].iter_rows(min_row=2, values_only=True)}
    score, consensus = scores["people-focus"][2], scores["people-focus"][6]
    assert score == round(score, 1) and isinstance(consensus, int)
    # Sector scores hide what the report hides: the two-person fire and rescue service.
    sectors = list(book["Sector scores"].iter_rows(values_only=True))
    fire = sectors[0].index("Fire and rescue")
    assert {row[fire] for row in sectors[1:]} <= {"Hidden", "Combined", None}
    assert "README" in book.sheetnames and "Anonymity threshold" in [
        row[0] for row in book["README"].iter_rows(values_only=True)
    ]
    every_cell = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "R001" not in every_cell  # no row-level answers anywhere in what is shared
    answers = facilitator.get(f"/rounds/{workspace.current_round}/export.csv")
    assert answers.text.startswith("respondent,organisation,sector,status,item_id")
    assert "answers-facilitators-only.csv" in answers.headers["content-disposition"]


def test_paper_answers_are_checked_line_by_line_then_counted(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}/data"
    bad = (
        "respondent,organisation,role,item_id,answer,comment\n"
        "P1,Fenmoor Police,Inspector,people-focus.1,4,\n"
        "P1,Fenmoor Police,Inspector,people-focus.9,4,\n"
        "P1,Fenmoor Police,Inspector,people-focus.2,7,\n"
    )
    page = facilitator.get(path)
    response = facilitator.post(
        f"/rounds/{workspace.current_round}/paper",
        data={"csrf_token": csrf_of(page.text)},
        files={"paper_file": ("paper.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 400
    assert "Line 3: &#39;people-focus.9&#39; is not a question" in response.text
    assert "Line 4: the answer &#39;7&#39; is not one of 1, 2, 3, 4, 5, dont_know" in response.text
    good = (
        bad.splitlines()[0]
        + "\n"
        + bad.splitlines()[1]
        + "\nP1,Fenmoor Police,Inspector,people-focus.2,dont_know,Not sure\n"
    )
    response = facilitator.post(
        f"/rounds/{workspace.current_round}/paper",
        data={"csrf_token": csrf_of(page.text)},
        files={"paper_file": ("paper.csv", good.encode(), "text/csv")},
    )
    assert "Answers from 1 paper questionnaires were added" in response.text
    with Session(engine) as session:
        police = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Police")
        ).one()
        paper = session.exec(
            select(Invitation).where(
                Invitation.organisation_id == police.id, Invitation.role_title == "Inspector"
            )
        ).one()
        assert paper.status is InvitationStatus.SUBMITTED
        kinds = sorted(
            a.kind.value
            for a in session.exec(select(Answer).where(Answer.invitation_id == paper.id))
        )
        assert kinds == ["dont_know", "level"]


def test_the_same_paper_sheets_imported_twice_are_refused_and_nothing_doubles(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    sheets = (
        "respondent,organisation,role,item_id,answer,comment\n"
        "P1,Fenmoor Police,Inspector,people-focus.1,4,\n"
        "P2,Fenmoor Police,Sergeant,people-focus.1,2,\n"
        "P2,Fenmoor Police,Sergeant,people-focus.2,3,\n"
    )
    page = facilitator.get(f"/rounds/{workspace.current_round}/data")

    def upload() -> Response:
        return facilitator.post(
            f"/rounds/{workspace.current_round}/paper",
            data={"csrf_token": csrf_of(page.text)},
            files={"paper_file": ("paper.csv", sheets.encode(), "text/csv")},
        )

    def count() -> int:
        with Session(engine) as session:
            return len(
                session.exec(
                    select(Invitation).where(
                        Invitation.round_id == workspace.current_round,
                        col(Invitation.paper_sheet_hash).is_not(None),
                    )
                ).all()
            )

    assert "Answers from 2 paper questionnaires were added" in upload().text
    again = upload()

    assert again.status_code == 400
    assert "Nothing was imported" in again.text
    assert "Lines 2 to 2: P1&#39;s answers were imported before" in again.text
    assert "Lines 3 to 4: P2&#39;s answers were imported before" in again.text
    assert count() == 2


def test_erasing_a_respondent_deletes_their_answers(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with Session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(
                Invitation.round_id == workspace.current_round,
                Invitation.status == InvitationStatus.SUBMITTED,
            )
        ).first()
        assert invitation is not None
        invitation_id = invitation.id
    erase = f"/rounds/{workspace.current_round}/respondents/{invitation_id}/erase"
    assert "This cannot be undone" in facilitator.get(erase).text
    post_form(facilitator, erase, erase, {})
    with Session(engine) as session:
        assert not session.exec(select(Answer).where(Answer.invitation_id == invitation_id)).all()
        erased = session.get(Invitation, invitation_id)
        assert erased is not None and erased.status is InvitationStatus.REVOKED


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
        earlier = previous_round(session=session, assessment_round=_round(engine, new_id))
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


def test_the_audit_log_records_sign_ins_exports_status_changes_and_deletions(
    facilitator: TestClient, workspace: Workspace, engine: Engine, settings: Settings
) -> None:
    path = f"/rounds/{workspace.current_round}"
    facilitator.get(f"{path}/export.csv")
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    post_form(facilitator, f"{path}/delete", f"{path}/delete", {"confirm": "yes"})
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    for action in ("sign-in", "round-exported", "round-status-changed", "round-deleted"):
        assert action in actions
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        page = admin.get("/admin/audit").text
        assert "Round deleted" in page and "Fran Facilitator" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "N" * 201, "The person&#39;s name must be 200 characters or fewer"),
        ("email", "not an address", "Enter an e-mail address in the right format"),
        ("email", "x" * 320 + "@example.org", "must be 320 characters or fewer"),
        ("role_title", "", "Enter the person&#39;s role, for example Head of Policy"),
    ],
)
def test_an_invitation_with_a_field_out_of_bounds_is_explained_and_not_stored(
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
    field: str,
    value: str,
    message: str,
) -> None:
    path = f"/rounds/{workspace.current_round}"
    before = _count_invitations(engine, workspace.current_round)
    page = facilitator.get(f"{path}/invitations")
    organisation = re.search(
        r'name="organisation_id"[^>]*>.*?<option value="(\d+)"', page.text, re.S
    )
    assert organisation is not None
    data = {"organisation_id": organisation.group(1), "role_title": "Analyst", field: value}

    response = facilitator.post(
        f"{path}/invitations", data={**data, "csrf_token": csrf_of(page.text)}
    )

    assert response.status_code == 400
    assert message in response.text
    assert f'href="#{field}"' in response.text  # the error summary links to the field
    assert _count_invitations(engine, workspace.current_round) == before


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"round": {"status": "open", "anonymity_threshold": 1}}, "round › anonymity_threshold"),
        ({"round": {"status": "open", "anonymity_threshold": "abc"}}, "anonymity_threshold"),
        ({"round": {"status": "finished"}}, "round › status"),
        ({"invitations": {"not": "a list"}}, "invitations"),
    ],
)
def test_an_import_with_values_the_database_cannot_hold_is_refused_and_nothing_changes(
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
    change: dict[str, object],
    reason: str,
) -> None:
    exported = facilitator.get(f"/rounds/{workspace.previous_round}/export.json").json()
    exported.update(change)
    with Session(engine) as session:
        rounds_before = len(session.exec(select(AssessmentRound)).all())
    page = facilitator.get("/places/kestrel-vale/import")

    response = facilitator.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("round.json", json.dumps(exported).encode(), "application/json")},
    )

    assert response.status_code == 400
    assert "The file was not imported" in response.text
    assert reason in response.text.replace("&#39;", "'")
    with Session(engine) as session:
        assert len(session.exec(select(AssessmentRound)).all()) == rounds_before


@pytest.mark.parametrize("round_id", ["99999999999999999999999", "²", "-1"])
def test_an_address_with_an_impossible_id_is_a_page_that_is_not_there(
    facilitator: TestClient, round_id: str
) -> None:
    response = facilitator.get(f"/rounds/{round_id}/results")

    assert response.status_code == 404
    assert "Page not found" in response.text


def answer_organisation(session: Session, answer: Answer) -> int:
    invitation = session.get(Invitation, answer.invitation_id)
    assert invitation is not None
    return invitation.organisation_id


def test_a_comment_that_looks_like_a_formula_stays_words_in_every_export(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    formula = '=HYPERLINK("http://evil.example","Click here")\x07'
    with write_session(engine) as session:
        answer = session.exec(
            select(Answer)
            .join(Invitation, col(Answer.invitation_id) == col(Invitation.id))
            .where(
                Invitation.round_id == workspace.current_round,
                Invitation.status == InvitationStatus.SUBMITTED,
            )
        ).first()
        assert answer is not None
        answer.evidence = formula
        session.add(answer)
        organisation = session.get(Organisation, answer_organisation(session, answer))
        assert organisation is not None
        organisation.name = formula  # an organisation's name heads a column of the workbook
        session.add(organisation)
        session.commit()

    book = load_workbook(
        io.BytesIO(facilitator.get(f"/rounds/{workspace.current_round}/export.xlsx").content)
    )
    cells = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    rows = list(
        csv.reader(
            io.StringIO(facilitator.get(f"/rounds/{workspace.current_round}/export.csv").text)
        )
    )

    expected = '\'=HYPERLINK("http://evil.example","Click here")'
    assert expected in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    assert expected in [cell for row in rows for cell in row]


def test_a_place_named_outside_latin_1_downloads_its_reports(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == workspace.place_slug)).one()
        place.name = "Łódź Partnership of Gŵyr"
        session.add(place)
        session.commit()

    response = facilitator.get(
        f"/rounds/{workspace.current_round}/reports/questionnaire.pdf?variant=plain-language"
    )

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''%C5%82%C3%B3d%C5%BA-partnership-of-g%C5%B5yr" in disposition
    assert 'filename="' in disposition and disposition.isascii()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Gŵyr\x00Council", "The organisation&#39;s name has a character that cannot be stored"),
        ("Gŵyr\nCouncil", "The organisation&#39;s name must be on one line"),
    ],
)
def test_a_name_with_a_control_character_is_refused_on_every_database(
    facilitator: TestClient, engine: Engine, name: str, message: str
) -> None:
    response = post_form(
        facilitator,
        "/places/kestrel-vale",
        "/places/kestrel-vale/organisations",
        {"name": name, "sector": "housing"},
    )

    assert response.status_code == 400
    assert message in response.text
    with Session(engine) as session:
        assert (
            session.exec(select(Organisation).where(col(Organisation.name).contains("Gŵyr"))).all()
            == []
        )


def test_a_quote_mark_left_open_in_an_invitation_file_is_caught_not_merged(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _count_invitations(engine, workspace.current_round)
    content = (
        "organisation,role,name,email\n"
        'Fenmoor Police,"Chief Inspector,Pat Lee,pat@example.org\n'
        "Fenmoor Police,Analyst,Sam Roe,sam@example.org\n"
    )
    response = _upload_invitations(facilitator, workspace.current_round, content)

    assert response.status_code == 400
    assert "Line 2: The person&#39;s role must be on one line" in response.text
    assert _count_invitations(engine, workspace.current_round) == before


def test_erasing_a_respondent_drops_every_rendered_report_of_the_place(
    facilitator: TestClient, workspace: Workspace, engine: Engine, settings: Settings
) -> None:
    """A chosen quote lives on in a rendered PDF; after erasure no cached report of the place
    may remain, and the next download is made afresh from what is left."""
    report = f"/rounds/{workspace.current_round}/reports/questionnaire.pdf?variant=plain-language"
    assert facilitator.get(report).status_code == 200
    cached = list(settings.report_cache_dir.glob("*.pdf"))
    assert len(cached) == 1
    with Session(engine) as session:
        quote = session.exec(
            select(EvidenceQuote).where(EvidenceQuote.round_id == workspace.current_round)
        ).first()
        assert quote is not None
        answer = session.get(Answer, quote.answer_id)
        assert answer is not None
        invitation_id = answer.invitation_id

    erased = post_form(
        facilitator,
        f"/rounds/{workspace.current_round}/respondents/{invitation_id}/erase",
        f"/rounds/{workspace.current_round}/respondents/{invitation_id}/erase",
        {},
        follow_redirects=False,
    )

    assert erased.status_code == 303
    assert list(settings.report_cache_dir.glob("*.pdf")) == []
    with Session(engine) as session:
        assert (
            session.exec(
                select(EvidenceQuote).where(EvidenceQuote.answer_id == quote.answer_id)
            ).all()
            == []
        )
    assert facilitator.get(report).status_code == 200


def test_an_administrator_can_give_a_new_user_the_right_to_set_up_places(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        page = admin.get("/admin/users")
        response = admin.post(
            "/admin/users",
            data={
                "display_name": "Pat Planner",
                "email": "pat@example.org",
                "password": "a-long-enough-password",
                "rights": ["places"],
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )

    assert response.status_code == 303
    with Session(engine) as session:
        pat = session.exec(select(User).where(User.email == "pat@example.org")).one()
    assert pat.may_create_places and not pat.is_administrator


def test_a_download_that_waits_too_long_points_to_the_page_that_follows_the_report(
    facilitator: TestClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_views, "DOWNLOAD_WAIT_SECONDS", 0.0)
    monkeypatch.setattr(facilitator.app.state.reports, "prepare", lambda job_id: None)  # type: ignore[attr-defined]

    response = facilitator.get(f"/rounds/{workspace.current_round}/reports/workshop.pdf")

    assert response.status_code == 503
    assert "The report is not ready yet" in response.text
    follow = re.search(r"(/rounds/\d+/report-jobs/\d+)", response.text)
    assert follow is not None
    page = facilitator.get(follow[1])
    assert "Preparing your workshop pack" in page.text


def test_the_reports_page_offers_partner_reports_only_where_anonymity_allows_and_says_why(
    facilitator: TestClient, workspace: Workspace
) -> None:
    page = facilitator.get(f"/rounds/{workspace.current_round}/reports").text
    flat = " ".join(re.sub(r"<[^>]+>", " ", page).split())

    form = page.split("/reports/partner", 1)[1].split("</form>", 1)[0]
    choices = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', form)
    assert "Kestrel Vale Borough Council" in choices
    assert "Fenmoor Fire and Rescue Service" not in choices
    assert "Fenmoor Fire and Rescue Service (2 submitted)" in flat
    assert "a partner report needs at least 3 people from the organisation" in flat
    # Every organisation offered gets its report rather than a refusal (the first is enough
    # to show it: reports are slow to render).
    first = re.search(r'<option value="(\d+)"', form)
    assert first is not None
    report = facilitator.get(
        f"/rounds/{workspace.current_round}/reports/partner.pdf?organisation={first[1]}"
    )
    assert report.status_code == 200
    assert "/reports/questionnaire?variant=plain-language" in page


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
    assert _round(engine, workspace.current_round).status is RoundStatus.OPEN  # nothing yet

    done = post_form(facilitator, f"{path}/status/closed", f"{path}/status", {"to": "closed"})
    assert done.status_code == 200
    assert "The round is closed: links no longer accept answers." in done.text
    assert _round(engine, workspace.current_round).status is RoundStatus.CLOSED
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


def test_a_viewer_sees_a_forum_members_header_and_a_facilitator_their_workspace(
    settings: Settings, engine: Engine, workspace: Workspace, facilitator: TestClient
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        viewer = sign_in(client, "vic@example.org")
        page = viewer.get("/places").text
        assert "Forum member's view" in page
        assert "Facilitator's workspace" not in page
        assert "Set up a place" not in page
    assert "Facilitator's workspace" in facilitator.get("/places").text


def test_an_organisation_can_be_renamed_its_sector_kept_once_published_and_removed_only_unused(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    place = f"/places/{workspace.place_slug}"
    with Session(engine) as session:
        police = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Police")
        ).one()
    edit = f"{place}/organisations/{police.id}"
    page = facilitator.get(edit).text
    assert (
        "It cannot be changed: people from this organisation answered a round whose results" in page
    )
    assert "cannot be removed" in page

    renamed = post_form(
        facilitator, edit, edit, {"name": "Fenmoor Constabulary", "sector": "police"}
    )
    assert "The organisation was changed." in renamed.text
    assert "Fenmoor Constabulary" in renamed.text
    moved = post_form(
        facilitator, edit, edit, {"name": "Fenmoor Constabulary", "sector": "housing"}
    )
    assert moved.status_code == 400
    assert "The sector cannot change" in moved.text
    taken = post_form(facilitator, edit, edit, {"name": "Kestrel Homes", "sector": "police"})
    assert taken.status_code == 400 and "Kestrel Homes is already a partner" in taken.text
    refused = post_form(facilitator, edit, f"{edit}/delete", {})
    assert refused.status_code == 400 and "cannot be removed" in refused.text

    post_form(
        facilitator,
        place,
        f"{place}/organisations",
        {"name": "Fenmoor Schools", "sector": "education"},
    )
    with Session(engine) as session:
        schools = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Schools")
        ).one()
        events = session.exec(select(AuditEvent.action)).all()
    assert "organisation-changed" in events
    schools_page = f"{place}/organisations/{schools.id}"
    removed = post_form(facilitator, schools_page, f"{schools_page}/delete", {})
    assert "The organisation was removed." in removed.text
    assert "Fenmoor Schools" not in removed.text.split("Partner organisations", 1)[1]
