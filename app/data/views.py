"""A round's data: export, restore, paper answers, erasing one respondent, deleting a round."""

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, delete, select

from app.accounts.access import RoundAccess
from app.core import audit
from app.core.db import begin_write
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.data.exports import (
    ImportRefusedError,
    answers_csv,
    export_json,
    import_json,
    read_round_file,
    workbook,
)
from app.data.paper import TEMPLATE as PAPER_TEMPLATE
from app.data.paper import parse_paper_answers, store_paper_answers
from app.deps import (
    CsrfForm,
    CurrentUser,
    FacilitatorPlace,
    FacilitatorRound,
    SessionDep,
    SettingsDep,
    WriteSession,
    secret_of,
)
from app.enums import InvitationStatus
from app.models import Answer, Invitation, Organisation, User
from app.places.service import organisations_of
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import PRIVATE, Errors, render, see_other

router = APIRouter(include_in_schema=False)

InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data_page(
    request: Request,
    session: Session,
    user: User,
    access: RoundAccess,
    *,
    errors: Errors | None = None,
    notice: str | None = None,
) -> Response:
    respondents = session.exec(
        select(Invitation, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == access.assessment_round.id,
            col(Invitation.status).in_([InvitationStatus.STARTED, InvitationStatus.SUBMITTED]),
        )
        .order_by(col(Organisation.name), col(Invitation.id))
    ).all()
    context = {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "respondents": respondents,
        "paper_template": PAPER_TEMPLATE,
        "errors": errors or Errors(),
        "notice": notice,
    }
    return render(request, "data", context, user=user, status=400 if errors else 200)


def _respondent(session: Session, access: RoundAccess, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.round_id != access.assessment_round.id:
        raise ShownError(404, "There is no such respondent in this round.")
    return invitation


@router.get("/rounds/{round_id}/data", response_class=HTMLResponse)
def data_page(
    request: Request, access: FacilitatorRound, user: CurrentUser, session: SessionDep
) -> Response:
    return _data_page(request, session, user, access)


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/rounds/{round_id}/export.{extension}")
def export_round(
    extension: str, access: FacilitatorRound, user: CurrentUser, session: SessionDep
) -> Response:
    """The export is read first; only the audit row needs the write lock."""
    assessment_round = access.assessment_round
    stem = f"{access.place.slug}-round-{assessment_round.id}"
    if extension == "json":
        data = export_json(session=session, assessment_round=assessment_round)
        body = json.dumps(data, indent=2, ensure_ascii=False)
        response = _download(body, "application/json", f"{stem}.json")
    elif extension == "csv":
        body = answers_csv(session=session, assessment_round=assessment_round)
        response = _download(body, "text/csv; charset=utf-8", f"{stem}-answers.csv")
    elif extension == "xlsx":
        definition = definition_of_round(session=session, assessment_round=assessment_round)
        result = score_round(session=session, assessment_round=assessment_round, rules=load_rules())
        book = workbook(
            session=session, assessment_round=assessment_round, definition=definition, result=result
        )
        response = _download(book, XLSX, f"{stem}.xlsx")
    else:
        raise ShownError(404, "Exports are .json, .csv or .xlsx.")
    begin_write(session)
    audit.record(
        session,
        "round-exported",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        format=extension,
    )
    session.commit()
    return response


@router.post("/rounds/{round_id}/paper", response_class=HTMLResponse)
def import_paper(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
) -> Response:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    respondents, problems = parse_paper_answers(
        form.upload("paper_file"), organisations_of(session, access.place.id), definition
    )
    if problems:
        errors = Errors()
        count = len(problems)
        errors.add(
            "paper_file",
            f"Nothing was imported: {count} line{'s have' if count != 1 else ' has'} a problem.",
            problems,
        )
        return _data_page(request, session, user, access, errors=errors)
    count = store_paper_answers(
        session=session, assessment_round=access.assessment_round, respondents=respondents
    )
    audit.record(
        session,
        "paper-answers-imported",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        respondents=count,
    )
    session.commit()
    notice = f"Answers from {count} paper questionnaires were added."
    return _data_page(request, session, user, access, notice=notice)


@router.get("/rounds/{round_id}/respondents/{invitation_id}/erase", response_class=HTMLResponse)
def confirm_erase(
    request: Request,
    invitation_id: InvitationId,
    access: FacilitatorRound,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    invitation = _respondent(session, access, invitation_id)
    context = {
        "place": access.place,
        "round": access.assessment_round,
        "invitation": invitation,
        "organisation": session.get(Organisation, invitation.organisation_id),
        "errors": Errors(),
    }
    return render(request, "erase_respondent", context, user=user)


@router.post("/rounds/{round_id}/respondents/{invitation_id}/erase", response_class=HTMLResponse)
def erase_respondent(
    invitation_id: InvitationId,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
) -> Response:
    del form  # checked for its CSRF token; the respondent is in the address
    invitation = _respondent(session, access, invitation_id)
    session.exec(delete(Answer).where(col(Answer.invitation_id) == invitation_id))
    invitation.status = InvitationStatus.REVOKED
    invitation.name = None
    invitation.email = None
    invitation.submitted_at = None
    session.add(invitation)
    audit.record(
        session,
        "respondent-erased",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        invitation_id=invitation_id,
    )
    session.commit()
    return see_other(f"/rounds/{access.assessment_round.id}/data")


def _delete_page(
    request: Request, user: User, access: RoundAccess, errors: Errors | None = None
) -> Response:
    context = {
        "place": access.place,
        "round": access.assessment_round,
        "errors": errors or Errors(),
    }
    return render(request, "delete_round", context, user=user, status=400 if errors else 200)


@router.get("/rounds/{round_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, access: FacilitatorRound, user: CurrentUser) -> Response:
    return _delete_page(request, user, access)


@router.post("/rounds/{round_id}/delete", response_class=HTMLResponse)
def delete_round(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
) -> Response:
    if form.get("confirm") != "yes":
        errors = Errors()
        errors.add("confirm", "Tick the box to confirm that the round and its answers go")
        return _delete_page(request, user, access, errors)
    audit.record(
        session,
        "round-deleted",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=None,
        deleted_round_id=access.assessment_round.id,
        title=access.assessment_round.title,
    )
    session.delete(access.assessment_round)
    session.commit()
    return see_other(f"/places/{access.place.slug}")


def _import_page(
    request: Request, user: User, access: FacilitatorPlace, errors: Errors | None = None
) -> Response:
    context = {"place": access.place, "errors": errors or Errors()}
    return render(request, "import", context, user=user, status=400 if errors else 200)


@router.get("/places/{slug}/import", response_class=HTMLResponse)
def import_page(request: Request, access: FacilitatorPlace, user: CurrentUser) -> Response:
    return _import_page(request, user, access)


@router.post("/places/{slug}/import", response_class=HTMLResponse)
def import_round(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorPlace,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    try:
        assessment_round = import_json(
            session=session,
            place=access.place,
            file=read_round_file(form.upload("round_file")),
            secret=secret_of(settings),
        )
    except ImportRefusedError as error:
        session.rollback()
        errors = Errors()
        errors.add("round_file", f"The file was not imported: {error}. Nothing was changed.")
        return _import_page(request, user, access, errors)
    audit.record(
        session,
        "round-imported",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=assessment_round.id,
        on=date.today().isoformat(),
    )
    session.commit()
    return see_other(f"/rounds/{assessment_round.id}")
