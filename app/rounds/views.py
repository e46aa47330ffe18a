"""A round: starting it, its page, its status, and the next round after it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from app.accounts.access import PlaceAccess
from app.core import audit
from app.core.config import Settings
from app.core.exceptions import ChangeRefusedError, ShownError
from app.deps import (
    CsrfForm,
    CurrentUser,
    FacilitatorPlace,
    FacilitatorRound,
    RegistryDep,
    SessionDep,
    SettingsDep,
    ViewerRound,
    WriteSession,
    secret_of,
)
from app.enums import RoundStatus
from app.models import AssessmentRoundBase, AssessmentRoundCreate, User
from app.rounds.page import render_round_page
from app.rounds.service import change_status, create_round, reassess
from app.web.pages import Errors, Form, render, see_other
from questionnaires.registry import Registry

router = APIRouter(include_in_schema=False)


class StatusChange(BaseModel):
    to: RoundStatus = Field(description="The status the round moves to.")


def _new_round_page(
    request: Request,
    settings: Settings,
    registry: Registry,
    user: User,
    access: PlaceAccess,
    errors: Errors | None = None,
    form: Form | None = None,
) -> Response:
    context = {
        "place": access.place,
        "questionnaires": [
            (f"{d.id}@{d.version}", f"{d.title}, version {d.version}")
            for d in registry.load_all()[0]
        ],
        "threshold": settings.anonymity_threshold,
        "errors": errors or Errors(),
        "form": form.values if form else {},
    }
    return render(request, "round_new", context, user=user, status=400 if errors else 200)


@router.get("/places/{slug}/rounds/new", response_class=HTMLResponse)
def new_round_page(
    request: Request,
    access: FacilitatorPlace,
    user: CurrentUser,
    settings: SettingsDep,
    registry: RegistryDep,
) -> Response:
    return _new_round_page(request, settings, registry, user, access)


@router.post("/places/{slug}/rounds", response_class=HTMLResponse)
def add_round(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorPlace,
    user: CurrentUser,
    settings: SettingsDep,
    registry: RegistryDep,
) -> Response:
    definitions = {f"{d.id}@{d.version}": d for d in registry.load_all()[0]}
    errors = Errors()
    details = form.validated(
        AssessmentRoundCreate, errors, context={"questionnaires": set(definitions)}
    )
    if details is None:
        return _new_round_page(request, settings, registry, user, access, errors, form)
    assessment_round = create_round(
        session=session,
        place=access.place,
        definition=definitions[details.questionnaire_id],
        details=details,
    )
    audit.record(
        session,
        "round-created",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=assessment_round.id,
        title=details.title,
    )
    session.commit()
    return see_other(f"/rounds/{assessment_round.id}")


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request,
    access: ViewerRound,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    return render_round_page(request, session, settings, user, access)


@router.post("/rounds/{round_id}/status", response_class=HTMLResponse)
def set_status(
    form: CsrfForm, session: WriteSession, access: FacilitatorRound, user: CurrentUser
) -> Response:
    errors = Errors()
    change = form.validated(StatusChange, errors)
    if change is None:
        raise ShownError(400, "Choose one of the buttons on the round's page.")
    try:
        before = change_status(
            session=session, assessment_round=access.assessment_round, to=change.to
        )
    except ChangeRefusedError as error:
        raise ShownError(409, str(error)) from error
    audit.record(
        session,
        "round-status-changed",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        before=before.value,
        after=change.to.value,
    )
    session.commit()
    return see_other(f"/rounds/{access.assessment_round.id}")


@router.post("/rounds/{round_id}/reassess", response_class=HTMLResponse)
def start_reassessment(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    errors = Errors()
    details = form.validated(AssessmentRoundBase, errors)
    if details is None:
        return render_round_page(
            request, session, settings, user, access, errors=errors, form=form.values
        )
    new_round = reassess(
        session=session,
        previous=access.assessment_round,
        title=details.title,
        secret=secret_of(settings),
    )
    audit.record(
        session,
        "round-created",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=new_round.id,
        copied_from=access.assessment_round.id,
    )
    session.commit()
    return see_other(f"/rounds/{new_round.id}")
