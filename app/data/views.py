"""A round's data: export, restore, paper answers, erasing one respondent, deleting a round."""

import json
from datetime import date

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.accounts.access import PlaceAccess, RoundAccess
from app.core.exceptions import ShownError
from app.data import erasure
from app.data.paper import TEMPLATE as PAPER_TEMPLATE
from app.data.paper import already_imported, parse_paper_answers, store_paper_answers
from app.data.round_file import ImportRefusedError, export_json, import_json, read_round_file
from app.data.spreadsheets import answers_csv, workbook
from app.deps import (
    FacilitatorPlacePage,
    FacilitatorRoundPage,
    PlaceChange,
    RecordId,
    RoundChange,
    UnitOfWorkRoute,
)
from app.enums import InvitationStatus
from app.models import Invitation, Organisation
from app.places.service import organisations_of
from app.results.rules import load_rules
from app.results.service import previous_round, respondents_of_round, score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import Errors, Visit, download
from scoring.disclosure import disclosed

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

SAME_SHEETS_AT_ONCE = (
    "Nothing was imported: the same answers were being imported by someone else at the same "
    "moment. Look at the round's respondents before trying again."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data_page(
    visit: Visit[RoundAccess], *, errors: Errors | None = None, notice: str | None = None
) -> Response:
    respondents = visit.session.exec(
        select(Invitation, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == visit.access.assessment_round.id,
            col(Invitation.status).in_([InvitationStatus.STARTED, InvitationStatus.SUBMITTED]),
        )
        .order_by(func.lower(Organisation.name), col(Invitation.id))
    ).all()
    context = {
        "access": visit.access,
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "respondents": respondents,
        "paper_template": PAPER_TEMPLATE,
        "notice": notice,
    }
    return visit.page("data", context, errors=errors)


def _respondent(session: Session, access: RoundAccess, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.round_id != access.assessment_round.id:
        raise ShownError(404, "There is no such respondent in this round.")
    return invitation


@router.get("/rounds/{round_id}/data", response_class=HTMLResponse)
def data_page(visit: FacilitatorRoundPage, done: str | None = None) -> Response:
    imported = (
        visit.recorded_count("paper-answers-imported", "respondents")
        if done == "paper-imported"
        else None
    )
    notice = (
        f"Answers from {imported} paper questionnaires were added."
        if imported is not None
        else None
    )
    return _data_page(visit, notice=notice)


@router.get("/rounds/{round_id}/export.{extension}")
def export_round(extension: str, visit: FacilitatorRoundPage) -> Response:
    """The export is read first; only the audit row needs the write lock."""
    session, assessment_round = visit.session, visit.access.assessment_round
    stem = f"{visit.access.place.slug}-round-{assessment_round.id}"
    if extension == "json":
        data = export_json(session=session, assessment_round=assessment_round)
        body = json.dumps(data, indent=2, ensure_ascii=False)
        response = download(body, "application/json", f"{stem}.json")
    elif extension == "csv":
        body = answers_csv(session=session, assessment_round=assessment_round)
        filename = f"{stem}-answers-facilitators-only.csv"
        response = download(body, "text/csv; charset=utf-8", filename)
    elif extension == "xlsx":
        definition = definition_of_round(session=session, assessment_round=assessment_round)
        rules = load_rules()
        result = disclosed(
            definition,
            score_round(
                session=session,
                assessment_round=assessment_round,
                rules=rules,
                earlier=previous_round(session=session, assessment_round=assessment_round),
            ),
            rules.with_threshold(assessment_round.anonymity_threshold),
            respondents_of_round(session=session, assessment_round=assessment_round),
        )
        book = workbook(
            session=session, assessment_round=assessment_round, definition=definition, result=result
        )
        response = download(book, XLSX, f"{stem}.xlsx")
    else:
        raise ShownError(404, "Exports are .json, .csv or .xlsx.")
    visit.record("round-exported", format=extension)
    return response


@router.post("/rounds/{round_id}/paper", response_class=HTMLResponse)
def import_paper(change: RoundChange) -> Response:
    session, assessment_round = change.session, change.access.assessment_round
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    respondents, problems = parse_paper_answers(
        change.form.upload("paper_file"),
        organisations_of(session, change.access.place.id),
        definition,
    )
    problems = problems or already_imported(
        session=session, assessment_round=assessment_round, respondents=respondents
    )
    if problems:
        errors = Errors()
        count = len(problems)
        errors.add(
            "paper_file",
            f"Nothing was imported: correct the {count} problem{'s' if count != 1 else ''} "
            "listed and upload the file again.",
            problems,
        )
        return _data_page(change, errors=errors)
    try:
        count = store_paper_answers(
            session=session, assessment_round=assessment_round, respondents=respondents
        )
        session.flush()
    except IntegrityError:
        change.work.discard()
        errors = Errors()
        errors.add("paper_file", SAME_SHEETS_AT_ONCE)
        return _data_page(change, errors=errors)
    change.record("paper-answers-imported", respondents=count)
    return change.done(f"/rounds/{assessment_round.id}/data?done=paper-imported")


@router.get("/rounds/{round_id}/respondents/{invitation_id}/erase", response_class=HTMLResponse)
def confirm_erase(invitation_id: RecordId, visit: FacilitatorRoundPage) -> Response:
    invitation = _respondent(visit.session, visit.access, invitation_id)
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "invitation": invitation,
        "organisation": visit.session.get(Organisation, invitation.organisation_id),
    }
    return visit.page("erase_respondent", context)


@router.post("/rounds/{round_id}/respondents/{invitation_id}/erase", response_class=HTMLResponse)
def erase_respondent(invitation_id: RecordId, change: RoundChange) -> Response:
    """Erase one person's answers and details, and every made report that held them (kept
    only in the database, so every machine's copy goes with the rows)."""
    session = change.session
    invitation = _respondent(session, change.access, invitation_id)
    erasure.erase_respondent(
        session=session, invitation=invitation, place_id=change.access.place.id
    )
    change.record("respondent-erased", invitation_id=invitation_id)
    return change.done(f"/rounds/{change.access.assessment_round.id}/data")


def _delete_page(visit: Visit[RoundAccess], errors: Errors | None = None) -> Response:
    context = {"place": visit.access.place, "round": visit.access.assessment_round}
    return visit.page("delete_round", context, errors=errors)


@router.get("/rounds/{round_id}/delete", response_class=HTMLResponse)
def confirm_delete(visit: FacilitatorRoundPage) -> Response:
    return _delete_page(visit)


@router.post("/rounds/{round_id}/delete", response_class=HTMLResponse)
def delete_round(change: RoundChange) -> Response:
    if change.form.get("confirm") != "yes":
        errors = Errors()
        errors.add("confirm", "Tick the box to confirm that the round and its answers go")
        return _delete_page(change, errors)
    assessment_round = change.access.assessment_round
    change.record(
        "round-deleted",
        round_id=None,
        deleted_round_id=assessment_round.id,
        title=assessment_round.title,
    )
    erasure.delete_round(session=change.session, assessment_round=assessment_round)
    return change.done(f"/places/{change.access.place.slug}")


def _import_page(visit: Visit[PlaceAccess], errors: Errors | None = None) -> Response:
    return visit.page("import", {"place": visit.access.place}, errors=errors)


@router.get("/places/{slug}/import", response_class=HTMLResponse)
def import_page(visit: FacilitatorPlacePage) -> Response:
    return _import_page(visit)


@router.post("/places/{slug}/import", response_class=HTMLResponse)
def import_round(change: PlaceChange) -> Response:
    try:
        assessment_round = import_json(
            session=change.session,
            place=change.access.place,
            file=read_round_file(change.form.upload("round_file")),
            secret=change.settings.secret,
        )
    except ImportRefusedError as error:
        errors = Errors()
        errors.add("round_file", f"The file was not imported: {error}. Nothing was changed.")
        return _import_page(change, errors)
    change.record("round-imported", round_id=assessment_round.id, on=date.today().isoformat())
    return change.done(f"/rounds/{assessment_round.id}")
