"""Reports as a facilitator downloads them: names outside Latin-1, a download that waits too long,
and which partner reports anonymity allows."""

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from app.core.db import write_session
from app.models import (
    AssessmentRound,
    Place,
)
from app.results import views as result_views
from app.results.reports import report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind
from tests.support.pages import download_report
from tests.support.workspace import Workspace


def test_a_place_named_outside_latin_1_downloads_its_reports(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == workspace.place_slug)).one()
        place.name = "Łódź Partnership of Gŵyr"
        session.add(place)
        session.commit()

    response = download_report(
        facilitator,
        f"/rounds/{workspace.current_round}/reports/questionnaire.pdf?variant=plain-language",
    )

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''%C5%82%C3%B3d%C5%BA-partnership-of-g%C5%B5yr" in disposition
    assert 'filename="' in disposition and disposition.isascii()


def test_a_download_that_waits_too_long_points_to_the_page_that_follows_the_report(
    facilitator: TestClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_views, "DOWNLOAD_WAIT_SECONDS", 0.0)
    monkeypatch.setattr(facilitator.app.state.report_queue, "prepare", lambda job_id: None)  # type: ignore[attr-defined]

    response = download_report(
        facilitator, f"/rounds/{workspace.current_round}/reports/workshop.pdf"
    )

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
    report = download_report(
        facilitator,
        f"/rounds/{workspace.current_round}/reports/partner.pdf?organisation={first[1]}",
    )
    assert report.status_code == 200
    assert "/reports/questionnaire?variant=plain-language" in page


def _earlier_round_lookups(engine: Engine, fetch: Callable[[], object]) -> int:
    """How many times ``fetch`` asked for the rounds a round may be compared with (the only
    statements that name a round by what it is not)."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        fetch()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return sum(1 for s in statements if re.search(r"assessment_round\.id\s*!=", s))


def test_a_results_page_looks_up_the_round_it_is_compared_with_once(
    facilitator: TestClient, viewer: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """The scores, the facts and the workshop record each looked it up again (four times
    a page), and could in principle have compared with different rounds."""
    current, published = workspace.current_round, workspace.previous_round
    pages = [(facilitator, f"/rounds/{current}/results"), (viewer, f"/rounds/{published}/results")]
    for client, path in pages:
        looked_up = _earlier_round_lookups(
            engine, lambda client=client, path=path: client.get(path).raise_for_status()
        )
        assert looked_up == 1, path
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, current)
        assert assessment_round is not None
        looked_up = _earlier_round_lookups(
            engine,
            lambda: report_html(
                session=session,
                assessment_round=assessment_round,
                kind=ReportKind.WORKSHOP,
                rules=load_rules(),
                today=date(2026, 12, 1),
            ),
        )
    assert looked_up == 1


def test_disagreement_inside_an_organisation_is_shown_to_facilitators_and_no_one_else(
    facilitator: TestClient, viewer: TestClient, workspace: Workspace
) -> None:
    path = f"/rounds/{workspace.current_round}/results"
    facilitators = facilitator.get(path).text
    published = f"/rounds/{workspace.previous_round}/results"

    assert "Disagreement inside one organisation (facilitators only;" in facilitators
    assert re.search(
        r"Kestrel Vale Borough Council: its people&#39;s own averages for Strengths and "
        r"asset-based working lie \d\.\d levels apart",
        facilitators,
    )
    assert "divided-within" not in viewer.get(published).text
    # The page lists three gaps between sectors and says where the others are, as the PDF does.
    assert "of the 4 gaps the rules found are listed here" in facilitators
