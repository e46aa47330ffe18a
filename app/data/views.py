"""A round's data: export, restore, paper answers, erasing one respondent, deleting a round."""

import json
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, delete, select

from app.accounts.access import RoundAccess, UserDep, place_for, round_for
from app.core import audit
from app.data.exports import ImportRefusedError, answers_csv, export_json, import_json, workbook
from app.data.paper import TEMPLATE as PAPER_TEMPLATE
from app.data.paper import parse_paper_answers, store_paper_answers
from app.models import (
    Answer,
    AssessmentRound,
    Invitation,
    InvitationStatus,
    MembershipRole,
    Organisation,
    User,
)
from app.places.service import organisations_of
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import PRIVATE, Errors, read_form, render, secret_of, see_other, uploaded

router = APIRouter(include_in_schema=False)


def _context(
    session: Session, access: RoundAccess, errors: Errors | None = None
) -> dict[str, object]:
    respondents = session.exec(
        select(Invitation, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == access.assessment_round.id,
            col(Invitation.status).in_([InvitationStatus.STARTED, InvitationStatus.SUBMITTED]),
        )
        .order_by(col(Organisation.name), col(Invitation.id))
    ).all()
    return {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "respondents": respondents,
        "paper_template": PAPER_TEMPLATE,
        "errors": errors or Errors(),
    }


@router.get("/rounds/{round_id}/data", response_class=HTMLResponse)
def data_page(request: Request, round_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        return render(request, "data", _context(session, access), user=user)


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/rounds/{round_id}/export.{extension}")
def export_round(request: Request, round_id: int, extension: str, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        assessment_round = access.assessment_round
        stem = f"{access.place.slug}-round-{round_id}"
        if extension == "json":
            body = json.dumps(
                export_json(session=session, assessment_round=assessment_round),
                indent=2,
                ensure_ascii=False,
            )
            response = _download(body, "application/json", f"{stem}.json")
        elif extension == "csv":
            body = answers_csv(session=session, assessment_round=assessment_round)
            response = _download(body, "text/csv; charset=utf-8", f"{stem}-answers.csv")
        elif extension == "xlsx":
            definition = definition_of_round(session=session, assessment_round=assessment_round)
            result = score_round(
                session=session, assessment_round=assessment_round, rules=load_rules()
            )
            response = _download(
                workbook(
                    session=session,
                    assessment_round=assessment_round,
                    definition=definition,
                    result=result,
                ),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"{stem}.xlsx",
            )
        else:
            raise HTTPException(404, "Exports are .json, .csv or .xlsx.")
        audit.record(
            session,
            "round-exported",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            format=extension,
        )
        session.commit()
        return response


@router.post("/rounds/{round_id}/paper", response_class=HTMLResponse)
async def import_paper(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    data = await uploaded(form, "paper_file")
    return await run_in_threadpool(_import_paper, request, round_id, user, data)


def _import_paper(request: Request, round_id: int, user: User, data: bytes) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        definition = definition_of_round(session=session, assessment_round=access.assessment_round)
        respondents, problems = parse_paper_answers(
            data, organisations_of(session, access.place.id), definition
        )
        if problems:
            errors = Errors()
            errors.add(
                "paper_file",
                f"Nothing was imported: {len(problems)} "
                f"line{'s have' if len(problems) != 1 else ' has'} a problem.",
                problems,
            )
            context = _context(session, access, errors)
            return render(request, "data", context, user=user, status=400)
        count = store_paper_answers(
            session=session, assessment_round=access.assessment_round, respondents=respondents
        )
        audit.record(
            session,
            "paper-answers-imported",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            respondents=count,
        )
        session.commit()
        context = _context(session, access)
        context["notice"] = f"Answers from {count} paper questionnaires were added."
        return render(request, "data", context, user=user)


@router.get("/rounds/{round_id}/respondents/{invitation_id}/erase", response_class=HTMLResponse)
def confirm_erase(request: Request, round_id: int, invitation_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        invitation = session.get(Invitation, invitation_id)
        if invitation is None or invitation.round_id != access.assessment_round.id:
            raise HTTPException(404, "There is no such respondent in this round.")
        organisation = session.get(Organisation, invitation.organisation_id)
        context = {
            "place": access.place,
            "round": access.assessment_round,
            "invitation": invitation,
            "organisation": organisation,
            "errors": Errors(),
        }
        return render(request, "erase_respondent", context, user=user)


@router.post("/rounds/{round_id}/respondents/{invitation_id}/erase", response_class=HTMLResponse)
async def erase_respondent(
    request: Request, round_id: int, invitation_id: int, user: UserDep
) -> Response:
    await read_form(request, user)
    return await run_in_threadpool(_erase, request, round_id, invitation_id, user)


def _erase(request: Request, round_id: int, invitation_id: int, user: User) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        invitation = session.get(Invitation, invitation_id)
        if invitation is None or invitation.round_id != access.assessment_round.id:
            raise HTTPException(404, "There is no such respondent in this round.")
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
            round_id=round_id,
            invitation_id=invitation_id,
        )
        session.commit()
    return see_other(f"/rounds/{round_id}/data")


@router.get("/rounds/{round_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, round_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        context = {"place": access.place, "round": access.assessment_round, "errors": Errors()}
        return render(request, "delete_round", context, user=user)


@router.post("/rounds/{round_id}/delete", response_class=HTMLResponse)
async def delete_round(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_delete, request, round_id, user, form.get("confirm"))


def _delete(request: Request, round_id: int, user: User, confirm: str) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        if confirm != "yes":
            errors = Errors()
            errors.add("confirm", "Tick the box to confirm that the round and its answers go")
            context = {"place": access.place, "round": access.assessment_round, "errors": errors}
            return render(request, "delete_round", context, user=user, status=400)
        title = access.assessment_round.title
        audit.record(
            session,
            "round-deleted",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=None,
            deleted_round_id=round_id,
            title=title,
        )
        session.delete(access.assessment_round)
        session.commit()
        return see_other(f"/places/{access.place.slug}")


@router.get("/places/{slug}/import", response_class=HTMLResponse)
def import_page(request: Request, slug: str, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = place_for(session, user, slug, MembershipRole.FACILITATOR)
        return render(request, "import", {"place": access.place, "errors": Errors()}, user=user)


@router.post("/places/{slug}/import", response_class=HTMLResponse)
async def import_round(request: Request, slug: str, user: UserDep) -> Response:
    form = await read_form(request, user)
    data = await uploaded(form, "round_file")
    return await run_in_threadpool(_import_round, request, slug, user, data)


def _import_round(request: Request, slug: str, user: User, data: bytes) -> Response:
    with Session(request.app.state.engine) as session:
        access = place_for(session, user, slug, MembershipRole.FACILITATOR)
        try:
            parsed = json.loads(data.decode("utf-8"))
            assessment_round: AssessmentRound = import_json(
                session=session,
                place=access.place,
                data=parsed,
                secret=secret_of(request),
            )
        except (UnicodeDecodeError, json.JSONDecodeError, ImportRefusedError) as error:
            session.rollback()
            errors = Errors()
            reason = str(error) if isinstance(error, ImportRefusedError) else "it is not JSON"
            errors.add("round_file", f"The file was not imported: {reason}. Nothing was changed.")
            return render(
                request, "import", {"place": access.place, "errors": errors}, user=user, status=400
            )
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
