"""The respondent journey, reached through an invitation link: /r/{token}/…

The token in the link is the respondent's only credential, so every page checks it again.
Unknown and revoked links get the same page (nothing says whether a token exists), and
repeated bad links from one client are slowed down.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.security.csrf import csrf_token, csrf_valid
from app.core.templating import templates
from app.models import RoundStatus
from app.responses.service import (
    MAX_EVIDENCE,
    AnswerInput,
    AnswerState,
    Page,
    ResponseContext,
    SaveOutcome,
    answers_of,
    choice_label,
    choices_for,
    open_response,
    page_status,
    part_status,
    save_answers,
    submit,
    unanswered_pages,
)
from questionnaires.schema import Item
from questionnaires.timing import estimated_minutes

router = APIRouter(prefix="/r/{token}", include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def field_id(item_id: str) -> str:
    return "answer-" + item_id.replace(".", "-")


templates.env.globals["field_id"] = field_id


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _page(request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(
        request, f"respond/{name}.html", dict(context), status_code=status, headers=NO_STORE
    )


def _not_found(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "pages/error.html", {"title": "Page not found", "status": 404}, status_code=404
    )


def _invalid_link(request: Request) -> Response:
    limiter = request.app.state.bad_link_limiter
    limiter.record(_client(request))
    return _page(request, "invalid_link", {}, status=404)


def _load(request: Request, token: str) -> ResponseContext | Response:
    """The respondent's context, or the page to show instead."""
    if request.app.state.bad_link_limiter.blocked(_client(request)):
        return _page(request, "too_many", {}, status=429)
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        context = open_response(session=session, token=token)
    if context is None:
        return _invalid_link(request)
    if context.assessment_round.status is RoundStatus.DRAFT:
        return _page(request, "not_open", {"ctx": context}, status=403)
    return context


def _answers(request: Request, context: ResponseContext) -> dict[str, AnswerState]:
    with Session(request.app.state.engine) as session:
        return answers_of(session=session, invitation=context.invitation)


def _common(request: Request, token: str, context: ResponseContext) -> dict[str, Any]:
    return {
        "ctx": context,
        "token": token,
        "base": f"/r/{token}",
        "link": str(request.url_for("start", token=token)),
    }


@router.get("", response_class=HTMLResponse, name="start")
def start(request: Request, token: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    minutes = estimated_minutes(loaded.definition, loaded.organisation.sector)
    return _page(
        request,
        "start",
        {
            **_common(request, token, loaded),
            "minutes": minutes,
            "threshold": loaded.assessment_round.anonymity_threshold,
            "answers": _answers(request, loaded),
        },
    )


@router.get("/tasks", response_class=HTMLResponse)
def tasks(request: Request, token: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    answers = _answers(request, loaded)
    sections = [
        {
            "part": part,
            "title": loaded.part_title(part),
            "status": part_status(loaded.pages_of(part.id), answers),
            "pages": [(page, page_status(page, answers)) for page in loaded.pages_of(part.id)],
        }
        for part in loaded.parts
    ]
    return _page(
        request,
        "tasks",
        {
            **_common(request, token, loaded),
            "sections": sections,
            "remaining": len(unanswered_pages(loaded, answers)),
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
            "csrf": csrf_token(request.app.state.settings.secret_key.get_secret_value(), token),
            "position": context.pages.index(page) + 1,
        },
        status=status,
    )


def _label(field: Field) -> str:
    kinds = {"importance": "Importance", "follow-up": "Taking part"}
    return kinds.get(field.item.kind.value, f"Question {field.number}")


@router.get("/p/{page_id}", response_class=HTMLResponse)
def question(request: Request, token: str, page_id: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    page = loaded.page(page_id)
    if page is None:
        return _not_found(request)
    answers = _answers(request, loaded)
    return _question_page(request, token, loaded, page, _fields(loaded, page, answers))


def _inputs(form: Mapping[str, Any], page: Page) -> dict[str, AnswerInput]:
    inputs: dict[str, AnswerInput] = {}
    for item in page.items:
        raw_version = str(form.get(f"version-{item.id}", "0"))
        choice = form.get(f"answer-{item.id}")
        inputs[item.id] = AnswerInput(
            item_id=item.id,
            choice=str(choice) if choice else None,
            evidence=str(form.get(f"evidence-{item.id}", "")).replace("\r\n", "\n"),
            version=int(raw_version) if raw_version.isdigit() else 0,
        )
    return inputs


@router.post("/p/{page_id}", response_class=HTMLResponse)
async def save_page(request: Request, token: str, page_id: str) -> Response:
    form = await request.form()
    return await run_in_threadpool(_save_page, request, token, page_id, dict(form))


def _save_page(request: Request, token: str, page_id: str, form: dict[str, Any]) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    page = loaded.page(page_id)
    if page is None:
        return _not_found(request)
    inputs = _inputs(form, page)
    answers = _answers(request, loaded)
    if not loaded.editable:
        return _question_page(
            request,
            token,
            loaded,
            page,
            _fields(loaded, page, answers),
            notice="This assessment has closed, so answers can no longer be changed.",
            status=409,
        )
    secret = request.app.state.settings.secret_key.get_secret_value()
    if not csrf_valid(secret, token, str(form.get("csrf_token", ""))):
        return _question_page(
            request,
            token,
            loaded,
            page,
            _fields(loaded, page, answers, inputs),
            notice="This page had been open for a long time, so for your security your answers "
            "on it have not been saved yet. They are shown below: check them and select "
            "‘Save and continue’ again.",
            status=400,
        )
    later = form.get("action") == "later"
    outcome = save_answers(
        engine=request.app.state.engine,
        context=loaded,
        answers=list(inputs.values()),
        required=not later,
    )
    if not outcome.ok:
        answers = _answers(request, loaded)
        fields = _fields(loaded, page, answers, inputs, outcome)
        return _question_page(request, token, loaded, page, fields, status=400)
    if later:
        return RedirectResponse(f"/r/{token}/saved", status_code=303)
    following = loaded.next_page(page)
    target = f"/r/{token}/p/{following.id}" if following else f"/r/{token}/check/{page.part.id}"
    return RedirectResponse(target, status_code=303)


@router.get("/check/{part_id}", response_class=HTMLResponse)
def check_answers(request: Request, token: str, part_id: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    pages = loaded.pages_of(part_id)
    if not pages:
        return _not_found(request)
    answers = _answers(request, loaded)
    part = pages[0].part
    rows = [
        {
            "page": page,
            "items": [
                (
                    item,
                    choice_label(loaded.definition, item, answers[item.id].choice)
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
            **_common(request, token, loaded),
            "part": part,
            "part_title": loaded.part_title(part),
            "rows": rows,
        },
    )


@router.get("/saved", response_class=HTMLResponse)
def saved(request: Request, token: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    return _page(request, "saved", _common(request, token, loaded))


@router.get("/submit", response_class=HTMLResponse)
def confirm_submit(request: Request, token: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    answers = _answers(request, loaded)
    return _page(
        request,
        "submit",
        {
            **_common(request, token, loaded),
            "remaining": unanswered_pages(loaded, answers),
            "csrf": csrf_token(request.app.state.settings.secret_key.get_secret_value(), token),
        },
    )


@router.post("/submit", response_class=HTMLResponse)
async def do_submit(request: Request, token: str) -> Response:
    form = await request.form()
    return await run_in_threadpool(_submit, request, token, str(form.get("csrf_token", "")))


def _submit(request: Request, token: str, csrf: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    if not loaded.editable:
        return RedirectResponse(f"/r/{token}/tasks", status_code=303)
    secret = request.app.state.settings.secret_key.get_secret_value()
    if not csrf_valid(secret, token, csrf):
        answers = _answers(request, loaded)
        return _page(
            request,
            "submit",
            {
                **_common(request, token, loaded),
                "remaining": unanswered_pages(loaded, answers),
                "csrf": csrf_token(secret, token),
                "notice": "This page had been open for a long time. Your answers are all saved: "
                "select ‘Submit your answers’ again to submit them.",
            },
            status=400,
        )
    submit(engine=request.app.state.engine, context=loaded)
    return RedirectResponse(f"/r/{token}/done", status_code=303)


@router.get("/done", response_class=HTMLResponse)
def done(request: Request, token: str) -> Response:
    loaded = _load(request, token)
    if isinstance(loaded, Response):
        return loaded
    return _page(request, "done", _common(request, token, loaded))
