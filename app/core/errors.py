"""Errors: RFC 9457 problem details for the API, a readable page for everything else."""

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.db import DatabaseBusyError, DatabaseUnavailableError, disk_full
from app.core.exceptions import ShownError
from app.core.fields import every_secret_field
from app.core.templating import templates

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
PROBLEM_JSON = "application/problem+json"


class InvalidParam(BaseModel):
    name: str = Field(description="Where the problem is, e.g. `body.answers.0.level`.")
    reason: str = Field(description="What is wrong, in words a person can act on.")


class Problem(BaseModel):
    """RFC 9457 problem details, as every API error is returned."""

    type: str = Field(default="about:blank", examples=["https://placecheck.example/problems/x"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["There is no round with id 42."])
    instance: str | None = Field(default=None, examples=["/api/v1/rounds/42"])
    invalid_params: list[InvalidParam] | None = Field(default=None, alias="invalid-params")
    conflicts: list[dict[str, Any]] | None = Field(
        default=None,
        description="For 409 on answers: each stale item with the newer answer now stored.",
    )

    model_config = {"populate_by_name": True}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Problem details"},
    "5XX": {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Problem details"},
}

TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Some of what was sent is not valid",
    429: "Too many requests",
    500: "Something went wrong on our side",
    503: "Service unavailable",
}


# On pages, some statuses read better in plain words than as HTTP reason phrases.
PAGE_TITLES = {
    403: "You cannot do this",
    409: "This cannot be done",
}


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(by_alias=True, exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
    )


def _wants_problem_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/healthz"


def _field_location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    if _wants_problem_json(request):
        response = problem_response(
            request,
            Problem(title=title, status=exc.status_code, detail=detail, instance=request.url.path),
        )
        response.headers.update(getattr(exc, "headers", None) or {})  # Allow on a 405
        return response
    return templates.TemplateResponse(
        request,
        "pages/error.html",
        {
            "title": PAGE_TITLES.get(exc.status_code, title),
            "detail": detail,
            "status": exc.status_code,
            "in_workspace": not request.url.path.startswith("/r/"),
        },
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _shown_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShownError)
    if _wants_problem_json(request):
        title = exc.title or TITLES.get(exc.status, "Error")
        return problem_response(
            request,
            Problem(title=title, status=exc.status, detail=exc.detail, instance=request.url.path),
        )
    title = exc.title or PAGE_TITLES.get(exc.status, TITLES.get(exc.status, "Error"))
    context = {
        "title": title,
        "detail": exc.detail,
        "status": exc.status,
        "in_workspace": not request.url.path.startswith("/r/"),
        **exc.context,
    }
    return templates.TemplateResponse(
        request,
        exc.template,
        context,
        status_code=exc.status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


async def _validation_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _wants_problem_json(request):
        # On pages the only such input is the address itself (a form is read by its own
        # model): an id that is not a number, or beyond any row, is a page that is not here.
        return templates.TemplateResponse(
            request, "pages/error.html", {"title": "Page not found", "status": 404}, 404
        )
    params = [
        InvalidParam(name=_field_location(error["loc"]), reason=error["msg"])
        for error in exc.errors()
    ]
    return problem_response(
        request,
        Problem(
            title=TITLES[422],
            status=422,
            detail="Correct the fields listed in invalid-params and send the request again.",
            instance=request.url.path,
            invalid_params=params,
        ),
    )


async def _unexpected_exception(request: Request, exc: Exception) -> Response:
    if _wants_problem_json(request):
        return problem_response(
            request,
            Problem(
                title=TITLES[500],
                status=500,
                detail="The error has been logged. Try again; if it happens again, tell "
                "whoever runs this Placecheck service.",
                instance=request.url.path,
            ),
        )
    return templates.TemplateResponse(
        request,
        "pages/error.html",
        {"title": TITLES[500], "detail": None, "status": 500},
        status_code=500,
    )


BUSY = (
    "Placecheck is too busy to save anything just now, so nothing from this request was "
    "saved. Wait a minute, go back in your browser and send it again."
)
DATABASE_DOWN = "The database cannot be reached just now. The operator's log says why."
"""What anyone may be told of a database that is down: never its address or its user."""
UNREACHABLE = (
    "Placecheck cannot reach its database just now, so nothing from this request was saved. "
    "Wait a minute, go back in your browser and send it again; if it goes on, tell whoever "
    "runs this Placecheck service."
)


@dataclass(frozen=True)
class _NotSaved:
    """Why a request saved nothing, in the words of its 503."""

    title: str
    reason: str
    sentence: str


_TOO_BUSY = _NotSaved("Too busy to save", BUSY, "Placecheck is too busy to save anything just now")
_DISK_FULL = _NotSaved(
    "The server's disk is full",
    "The server's disk is full, so nothing from this request was saved. Tell whoever runs "
    "this Placecheck service; once they have made room, go back and send it again.",
    "The server's disk is full",
)
_UNREACHABLE = _NotSaved(
    "Database not reachable", UNREACHABLE, "Placecheck cannot reach its database just now"
)


async def _busy(request: Request, exc: Exception) -> Response:
    """Writers queued past their limit, SQLite's lock held by another process for too long, or
    a commit that failed: a 503 the person can act on, never a 500 and never a redirect that
    claims success, and the client is told when to retry."""
    return await _not_saved(request, _TOO_BUSY)


async def _unreachable(request: Request, exc: Exception) -> Response:
    """The database is down or unreachable: the same 503 as a busy one. The operator's log
    says which database and why; the page never does (it named the database's address)."""
    log.error("The database cannot be reached: %s", exc)
    return await _not_saved(request, _UNREACHABLE)


async def _not_saved(request: Request, why: _NotSaved) -> Response:
    """A form that was posted is shown again with what was typed in it, ready to send again
    (its CSRF token still holds); the page needs nothing from the database, which may be the
    very thing that failed."""
    typed: list[tuple[str, str]] = []
    files = False
    if request.method in {"POST", "PUT"} and not _wants_problem_json(request):
        try:
            form = await request.form()
        except Exception:  # noqa: BLE001 - a body that cannot be read again has nothing to show
            form = None
        for name, value in form.multi_items() if form is not None else ():
            if not isinstance(value, str):
                files = True
            elif name not in every_secret_field():
                typed.append((name, value))
    if not typed:
        response = await _shown_error(request, ShownError(503, why.reason, title=why.title))
    else:
        response = templates.TemplateResponse(
            request,
            "pages/not_saved.html",
            {
                "title": why.title,
                "sentence": why.sentence,
                "status": 503,
                "action": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                "typed": typed,
                "files": files,
                "in_workspace": not request.url.path.startswith("/r/"),
            },
            status_code=503,
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )
    response.headers["Retry-After"] = "60"
    return response


def _is_lock_timeout(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


async def _operational(request: Request, exc: Exception) -> Response:
    """An operational error is the database failing, not the request: busy (SQLite's lock),
    or gone (a server that refused the connection, or closed it)."""
    if _is_lock_timeout(exc):
        return await _busy(request, exc)
    if disk_full(exc):
        log.error("The server's disk is full: %s", exc)
        return await _not_saved(request, _DISK_FULL)
    return await _unreachable(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DatabaseBusyError, _busy)
    app.add_exception_handler(OperationalError, _operational)
    app.add_exception_handler(DisconnectionError, _unreachable)
    app.add_exception_handler(SQLAlchemyTimeoutError, _unreachable)
    app.add_exception_handler(DatabaseUnavailableError, _unreachable)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_exception)
    app.add_exception_handler(ShownError, _shown_error)
    app.add_exception_handler(Exception, _unexpected_exception)
