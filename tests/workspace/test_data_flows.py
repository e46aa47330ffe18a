"""A round's data out and back in: the round file, spreadsheets, paper questionnaires and
erasure."""

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import write_session
from app.enums import InvitationStatus
from app.models import (
    Answer,
    AssessmentRound,
    EvidenceQuote,
    Invitation,
    Organisation,
    ReportJob,
)
from app.results.rules import load_rules
from app.results.service import score_round
from questionnaires.sectors import Sector
from scoring.serialise import result_to_json
from tests.support.pages import csrf_of, download_report, post_form
from tests.support.workspace import Workspace, round_of


def test_export_delete_and_import_restores_identical_scores(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    round_id = workspace.current_round
    with Session(engine) as session:
        before = result_to_json(
            score_round(
                session=session,
                assessment_round=round_of(engine, round_id),
                rules=load_rules(),
                earlier=None,
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
                session=session,
                assessment_round=round_of(engine, new_id),
                rules=load_rules(),
                earlier=None,
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
    readme = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True) if row}
    assert "Anonymity threshold" in readme
    # Pooled answers to the plain-language version are never shared without the rule.
    assert (
        "counts each of their levels as the same level" in readme["Two versions of the questions"]
    )
    assert "'split'" in readme["Band"]
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


def _made_reports(engine: Engine, place_id: int) -> int:
    """Every made report of the place: the database is the only place one is kept."""
    with Session(engine) as session:
        return len(
            session.exec(
                select(ReportJob.id)
                .join(AssessmentRound, col(AssessmentRound.id) == col(ReportJob.round_id))
                .where(AssessmentRound.place_id == place_id, col(ReportJob.pdf).is_not(None))
            ).all()
        )


def test_erasing_a_respondent_drops_every_rendered_report_of_the_place(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """A chosen quote lives on in a rendered PDF; after erasure no made report of the place
    may remain, and the next download is made afresh from what is left."""
    report = f"/rounds/{workspace.current_round}/reports/questionnaire.pdf?variant=plain-language"
    assert download_report(facilitator, report).status_code == 200
    with Session(engine) as session:
        current = session.get(AssessmentRound, workspace.current_round)
        assert current is not None
        place_id = current.place_id
    assert _made_reports(engine, place_id) == 1
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
    assert _made_reports(engine, place_id) == 0
    with Session(engine) as session:
        assert (
            session.exec(
                select(EvidenceQuote).where(EvidenceQuote.answer_id == quote.answer_id)
            ).all()
            == []
        )
    assert download_report(facilitator, report).status_code == 200


def _community_organisation(engine: Engine) -> str:
    with Session(engine) as session:
        return (
            session.exec(
                select(Organisation.name).where(Organisation.sector == Sector.COMMUNITY_MEMBER)
            ).first()
            or ""
        )


def test_paper_answers_are_checked_against_what_that_persons_sector_was_asked(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """Community members answer a plain-language version: fewer statements, on an agreement
    scale that has 'not applicable'."""
    community = _community_organisation(engine)

    def paper(row: str) -> Response:
        content = f"respondent,organisation,role,item_id,answer,comment\nC1,{community},{row}\n"
        return facilitator.post(
            f"/rounds/{workspace.current_round}/paper",
            data={
                "csrf_token": csrf_of(
                    facilitator.get(f"/rounds/{workspace.current_round}/data").text
                )
            },
            files={"paper_file": ("paper.csv", content.encode(), "text/csv")},
        )

    refused = paper("Resident,strong-leadership.1,4,")
    accepted = paper("Resident,people-focus.1,not_applicable,")

    assert refused.status_code == 400
    assert "Line 2: strong-leadership.1 is not asked of community member" in refused.text
    assert "Answers from 1 paper questionnaires were added" in accepted.text


def _import(client: TestClient, exported: dict[str, object]) -> Response:
    page = client.get("/places/kestrel-vale/import")
    return client.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("round.json", json.dumps(exported).encode(), "application/json")},
    )


def test_a_round_file_is_checked_against_each_sectors_questionnaire_and_this_places_sectors(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    exported = facilitator.get(f"/rounds/{workspace.previous_round}/export.json").json()
    community = _community_organisation(engine)
    answering = next(i for i in exported["invitations"] if i["organisation"] == community)
    answering["answers"].append(
        {"item_id": "strong-leadership.1", "kind": "level", "level": 4, "evidence": None}
    )
    not_asked = _import(facilitator, exported)
    answering["answers"].pop()
    listed = next(o for o in exported["organisations"] if o["name"] == community)
    listed["sector"] = Sector.LOCAL_AUTHORITY.value
    other_sector = _import(facilitator, exported)

    assert not_asked.status_code == 400
    assert "answers strong-leadership.1, which is not asked of the sector" in (
        not_asked.text.replace("&#39;", "'")
    )
    assert other_sector.status_code == 400
    assert f"the file gives {community} the sector 'Local authority', but this place has it" in (
        other_sector.text.replace("&#39;", "'")
    )
