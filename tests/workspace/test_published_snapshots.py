"""What forum members read is the publication, not the live answers (issue 23's findings 1, 3
and 5, replayed as a viewer of the demo place: save a page before and after, and subtract)."""

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import write_session
from app.enums import RoundStatus
from app.models import AssessmentRound, Publication
from app.results.publication import fill_missing_snapshots
from app.results.reports import report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind
from tests.support.databases import submitted_invitations
from tests.support.pages import csrf_of, main_content, post_form
from tests.support.workspace import Workspace

PARTS = ("", "/sectors", "/tables", "/recommendations", "/agreed")


def _results(client: TestClient, round_id: int) -> dict[str, str]:
    pages = {}
    for part in PARTS:
        response = client.get(f"/rounds/{round_id}/results{part}")
        assert response.status_code == 200, response.text[:300]
        pages[part] = main_content(response.text)
    return pages


def _forum_html(engine: Engine, round_id: int) -> str:
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, round_id)
        assert assessment_round is not None
        return report_html(
            session=session,
            assessment_round=assessment_round,
            kind=ReportKind.FORUM,
            rules=load_rules(),
            today=date(2026, 12, 2),
        ).html


@pytest.mark.parametrize("change", ["erase", "revoke"])
def test_published_results_stand_when_someone_is_erased_or_their_link_revoked(
    change: str,
    viewer: TestClient,
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
) -> None:
    round_id = workspace.previous_round
    before, forum_before = _results(viewer, round_id), _forum_html(engine, round_id)
    invitation_id = submitted_invitations(engine, round_id)[0]
    if change == "erase":
        action = f"/rounds/{round_id}/respondents/{invitation_id}/erase"
        post_form(facilitator, action, action, {})
    else:
        path = f"/rounds/{round_id}"
        post_form(facilitator, path, f"{path}/invitations/{invitation_id}/revoke", {})
    assert invitation_id not in submitted_invitations(engine, round_id)

    assert _results(viewer, round_id) == before
    assert _forum_html(engine, round_id) == forum_before
    overview = facilitator.get(f"/rounds/{round_id}").text
    assert "the answers of 1 person have changed" in overview
    assert "Forum members still read the results as published" in overview


def test_a_facilitator_reads_the_live_answers_and_is_not_told_of_a_difference_when_none(
    facilitator: TestClient, workspace: Workspace
) -> None:
    overview = facilitator.get(f"/rounds/{workspace.previous_round}").text

    assert "differs-from-publication" not in overview


def test_a_withdrawn_publication_leaves_every_viewer_page_and_report_at_once(
    viewer: TestClient, facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with Session(engine) as session:
        pilot = session.exec(
            select(AssessmentRound).where(AssessmentRound.title.startswith("Pilot"))  # type: ignore[attr-defined]
        ).one()
        pilot_id, pilot_title = pilot.id or 0, pilot.title
    round_id = workspace.previous_round
    assert any(pilot_title in page for page in _results(viewer, round_id).values())

    path = f"/rounds/{pilot_id}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})

    for page in _results(viewer, round_id).values():
        assert pilot_title not in page
    compared = viewer.get(f"/rounds/{round_id}/results/agreed?with={pilot_id}")
    assert pilot_title not in main_content(compared.text)
    assert pilot_title not in _forum_html(engine, round_id)
    assert viewer.get(f"/rounds/{pilot_id}/results").status_code == 403
    # The facilitators still compare with it: they prepare the next publication.
    facilitator_page = facilitator.get(f"/rounds/{round_id}/results/agreed?with={pilot_id}")
    assert pilot_title in facilitator_page.text


def _import(facilitator: TestClient, content: bytes) -> int:
    page = facilitator.get("/places/kestrel-vale/import")
    imported = facilitator.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("round.json", content, "application/json")},
        follow_redirects=False,
    )
    assert imported.status_code == 303, imported.text
    return int(imported.headers["location"].rsplit("/", 1)[1])


def test_an_imported_copy_lands_closed_and_cannot_be_published_one_person_short(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    exported = facilitator.get(f"/rounds/{workspace.previous_round}/export.json").json()
    assert exported["round"]["status"] == "published"
    submitted = [i for i in exported["invitations"] if i["status"] == "submitted"]
    exported["invitations"].remove(submitted[0])

    copy_id = _import(facilitator, json.dumps(exported).encode())

    with Session(engine) as session:
        copy = session.get(AssessmentRound, copy_id)
        assert copy is not None and copy.status is RoundStatus.CLOSED
    path = f"/rounds/{copy_id}"
    refused = post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert refused.status_code == 409
    assert "another round of this place (or a copy of one)" in refused.text
    assert "the whole place: 1 person" in refused.text


def test_a_faithful_copy_may_be_published_since_it_shows_nothing_new(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    exported = facilitator.get(f"/rounds/{workspace.previous_round}/export.json")
    copy_id = _import(facilitator, exported.content)

    path = f"/rounds/{copy_id}"
    published = post_form(facilitator, path, f"{path}/status", {"to": "published"})

    assert published.status_code == 200, published.text[:400]
    with Session(engine) as session:
        copy = session.get(AssessmentRound, copy_id)
        assert copy is not None and copy.status is RoundStatus.PUBLISHED


def _forget_snapshots(engine: Engine, round_id: int) -> None:
    """As a publication made before snapshots were kept."""
    with write_session(engine) as session:
        for publication in session.exec(
            select(Publication).where(Publication.round_id == round_id)
        ).all():
            publication.snapshot = None
            publication.contributions = {
                person: {**parts, "rated": None}
                for person, parts in publication.contributions.items()
            }
            session.add(publication)
        session.commit()


def test_an_older_publication_gets_its_snapshot_while_its_answers_are_unchanged(
    viewer: TestClient, workspace: Workspace, engine: Engine
) -> None:
    round_id = workspace.previous_round
    before = _results(viewer, round_id)
    _forget_snapshots(engine, round_id)

    assert fill_missing_snapshots(engine) == [round_id]
    assert _results(viewer, round_id) == before
    with Session(engine) as session:
        newest = session.exec(
            select(Publication)
            .where(Publication.round_id == round_id)
            .order_by(col(Publication.id).desc())
        ).first()
        assert newest is not None
        assert all(parts["rated"] is not None for parts in newest.contributions.values())


def test_an_older_publication_whose_answers_changed_waits_to_be_published_again(
    viewer: TestClient, facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    round_id = workspace.previous_round
    _forget_snapshots(engine, round_id)
    action = f"/rounds/{round_id}/respondents/{submitted_invitations(engine, round_id)[0]}/erase"
    post_form(facilitator, action, action, {})

    assert fill_missing_snapshots(engine) == []
    page = viewer.get(f"/rounds/{round_id}/results")
    assert page.status_code == 403
    assert "The facilitator needs to publish them again" in page.text


def test_the_demo_pilot_shows_a_late_paper_return_and_refuses_to_be_published_again(
    viewer: TestClient, facilitator: TestClient, engine: Engine
) -> None:
    """One of the pilot's paper questionnaires came back after publication: forum members still
    read the publication; the facilitators are told one person's answers differ, and publishing
    again is refused while that one person would follow from the two versions."""
    with Session(engine) as session:
        pilot = session.exec(
            select(AssessmentRound).where(col(AssessmentRound.title).startswith("Pilot"))
        ).one()
        pilot_id = pilot.id or 0
    path = f"/rounds/{pilot_id}"
    assert _results(viewer, pilot_id)  # a forum member reads it, as published

    overview = facilitator.get(path).text
    assert "the answers of 1 person have changed" in main_content(overview)

    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    refused = post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert refused.status_code == 409
    assert "cannot be published again yet" in refused.text
    assert "Kestrel Homes (organisation): 1 person" in refused.text
