"""A round: starting it, its page, its status, and the next round after it."""

from functools import partial

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from app.accounts.access import PlaceAccess, RoundAccess
from app.core.clock import place_today
from app.core.exceptions import ChangeRefusedError, ShownError
from app.deps import (
    FacilitatorPlacePage,
    FacilitatorRoundPage,
    PlaceChange,
    RegistryDep,
    ReportQueueDep,
    RoundChange,
    RoundPage,
    UnitOfWorkRoute,
)
from app.enums import RoundStatus
from app.invitations.mail import mail_configured
from app.jobs.report_jobs import reports_in_advance
from app.models import AssessmentRoundBase, AssessmentRoundCreate
from app.rounds.page import DONE, render_reports_page, render_round_page
from app.rounds.service import (
    CONSEQUENCES,
    TRANSITIONS,
    change_details,
    change_status,
    create_round,
    reassess,
)
from app.web.pages import Errors, Visit
from questionnaires.registry import Registry

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


class StatusChange(BaseModel):
    to: RoundStatus = Field(description="The status the round moves to.")


def _new_round_page(
    visit: Visit[PlaceAccess], registry: Registry, errors: Errors | None = None
) -> Response:
    context = {
        "place": visit.access.place,
        "questionnaires": [
            (f"{d.id}@{d.version}", f"{d.title}, version {d.version}")
            for d in registry.load_all()[0]
        ],
        "threshold": visit.settings.anonymity_threshold,
    }
    return visit.page("round_new", context, errors=errors)


@router.get("/places/{slug}/rounds/new", response_class=HTMLResponse)
def new_round_page(visit: FacilitatorPlacePage, registry: RegistryDep) -> Response:
    return _new_round_page(visit, registry)


@router.post("/places/{slug}/rounds", response_class=HTMLResponse)
def add_round(change: PlaceChange, registry: RegistryDep) -> Response:
    definitions = {f"{d.id}@{d.version}": d for d in registry.load_all()[0]}
    errors = Errors()
    details = change.form.validated(
        AssessmentRoundCreate, errors, context={"questionnaires": set(definitions)}
    )
    if details is None:
        return _new_round_page(change, registry, errors)
    assessment_round = create_round(
        session=change.session,
        place=change.access.place,
        definition=definitions[details.questionnaire_id],
        details=details,
    )
    change.record("round-created", round_id=assessment_round.id, title=details.title)
    return change.done(f"/rounds/{assessment_round.id}")


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(visit: RoundPage, done: str | None = None) -> Response:
    """``done`` names the change just made, for the banner that confirms it (see ``DONE``)."""
    return render_round_page(visit, notice=DONE.get(done or ""))


@router.get("/rounds/{round_id}/progress", response_class=HTMLResponse)
def progress_page(visit: RoundPage) -> Response:
    return render_round_page(visit, section="progress")


@router.get("/rounds/{round_id}/reports", response_class=HTMLResponse)
def reports_page(visit: RoundPage) -> Response:
    return render_reports_page(visit)


def _edit_page(visit: Visit[RoundAccess], errors: Errors | None = None) -> Response:
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "mail_configured": mail_configured(visit.settings) and bool(visit.settings.public_url),
    }
    return visit.page("round_edit", context, errors=errors)


@router.get("/rounds/{round_id}/edit", response_class=HTMLResponse)
def edit_round_page(visit: FacilitatorRoundPage) -> Response:
    return _edit_page(visit)


@router.post("/rounds/{round_id}/edit", response_class=HTMLResponse)
def edit_round(change: RoundChange) -> Response:
    assessment_round = change.access.assessment_round
    errors = Errors()
    # The threshold box is shown only for a draft; otherwise the round's own stands.
    fixed = (
        {}
        if assessment_round.status is RoundStatus.DRAFT
        else {"anonymity_threshold": assessment_round.anonymity_threshold}
    )
    details = change.form.validated(AssessmentRoundBase, errors, extra=fixed)
    if details is None:
        return _edit_page(change, errors)
    try:
        changes = change_details(
            session=change.session,
            assessment_round=assessment_round,
            details=details,
            today=place_today(),
        )
    except ChangeRefusedError as error:
        errors.add(error.field or "title", str(error))
        return _edit_page(change, errors)
    if not changes:
        return change.done(f"/rounds/{assessment_round.id}")
    change.record("round-changed", changes=changes)
    return change.done(f"/rounds/{assessment_round.id}?done=round-changed")


@router.get("/rounds/{round_id}/status/{to}", response_class=HTMLResponse)
def confirm_status(to: RoundStatus, visit: FacilitatorRoundPage) -> Response:
    """The GOV.UK "are you sure" step: what the change does, before it is done."""
    assessment_round = visit.access.assessment_round
    before = assessment_round.status
    if to not in TRANSITIONS[before]:
        raise ShownError(409, f"A {before.value} round cannot become {to.value}.")
    label = TRANSITIONS[before][to]
    context = {
        "place": visit.access.place,
        "round": assessment_round,
        "question": f"{label}?",
        "consequences": CONSEQUENCES[(before, to)],
        "action": f"/rounds/{assessment_round.id}/status",
        "fields": {"to": to.value},
        "button": label,
        "destructive": to is RoundStatus.CLOSED,
        "back": f"/rounds/{assessment_round.id}",
    }
    return visit.page("confirm", context)


@router.post("/rounds/{round_id}/status", response_class=HTMLResponse)
def set_status(change: RoundChange, report_queue: ReportQueueDep) -> Response:
    wanted = change.form.validated(StatusChange, Errors())
    if wanted is None:
        raise ShownError(400, "Choose one of the buttons on the round's page.")
    assessment_round = change.access.assessment_round
    try:
        before = change_status(
            session=change.session, assessment_round=assessment_round, to=wanted.to
        )
    except ChangeRefusedError as error:
        # Shown on the round's own page, so the facilitator is still where they can act on it.
        errors = Errors()
        errors.add("to", str(error))
        return render_round_page(change, errors=errors, status=409)
    change.record("round-status-changed", before=before.value, after=wanted.to.value)
    done = "withdrawn" if before is RoundStatus.PUBLISHED else f"status-{wanted.to.value}"
    # Closed or published, the answers are in; a withdrawn publication is being put right.
    answers_are_in = wanted.to in (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
    withdrawn = before is RoundStatus.PUBLISHED
    if answers_are_in and not withdrawn and change.settings.prepare_reports_in_advance:
        for job_id in reports_in_advance(
            work=change.work, assessment_round=assessment_round, today=place_today()
        ):
            change.work.after_commit(partial(report_queue.prepare, job_id))
    return change.done(f"/rounds/{assessment_round.id}?done={done}")


@router.post("/rounds/{round_id}/reassess", response_class=HTMLResponse)
def start_reassessment(change: RoundChange) -> Response:
    errors = Errors()
    details = change.form.validated(AssessmentRoundBase, errors)
    if details is None:
        return render_round_page(change, errors=errors)
    try:
        new_round = reassess(
            session=change.session,
            previous=change.access.assessment_round,
            title=details.title,
            secret=change.settings.secret,
        )
    except ChangeRefusedError as refused:
        raise ShownError(409, str(refused)) from None
    change.record(
        "round-created", round_id=new_round.id, copied_from=change.access.assessment_round.id
    )
    return change.done(f"/rounds/{new_round.id}")
