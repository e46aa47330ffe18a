"""Results pages and report downloads, from the same context the PDFs are built from."""

import time
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import RoundAccess, facilitating
from app.core.clock import place_today
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.deps import RecordId, ReportQueueDep, ResultsAsk, ResultsPage, UnitOfWorkRoute
from app.enums import JobStatus, RoundStatus
from app.jobs.report_jobs import JobState, existing_report, job_file, job_state, request_report
from app.jobs.runners import ReportQueue
from app.models import AssessmentRound, Organisation
from app.results.inputs import report_inputs
from app.results.records import round_facts, workshop_record
from app.results.remembered import remembered
from app.results.reports import file_slug
from app.results.rules import load_rules
from app.results.service import earlier_rounds, score_round
from app.results.snapshots import NoSnapshotError, PublishedView, published_view
from app.rounds.definitions import definition_of_round
from app.web.pages import Visit, download, see_other
from reports.forum import ForumReport, build_forum_report
from reports.kinds import ReportKind
from reports.slides import charts_of, summary_deck
from scoring.types import ScoreResult

router = APIRouter(
    prefix="/rounds/{round_id}", include_in_schema=False, route_class=UnitOfWorkRoute
)

FACILITATOR_REPORTS = {ReportKind.WORKSHOP, ReportKind.PARTNER, ReportKind.QUESTIONNAIRE}
DOWNLOAD_WAIT_SECONDS = 170.0
"""How long a direct download waits for its report before pointing to the page that follows it."""
POLL_SECONDS = 0.25
CHECK_EVERY_SECONDS = 3
"""How often the report's page asks whether it is ready (with JavaScript; without, a button)."""


@dataclass(frozen=True)
class ReportChoice:
    """Which report is asked for, from the address: its kind (in the path), and for a partner
    report the organisation, for a questionnaire the variant (in the query)."""

    kind: ReportKind
    organisation: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    variant: Annotated[str | None, Query(max_length=80)] = None


ChosenReport = Annotated[ReportChoice, Depends()]


RESULT_PARTS = {
    "summary": "Summary",
    "sectors": "Sectors compared",
    "tables": "Tables by sector and organisation",
    "recommendations": "Recommendations",
    "agreed": "Change and what the forum agreed",
}
"""The results in parts a reader can take in one at a time (the whole ran to 12,500 px)."""


CompareWith = Annotated[int | None, Query(alias="with", ge=1, le=MAX_ID)]
"""Another round of the place to compare with (the latest earlier one unless chosen)."""


PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
NO_RESULTS_YET = (
    "No one has submitted answers in this round yet, so there are no figures to draw. Charts "
    "and slides appear once the first answers are in."
)


@router.get("/results/charts/{chart}.{image_format}")
def chart_image(
    chart: Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")],
    image_format: Literal["svg", "png"],
    visit: ResultsPage,
    compare: CompareWith = None,
) -> Response:
    """One chart of the results, for a slide: the figures the results page shows (live for
    facilitators, the published snapshot for everyone else), drawn as SVG or PNG."""
    report = _report_shown(visit, compare)
    drawn = charts_of(report).get(chart)
    if drawn is None:
        raise ShownError(
            404,
            "There is no such chart. Use the links on the results page: the summary, or one of "
            "the 12 conditions.",
        )
    name = f"{file_slug(report.meta.place)}-{chart}"
    if image_format == "svg":
        return download(drawn.svg, "image/svg+xml", f"{name}.svg")
    return download(drawn.png, "image/png", f"{name}.png")


@router.get("/results/slides.pptx")
def summary_slides(visit: ResultsPage, compare: CompareWith = None) -> Response:
    """Five slides of the summary (python-pptx), from the same figures as the results page."""
    report = _report_shown(visit, compare)
    return download(summary_deck(report), PPTX, f"{file_slug(report.meta.place)}-summary.pptx")


def _report_shown(visit: Visit[RoundAccess], compare: int | None) -> ForumReport:
    report = _results_view(visit, compare).report
    if report is None:
        raise ShownError(404, NO_RESULTS_YET)
    return report


@router.get("/results", response_class=HTMLResponse)
def results_page(visit: ResultsPage, compare: CompareWith = None) -> Response:
    return _results(visit, "summary", compare)


@router.get("/results/{part}", response_class=HTMLResponse)
def results_part(
    part: Literal["sectors", "tables", "recommendations", "agreed"],
    visit: ResultsPage,
    compare: CompareWith = None,
) -> Response:
    return _results(visit, part, compare)


@dataclass(frozen=True)
class EarlierRound:
    """A round the results can be compared with, as the choice shows it: plain values, so that
    it can be remembered beyond the request that read it."""

    id: int
    title: str
    status: RoundStatus


@dataclass(frozen=True)
class ResultsView:
    earlier: list[EarlierRound]
    compared: EarlierRound | None
    result: ScoreResult
    report: ForumReport | None


def _results_view(visit: Visit[RoundAccess], compare: int | None) -> ResultsView:
    """Facilitators read the round as it stands (live, to prepare and check); everyone else
    reads the published snapshot, compared only with other published snapshots. The pages,
    the chart images and the slides all take their figures from here."""
    session, assessment_round = visit.session, visit.access.assessment_round
    live = visit.access.can_change

    def view(chosen: int | None) -> ResultsView:
        if live:
            rounds = earlier_rounds(session=session, assessment_round=assessment_round)
            compared = next((r for r in rounds if r.id == chosen), rounds[0] if rounds else None)
            result, report = _scored_report(visit, compared)
        else:
            published = _published_view(visit, chosen)
            rounds, compared = list(published.published_earlier), published.compared_with
            result, report = published.result, _published_report(visit, published)
        earlier = [EarlierRound(r.id, r.title, r.status) for r in rounds if r.id is not None]
        shown = next((r for r in earlier if compared is not None and r.id == compared.id), None)
        return ResultsView(earlier, shown, result, report)

    def shown_with(chosen: int | None) -> ResultsView:
        return remembered(
            session=session,
            assessment_round=assessment_round,
            what=("results" if live else "published", chosen),
            compute=lambda: view(chosen),
            published=not live,
        )

    # Remembered under the comparison made, not the one asked for, so that addresses naming
    # rounds that cannot be compared with do not each score the round again.
    shown = shown_with(None)
    if shown.compared and compare != shown.compared.id and compare in {r.id for r in shown.earlier}:
        shown = shown_with(compare)
    return shown


def _results(visit: Visit[RoundAccess], part: str, compare: int | None) -> Response:
    assessment_round = visit.access.assessment_round
    shown = _results_view(visit, compare)
    context = {
        "access": visit.access,
        "place": visit.access.place,
        "round": assessment_round,
        "report": shown.report,
        "divided_items": [
            f.sentence for f in shown.result.findings if f.rule == "divided-statement"
        ][:5],
        "part": part,
        "earlier": shown.earlier,
        "compared": shown.compared,
        "part_label": RESULT_PARTS[part],
        "parts": list(RESULT_PARTS.items()),
    }
    return visit.page("results", context)


def _scored_report(
    visit: Visit[RoundAccess], earlier: AssessmentRound | None
) -> tuple[ScoreResult, ForumReport | None]:
    """The round's scores and the forum report's content, which the results pages show."""
    session, assessment_round = visit.session, visit.access.assessment_round
    rules = load_rules()
    result = score_round(
        session=session, assessment_round=assessment_round, rules=rules, earlier=earlier
    )
    if not result.respondents:
        return result, None
    report = build_forum_report(
        definition_of_round(session=session, assessment_round=assessment_round),
        result,
        round_facts(
            session=session,
            assessment_round=assessment_round,
            today=place_today(),
            earlier=earlier,
        ),
        workshop_record(session=session, assessment_round=assessment_round, earlier=earlier),
        rules,
    )
    return result, report


def _published_view(visit: Visit[RoundAccess], compare_with: int | None) -> PublishedView:
    """The round's published snapshot, compared with the published round chosen: no answer is
    read."""
    try:
        return published_view(
            session=visit.session,
            assessment_round=visit.access.assessment_round,
            rules=load_rules(),
            today=place_today(),
            compare_with=compare_with,
        )
    except NoSnapshotError:
        raise ShownError(403, NOT_REPUBLISHED) from None


def _published_report(visit: Visit[RoundAccess], view: PublishedView) -> ForumReport:
    """The forum report's content, from the published snapshot alone."""
    session, assessment_round = visit.session, visit.access.assessment_round
    return build_forum_report(
        definition_of_round(session=session, assessment_round=assessment_round),
        view.result,
        view.facts,
        view.workshop,
        load_rules(),
    )


NOT_REPUBLISHED = (
    "These results were published before Placecheck kept a copy of what was published, and "
    "answers have changed since. The facilitator needs to publish them again before you can "
    "read them."
)


def _report_inputs(visit: Visit[RoundAccess], choice: ReportChoice) -> str:
    """What this report would be made from now, once the visitor may have it and its partner
    is one of this place's."""
    if choice.kind in FACILITATOR_REPORTS:
        facilitating(visit.access)
    assessment_round = visit.access.assessment_round
    if choice.organisation is not None:
        organisation = visit.session.get(Organisation, choice.organisation)
        if organisation is None or organisation.place_id != assessment_round.place_id:
            raise ShownError(
                404,
                "There is no such partner in this place. Choose one from the list on the round's "
                "Reports page.",
            )
    return report_inputs(
        session=visit.session, assessment_round=assessment_round, today=place_today()
    )


def _made_or_coming(visit: Visit[RoundAccess], choice: ReportChoice) -> int | None:
    """The job that has made (or is making) this report from the answers as they are now;
    nothing is asked for."""
    return existing_report(
        visit.session,
        visit.access.assessment_round,
        choice.kind,
        choice.organisation,
        choice.variant,
        _report_inputs(visit, choice),
    )


def _report_job(visit: Visit[RoundAccess], report_queue: ReportQueue, choice: ReportChoice) -> int:
    """The job preparing this report for this visitor, started if none is on its way."""
    inputs = _report_inputs(visit, choice)
    job_id, new = request_report(
        work=visit.work,
        assessment_round=visit.access.assessment_round,
        kind=choice.kind,
        organisation_id=choice.organisation,
        variant=choice.variant,
        user_id=visit.user.id,
        inputs=inputs,
    )
    if new:
        visit.record(
            "report-requested",
            kind=choice.kind.value,
            organisation=choice.organisation,
            job=job_id,
        )
        visit.work.after_commit(lambda: report_queue.prepare(job_id))
    return job_id


def _job_of(visit: Visit[RoundAccess], job_id: int) -> JobState:
    """One of the round's report jobs, which this visitor may see (or 404)."""
    job = job_state(visit.session, job_id)
    if job is None or job.round_id != visit.access.assessment_round.id:
        raise ShownError(404, "There is no such report. Ask for it again from the round's page.")
    if job.kind in FACILITATOR_REPORTS:
        facilitating(visit.access)
    return job


@router.get("/reports/{kind}.pdf")
def download_report(choice: ChosenReport, visit: ResultsPage) -> Response:
    """The report itself, for saved links, if it has been made (or is being made) from the
    answers as they are now; otherwise the page with the button that asks for it. A GET never
    asks for a report: that is a change, made by a form with its CSRF token."""
    job_id = _made_or_coming(visit, choice)
    if job_id is None:
        return see_other(_address(visit.access.assessment_round.id, choice))
    return _when_made(visit, job_id)


@router.post("/reports/{kind}.pdf")
def ask_and_download(
    choice: ChosenReport, visit: ResultsAsk, report_queue: ReportQueueDep
) -> Response:
    """Ask for the report and wait for it here, for scripts: the same job as the page follows.
    A plain ``def``: FastAPI runs it in a thread, which waits on the row."""
    job_id = _report_job(visit, report_queue, choice)
    visit.work.finish()  # the job must be stored, and a worker told, before it is waited for
    return _when_made(visit, job_id)


def _when_made(visit: Visit[RoundAccess], job_id: int) -> Response:
    """The job's file once it is made, waiting up to ``DOWNLOAD_WAIT_SECONDS`` for it."""
    deadline = time.monotonic() + DOWNLOAD_WAIT_SECONDS
    while (job := _job_of(visit, job_id)).status.finished is False:
        if time.monotonic() > deadline:
            raise ShownError(
                503,
                "The report is taking longer than usual to make, because the server is busy. "
                f"Follow it at /rounds/{job.round_id}/report-jobs/{job.id}, or try again in a "
                "few minutes.",
                title="The report is not ready yet",
            )
        visit.work.read_afresh()
        time.sleep(POLL_SECONDS)
    return _file_of(visit, job)


@router.get("/reports/{kind}", response_class=HTMLResponse)
def report_page(choice: ChosenReport, visit: ResultsPage) -> Response:
    """The report's own page: the one made (or being made) from the answers as they are now,
    or a button that asks for it."""
    round_id = visit.access.assessment_round.id
    job_id = _made_or_coming(visit, choice)
    if job_id is not None:
        return see_other(f"/rounds/{round_id}/report-jobs/{job_id}")
    organisation = (
        visit.session.get(Organisation, choice.organisation) if choice.organisation else None
    )
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "access": visit.access,
        "kind": choice.kind,
        "organisation": organisation,
        "action": _address(round_id, choice),
    }
    return visit.page("report_ask", context)


@router.post("/reports/{kind}", response_class=HTMLResponse)
def ask_for_report(
    choice: ChosenReport, visit: ResultsAsk, report_queue: ReportQueueDep
) -> Response:
    """Start preparing a report and follow it on its own page (post, redirect, get: reloading
    that page never asks for the report again)."""
    job_id = _report_job(visit, report_queue, choice)
    return see_other(f"/rounds/{visit.access.assessment_round.id}/report-jobs/{job_id}")


@router.get("/report-jobs/{job_id}", response_class=HTMLResponse)
def report_job_page(job_id: RecordId, visit: ResultsPage) -> Response:
    job = _job_of(visit, job_id)
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "access": visit.access,
        "job": job,
        "again": _again(job),
        "check_every": CHECK_EVERY_SECONDS,
    }
    return visit.page("report_job", context)


@router.get("/report-jobs/{job_id}/file")
def report_job_file(job_id: RecordId, visit: ResultsPage) -> Response:
    return _file_of(visit, _job_of(visit, job_id))


def _again(job: JobState) -> str:
    """The page that asks for the same report again."""
    return _address(job.round_id, ReportChoice(job.kind, job.organisation_id, job.variant))


def _address(round_id: int | None, choice: ReportChoice) -> str:
    """The report's own page: its kind in the path, its partner or variant in the query."""
    query = urlencode(
        {
            k: v
            for k, v in (("organisation", choice.organisation), ("variant", choice.variant))
            if v is not None
        }
    )
    return f"/rounds/{round_id}/reports/{choice.kind.value}" + (f"?{query}" if query else "")


def _file_of(visit: Visit[RoundAccess], job: JobState) -> Response:
    if job.status is JobStatus.REFUSED:
        raise ShownError(409, job.message or "This report cannot be made.")
    if job.status is JobStatus.FAILED:
        raise ShownError(500, f"{job.message} Ask for the report again.")
    pdf = job_file(visit.session, job.id)
    if pdf is None or job.filename is None:
        raise ShownError(409, "The report is still being made. Wait for it on its page.")
    visit.record("report-downloaded", kind=job.kind.value, organisation=job.organisation_id)
    return download(pdf, "application/pdf", job.filename)
