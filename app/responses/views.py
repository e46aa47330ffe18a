"""The respondent journey, reached through an invitation link: /r/{token}/…

The token in the link is the respondent's only credential; ``app.deps.RespondentContext`` checks
it for every page (and for the API), refusing unknown and revoked links alike and slowing down
repeated bad links from one client.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.core.db import DatabaseBusyError
from app.core.security.csrf import csrf_token, csrf_valid
from app.core.templating import field_id, templates
from app.deps import (
    RespondentContext,
    RespondentForm,
    SessionDep,
    SettingsDep,
    UnitOfWorkDep,
    UnitOfWorkRoute,
)
from app.models import Place
from app.responses.service import (
    MAX_EVIDENCE,
    NOTHING_ANSWERED,
    AnswerInput,
    AnswerState,
    Page,
    ResponseContext,
    SaveOutcome,
    answers_of,
    choice_label,
    choices_for,
    has_answered,
    page_status,
    part_status,
    store_answers,
    submit,
    unanswered_pages,
    validate_answers,
)
from questionnaires.schema import Item
from questionnaires.timing import estimated_minutes

router = APIRouter(prefix="/r/{token}", include_in_schema=False, route_class=UnitOfWorkRoute)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
STALE_PAGE = (
    "This page had been open for a long time, so for your security your answers on it have "
    "not been saved yet. They are shown below: check them and select ‘Save and continue’ again."
)
CLOSED = "This assessment has closed, so answers can no longer be changed."
BUSY_NOT_SAVED = (
    "Placecheck was too busy to save this page, so your answers on it have not been saved "
    "yet. They are shown below: wait a moment and select ‘Save and continue’ again."
)


def _page(request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(
        request, f"respond/{name}.html", dict(context), status_code=status, headers=NO_STORE
    )


def _not_found(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "pages/error.html", {"title": "Page not found", "status": 404}, status_code=404
    )


def _common(request: Request, token: str, context: ResponseContext) -> dict[str, Any]:
    return {
        "ctx": context,
        "token": token,
        "base": f"/r/{token}",
        "link": str(request.url_for("start", token=token)),
    }


def _answers(session: Session, context: ResponseContext) -> dict[str, AnswerState]:
    return answers_of(session=session, invitation=context.invitation)


@router.get("", response_class=HTMLResponse, name="start")
def start(
    request: Request, token: str, context: RespondentContext, session: SessionDep
) -> Response:
    return _page(
        request,
        "start",
        {
            **_common(request, token, context),
            "minutes": estimated_minutes(context.definition, context.organisation.sector),
            "threshold": context.assessment_round.anonymity_threshold,
            "answers": _answers(session, context),
        },
    )


@router.get("/tasks", response_class=HTMLResponse)
def tasks(
    request: Request, token: str, context: RespondentContext, session: SessionDep
) -> Response:
    answers = _answers(session, context)
    sections = [
        {
            "part": part,
            "title": context.part_title(part),
            "status": part_status(context.pages_of(part.id), answers),
            "pages": [(page, page_status(page, answers)) for page in context.pages_of(part.id)],
        }
        for part in context.parts
    ]
    return _page(
        request,
        "tasks",
        {
            **_common(request, token, context),
            "sections": sections,
            "remaining": len(unanswered_pages(context, answers)),
        },
    )


@dataclass(frozen=True)
class Field:
    """What one question shows: the chosen answer, the comment, the version and any error."""

    item: Item
    number: int
    choices: list[tuple[str, str]]
    choice: str | None
    evidence: str
    version: int
    error: str | None = None
    your_choice: str | None = None


def _fields(
    context: ResponseContext,
    page: Page,
    answers: Mapping[str, AnswerState],
    submitted: Mapping[str, AnswerInput] | None = None,
    outcome: SaveOutcome | None = None,
) -> list[Field]:
    fields = []
    for number, item in enumerate(page.items, start=1):
        stored = answers.get(item.id)
        given = submitted.get(item.id) if submitted else None
        conflict = outcome.conflicts.get(item.id) if outcome else None
        error = outcome.errors.get(item.id) if outcome else None
        if conflict is not None:
            # Show the newer answer from the other tab, and say what this tab had chosen.
            fields.append(
                Field(
                    item,
                    number,
                    choices_for(context.definition, item),
                    conflict.choice,
                    conflict.evidence,
                    conflict.version,
                    error="This answer was changed in another tab or window after you opened "
                    "this page. The newer answer is shown; check it and save again",
                    your_choice=choice_label(
                        context.definition, item, given.choice if given else None
                    ),
                )
            )
        elif given is not None and (error or not outcome):
            fields.append(
                Field(
                    item,
                    number,
                    choices_for(context.definition, item),
                    given.choice,
                    given.evidence,
                    given.version,
                    error=error,
                )
            )
        else:
            fields.append(
                Field(
                    item,
                    number,
                    choices_for(context.definition, item),
                    stored.choice if stored else None,
                    stored.evidence if stored else "",
                    stored.version if stored else 0,
                )
            )
    return fields


def _question_page(
    request: Request,
    token: str,
    context: ResponseContext,
    page: Page,
    fields: list[Field],
    settings: SettingsDep,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    errors = [
        {"text": f"{_label(f)}: {f.error}", "href": f"#{field_id(f.item.id)}"}
        for f in fields
        if f.error
    ]
    return _page(
        request,
        "question",
        {
            **_common(request, token, context),
            "page": page,
            "fields": fields,
            "error_summary": errors,
            "notice": notice,
            "max_evidence": MAX_EVIDENCE,
            "csrf": csrf_token(settings.secret, token),
            "position": context.pages.index(page) + 1,
        },
        status=status,
    )


def _label(field: Field) -> str:
    kinds = {"importance": "Importance", "follow-up": "Taking part"}
    return kinds.get(field.item.kind.value, f"Question {field.number}")


@router.get("/p/{page_id}", response_class=HTMLResponse)
def question(
    request: Request,
    token: str,
    page_id: str,
    context: RespondentContext,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    page = context.page(page_id)
    if page is None:
        return _not_found(request)
    fields = _fields(context, page, _answers(session, context))
    return _question_page(request, token, context, page, fields, settings)


def _inputs(form: Mapping[str, Any], page: Page) -> dict[str, AnswerInput]:
    inputs: dict[str, AnswerInput] = {}
    for item in page.items:
        raw_version = str(form.get(f"version-{item.id}", "0"))
        choice = form.get(f"answer-{item.id}")
        inputs[item.id] = AnswerInput(
            item_id=item.id,
            choice=str(choice) if choice else None,
            evidence=str(form.get(f"evidence-{item.id}", "")).replace("\r\n", "\n"),
            version=int(raw_version) if raw_version.isascii() and raw_version.isdigit() else 0,
        )
    return inputs


@router.post("/p/{page_id}", response_class=HTMLResponse)
def save_page(
    request: Request,
    token: str,
    page_id: str,
    form: RespondentForm,
    work: UnitOfWorkDep,
    context: RespondentContext,
    settings: SettingsDep,
) -> Response:
    session = work.session
    page = context.page(page_id)
    if page is None:
        return _not_found(request)
    inputs = _inputs(form, page)
    if not context.editable:
        fields = _fields(context, page, _answers(session, context))
        return _question_page(
            request, token, context, page, fields, settings, notice=CLOSED, status=409
        )
    if not csrf_valid(settings.secret, token, form.get("csrf_token", "")):
        fields = _fields(context, page, _answers(session, context), inputs)
        return _question_page(
            request, token, context, page, fields, settings, notice=STALE_PAGE, status=400
        )
    later = form.get("action") == "later"
    checked = validate_answers(context=context, answers=list(inputs.values()), required=not later)
    try:
        outcome = store_answers(
            session=work.write(), context=context, checked=checked, all_or_nothing=False
        )
    except DatabaseBusyError:
        # Nothing was saved: show the page again with everything the respondent chose.
        work.discard()
        fields = _fields(context, page, _answers(session, context), inputs)
        return _question_page(
            request, token, context, page, fields, settings, notice=BUSY_NOT_SAVED, status=503
        )
    if not outcome.ok:
        fields = _fields(context, page, _answers(session, context), inputs, outcome)
        return _question_page(request, token, context, page, fields, settings, status=400)
    if later:
        return RedirectResponse(f"/r/{token}/saved", status_code=303)
    following = context.next_page(page)
    target = f"/r/{token}/p/{following.id}" if following else f"/r/{token}/check/{page.part.id}"
    return RedirectResponse(target, status_code=303)


@router.get("/check/{part_id}", response_class=HTMLResponse)
def check_answers(
    request: Request, token: str, part_id: str, context: RespondentContext, session: SessionDep
) -> Response:
    pages = context.pages_of(part_id)
    if not pages:
        return _not_found(request)
    answers = _answers(session, context)
    part = pages[0].part
    rows = [
        {
            "page": page,
            "items": [
                (
                    item,
                    choice_label(context.definition, item, answers[item.id].choice)
                    if item.id in answers
                    else "Not answered",
                    answers[item.id].evidence if item.id in answers else "",
                )
                for item in page.items
            ],
        }
        for page in pages
    ]
    return _page(
        request,
        "check",
        {
            **_common(request, token, context),
            "part": part,
            "part_title": context.part_title(part),
            "rows": rows,
        },
    )


@router.get("/saved", response_class=HTMLResponse)
def saved(request: Request, token: str, context: RespondentContext) -> Response:
    return _page(request, "saved", _common(request, token, context))


def _submit_page(
    request: Request,
    token: str,
    context: ResponseContext,
    session: Session,
    settings: SettingsDep,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "submit",
        {
            **_common(request, token, context),
            "remaining": unanswered_pages(context, _answers(session, context)),
            "nothing_answered": not has_answered(session, context),
            "csrf": csrf_token(settings.secret, token),
            "notice": notice,
        },
        status=status,
    )


@router.get("/submit", response_class=HTMLResponse)
def confirm_submit(
    request: Request,
    token: str,
    context: RespondentContext,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    return _submit_page(request, token, context, session, settings)


@router.post("/submit", response_class=HTMLResponse)
def do_submit(
    request: Request,
    token: str,
    form: RespondentForm,
    work: UnitOfWorkDep,
    context: RespondentContext,
    settings: SettingsDep,
) -> Response:
    session = work.session
    if not context.editable:
        return RedirectResponse(f"/r/{token}/tasks", status_code=303)
    if not csrf_valid(settings.secret, token, form.get("csrf_token", "")):
        notice = (
            "This page had been open for a long time. Your answers are all saved: "
            "select ‘Submit your answers’ again to submit them."
        )
        return _submit_page(request, token, context, session, settings, notice=notice, status=400)
    if form.get("without_answers") != "yes" and not has_answered(work.write(), context):
        return _submit_page(
            request, token, context, session, settings, notice=NOTHING_ANSWERED, status=400
        )
    submit(session=work.write(), context=context)
    return RedirectResponse(f"/r/{token}/done", status_code=303)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(
    request: Request, token: str, context: RespondentContext, session: SessionDep
) -> Response:
    """The privacy notice with the respondent's own place and whom to ask about their data."""
    place = session.get(Place, context.assessment_round.place_id)
    return templates.TemplateResponse(
        request,
        "pages/privacy.html",
        {**_common(request, token, context), "place": place},
        headers=NO_STORE,
    )


@router.get("/done", response_class=HTMLResponse)
def done(request: Request, token: str, context: RespondentContext) -> Response:
    return _page(request, "done", _common(request, token, context))
