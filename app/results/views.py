"""Results pages and report downloads, from the same context the PDFs are built from."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import facilitating
from app.core.db import begin_write
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.deps import PdfServiceDep, ResultsPage
from app.results.reports import (
    ReportUnavailableError,
    cache_owner,
    report_html,
    round_facts,
    workshop_record,
)
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import download
from reports.context import build_forum_report
from reports.render import ReportKind

router = APIRouter(prefix="/rounds/{round_id}", include_in_schema=False)

FACILITATOR_REPORTS = {ReportKind.WORKSHOP, ReportKind.PARTNER, ReportKind.QUESTIONNAIRE}


@router.get("/results", response_class=HTMLResponse)
def results_page(visit: ResultsPage) -> Response:
    session, assessment_round = visit.session, visit.access.assessment_round
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    rules = load_rules()
    result = score_round(session=session, assessment_round=assessment_round, rules=rules)
    report = (
        build_forum_report(
            definition,
            result,
            round_facts(session=session, assessment_round=assessment_round, today=date.today()),
            workshop_record(session=session, assessment_round=assessment_round),
            rules,
        )
        if result.respondents
        else None
    )
    context = {
        "access": visit.access,
        "place": visit.access.place,
        "round": assessment_round,
        "report": report,
        "divided_items": [f.sentence for f in result.findings if f.rule == "divided-statement"][:5],
    }
    return visit.page("results", context)


@router.get("/reports/{kind}.pdf")
def download_report(
    kind: ReportKind,
    visit: ResultsPage,
    pdf_service: PdfServiceDep,
    organisation: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    variant: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """A plain ``def``: FastAPI runs it in a thread, and the PDF renders in the process pool.

    The report is read and built first; only the audit row needs the write lock.
    """
    if kind in FACILITATOR_REPORTS:
        facilitating(visit.access)
    try:
        rendered = report_html(
            session=visit.session,
            assessment_round=visit.access.assessment_round,
            kind=kind,
            rules=load_rules(),
            today=date.today(),
            organisation_id=organisation,
            variant=variant,
        )
    except ReportUnavailableError as error:
        raise ShownError(409, f"This report cannot be made: {error}.") from error
    begin_write(visit.session)
    visit.record("report-downloaded", kind=kind.value, organisation=organisation)
    visit.session.commit()
    try:
        pdf = pdf_service.render(rendered.html, owner=cache_owner(visit.access.assessment_round))
    except TimeoutError as error:
        # The render goes on in its worker and is kept; the next download picks it up.
        raise ShownError(
            503,
            "The report is taking longer than usual to make, because the server is busy. "
            "Try again in a few minutes.",
            title="The report is not ready yet",
        ) from error
    return download(pdf, "application/pdf", rendered.filename)
