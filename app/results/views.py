"""Results pages and report downloads, from the same context the PDFs are built from."""

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.access import RoundAccess, UserDep, round_for
from app.core import audit
from app.models import MembershipRole, RoundStatus, User
from app.results.reports import ReportUnavailableError, report_html, round_facts, workshop_record
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import PRIVATE, render
from reports.context import build_forum_report
from reports.render import ReportKind
from reports.service import PdfService

router = APIRouter(include_in_schema=False)

NOT_PUBLISHED = (
    "The facilitator has not published this round's results yet. You will be able to read them "
    "here once they have."
)
FACILITATOR_REPORTS = {ReportKind.WORKSHOP, ReportKind.PARTNER, ReportKind.QUESTIONNAIRE}


def _results_access(session: Session, user: User, round_id: int) -> RoundAccess:
    """Facilitators see results as they come in; viewers once the round is published."""
    access = round_for(session, user, round_id, MembershipRole.VIEWER)
    if not access.can_change and access.assessment_round.status is not RoundStatus.PUBLISHED:
        raise HTTPException(403, NOT_PUBLISHED)
    return access


@router.get("/rounds/{round_id}/results", response_class=HTMLResponse)
def results_page(request: Request, round_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = _results_access(session, user, round_id)
        assessment_round = access.assessment_round
        definition = definition_of_round(session=session, assessment_round=assessment_round)
        result = score_round(session=session, assessment_round=assessment_round, rules=load_rules())
        report = (
            build_forum_report(
                definition,
                result,
                round_facts(session=session, assessment_round=assessment_round, today=date.today()),
                workshop_record(session=session, assessment_round=assessment_round),
            )
            if result.respondents
            else None
        )
        context = {
            "access": access,
            "place": access.place,
            "round": assessment_round,
            "report": report,
            "divided_items": [f.sentence for f in result.findings if f.rule == "divided-statement"][
                :5
            ],
        }
        return render(request, "results", context, user=user)


@router.get("/rounds/{round_id}/reports/{kind}.pdf")
def download_report(
    request: Request,
    round_id: int,
    kind: str,
    user: UserDep,
    organisation: int | None = None,
    variant: str | None = None,
) -> Response:
    """A plain ``def``: FastAPI runs it in a thread, and the PDF renders in the process pool."""
    if kind not in {k.value for k in ReportKind}:
        raise HTTPException(404, "There is no such report.")
    report_kind = ReportKind(kind)
    with Session(request.app.state.engine) as session:
        if report_kind in FACILITATOR_REPORTS:
            access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        else:
            access = _results_access(session, user, round_id)
        try:
            rendered = report_html(
                session=session,
                assessment_round=access.assessment_round,
                kind=report_kind,
                rules=load_rules(),
                today=date.today(),
                organisation_id=organisation,
                variant=variant,
            )
        except ReportUnavailableError as error:
            raise HTTPException(409, f"This report cannot be made: {error}.") from error
        audit.record(
            session,
            "report-downloaded",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            kind=kind,
            organisation=organisation,
        )
        session.commit()
    service: PdfService = request.app.state.pdf_service
    pdf = service.render(rendered.html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{rendered.filename}"'},
    )
