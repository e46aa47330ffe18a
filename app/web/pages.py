"""What every workspace page shares: rendering with the signed-in user and a CSRF token, the
submitted form, GOV.UK-style error summaries, and checking a form against its input model."""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import EllipsisType
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session
from starlette.datastructures import UploadFile

from app.accounts.access import PlaceAccess, RoundAccess
from app.core import audit
from app.core.config import Settings
from app.core.csvfile import MAX_UPLOAD_BYTES
from app.core.db import UnitOfWork
from app.core.fields import every_secret_field, secret_fields
from app.core.security.csrf import csrf_token
from app.core.security.session_cookie import SESSION_COOKIE, token_of
from app.core.security.tokens import new_token
from app.core.templating import templates
from app.core.validation import REAL_DATE_EXAMPLE, cleaned, field_messages
from app.models import User

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


Model = TypeVar("Model", bound=BaseModel)
AccessT = TypeVar("AccessT", bound=PlaceAccess | None)


VISITOR_COOKIE = "placecheck_visitor"
"""A random id for a browser not yet signed in, so that its sign-in form's CSRF token is its
own: one token shared by every anonymous visitor would let any site post the sign-in form."""


def csrf_subject(request: Request, user: User | None, visitor: str | None) -> str:
    """What a form's CSRF token is bound to: the signed-in browser's session, or this
    browser's visitor id. Bound to the person alone, a token from a page left open before
    signing out (or copied from it) still worked in every later session of theirs. The token's
    text can be read, so it carries a digest of the session, never the session itself."""
    if user is None:
        return f"visitor:{visitor}"
    settings: Settings = request.app.state.settings
    session = token_of(settings.secret, request.cookies.get(SESSION_COOKIE)) or ""
    return f"user:{user.id}:{hashlib.sha256(f'csrf:{session}'.encode()).hexdigest()[:32]}"


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    user: User | None,
    status: int = 200,
) -> Response:
    settings: Settings = request.app.state.settings
    visitor = request.cookies.get(VISITOR_COOKIE) or (None if user else new_token())
    response = templates.TemplateResponse(
        request,
        f"facilitate/{name}.html",
        {
            "user": user,
            "csrf": csrf_token(settings.secret, csrf_subject(request, user, visitor)),
            **context,
        },
        status_code=status,
        headers=PRIVATE,
    )
    if user is None and visitor != request.cookies.get(VISITOR_COOKIE):
        response.set_cookie(
            VISITOR_COOKIE,
            visitor or "",
            httponly=True,
            samesite="lax",
            secure=not settings.is_development,
        )
    return response


@dataclass
class Errors:
    """Problems with a form, in the order of its fields, for the GOV.UK error summary."""

    by_field: dict[str, str] = field(default_factory=dict)
    details: list[tuple[str, str]] = field(default_factory=list)
    """Further lines for the summary, such as each bad row of an uploaded file."""

    def add(self, name: str, message: str, details: list[str] | None = None) -> None:
        self.by_field.setdefault(name, message)
        self.details += [(name, detail) for detail in details or []]

    def __bool__(self) -> bool:
        return bool(self.by_field)

    @property
    def summary(self) -> list[dict[str, str]]:
        lines = [(name, message) for name, message in self.by_field.items()] + self.details
        return [{"text": message, "href": f"#{name}"} for name, message in lines]

    def message(self, name: str) -> dict[str, str] | None:
        return {"text": self.by_field[name]} if name in self.by_field else None


@dataclass
class Form:
    """A submitted form whose CSRF token has been checked (see ``app.deps.CsrfForm``)."""

    values: dict[str, str]
    files: dict[str, UploadFile] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)
    """Every value of fields sent more than once, such as ticked checkboxes."""

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def all(self, name: str) -> list[str]:
        """Every value sent for ``name``: the boxes ticked in a group of checkboxes."""
        return self.chosen.get(name, [])

    def upload(self, name: str) -> bytes:
        """The bytes of an uploaded file (empty when none was chosen), read up to the size
        limit and one byte more, so that a parser can say the file is too large."""
        upload = self.files.get(name)
        return upload.file.read(MAX_UPLOAD_BYTES + 1) if upload is not None else b""

    def validated(
        self,
        model: type[Model],
        errors: Errors,
        *,
        context: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Model | None:
        """The form as ``model``, or None with each problem added to ``errors``."""
        values, dates = joined_dates(self.values)
        try:
            typed = cleaned(values, secret_fields(model))
            return model.model_validate({**typed, **(extra or {})}, context=dict(context or {}))
        except ValidationError as error:
            # The summary lists problems in the order of the fields on the page, which is the
            # order the browser sent them in.
            order = list(values)
            messages = field_messages(model, error)
            for name in dates & set(messages):
                messages[name] = messages[name].replace(REAL_DATE_EXAMPLE, DATE_FIELDS_EXAMPLE)
            for name in sorted(
                messages, key=lambda n: order.index(n) if n in order else len(order)
            ):
                errors.add(name, messages[name])
            return None


DATE_PARTS = ("day", "month", "year")
DATE_FIELDS_EXAMPLE = "31 3 2027"


def joined_dates(values: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    """GOV.UK date fields (``closes_on-day``, ``-month``, ``-year``) as the one ISO date the
    input model reads, and the names of the dates so joined.

    Nothing typed: no date. Anything that is not a real date (31 February, a two-digit year,
    words) is passed on as typed, so the model refuses it with the field's own message.
    """
    joined: dict[str, str] = {}
    dates: set[str] = set()
    for key, value in values.items():
        name, _, part = key.rpartition("-")
        if part not in DATE_PARTS or not name:
            joined[key] = value
            continue
        if name in dates:
            continue
        dates.add(name)
        day, month, year = (values.get(f"{name}-{p}", "").strip() for p in DATE_PARTS)
        if not (day or month or year):
            continue
        try:
            if len(year) != 4:
                raise ValueError(year)
            joined[name] = date(int(year), int(month), int(day)).isoformat()
        except (ValueError, OverflowError):
            joined[name] = f"{day}/{month}/{year}"
    return joined, dates


MAX_FILENAME_BYTES = 255
"""What common file systems allow in one file name, counted in bytes, not characters."""


class OneTimeForm(BaseModel):
    """The one-time key a form that makes something carries (``new_token()`` when the page is
    drawn): the same form sent twice, by a double click or a reload, makes one thing."""

    form_key: str = Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


def shortened(filename: str, limit: int = MAX_FILENAME_BYTES) -> str:
    """``filename`` cut to ``limit`` bytes of UTF-8, keeping its ending (``.pdf``) and never
    splitting a character, so that a long place or partner name still saves on any disk."""
    if len(filename.encode()) <= limit:
        return filename
    stem, dot, ending = filename.rpartition(".")
    if not dot:
        stem, ending = filename, ""
    suffix = f".{ending}" if dot else ""
    room = limit - len(suffix.encode())
    cut = stem.encode()[:room].decode("utf-8", "ignore").rstrip("-_. ")
    return cut + suffix


def download(body: bytes | str, media_type: str, filename: str) -> Response:
    """A file to save, named so that any browser can take it: an ASCII name for old clients
    and the real one (RFC 6266, UTF-8) for the rest, so "Gŵyr" or "Łódź" never breaks it;
    both fit in the 255 bytes a file system allows."""
    filename = shortened(filename)
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body, media_type=media_type, headers={**PRIVATE, "Content-Disposition": disposition}
    )


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@dataclass(frozen=True)
class Visit(Generic[AccessT]):
    """A signed-in person's request to the workspace, whole: their session, who they are, what
    they may reach (``access``: a place, a round, or None) and, for a change, the form they sent
    with its CSRF token checked. Routes receive it from ``app.deps`` (``RoundPage``,
    ``RoundChange`` …), so none of them repeats how a session is opened or access checked."""

    request: Request
    work: UnitOfWork
    settings: Settings
    user: User
    access: AccessT
    form: Form = field(default_factory=lambda: Form({}))

    def page(
        self,
        name: str,
        context: Mapping[str, Any],
        *,
        errors: Errors | None = None,
        status: int | None = None,
    ) -> Response:
        """A workspace page; with errors it is a 400 that shows what was typed again.

        What the request has not committed is discarded first: a page shows what is stored (a
        refused form has written nothing), and the write lock is not kept while the page
        renders. A change that must be kept although a page follows (mail sent, some failed)
        finishes its unit of work first. A request that only read is left as it is: rolling
        back would expire every row it loaded, and the template would load each again.
        """
        self.work.discard()
        typed = {k: v for k, v in self.form.values.items() if k not in every_secret_field()}
        return render(
            self.request,
            name,
            {"errors": errors or Errors(), "form": typed, **context},
            user=self.user,
            status=status if status is not None else (400 if errors else 200),
        )

    def record(
        self,
        action: str,
        *,
        place_id: int | None | EllipsisType = ...,
        round_id: int | None | EllipsisType = ...,
        **detail: Any,
    ) -> None:
        """An audit row for this person's action, committed with it: about their place and
        round unless told otherwise (a new place, a new or deleted round). A route that only
        read until now (a download) takes the write lock here, for this one short write."""
        access: PlaceAccess | None = self.access
        if place_id is ...:
            place_id = access.place.id if access else None
        if round_id is ...:
            round_id = access.assessment_round.id if isinstance(access, RoundAccess) else None
        audit.record(
            self.work.write(),
            action,
            actor_user_id=self.user.id,
            place_id=place_id,
            round_id=round_id,
            **detail,
        )

    def recorded_detail(self, action: str, key: str) -> object:
        """``key`` of this person's latest record of ``action`` about this round: what a page
        confirms after a change, read from what was stored, never the address."""
        access: PlaceAccess | None = self.access
        event = audit.latest(
            self.session,
            action,
            actor_user_id=self.user.id,
            round_id=access.assessment_round.id if isinstance(access, RoundAccess) else None,
        )
        return event.detail.get(key) if event else None

    def recorded_count(self, action: str, key: str) -> int | None:
        """The number ``key`` of the latest record of ``action`` (see ``recorded_detail``)."""
        count = self.recorded_detail(action, key)
        return count if isinstance(count, int) else None

    @property
    def session(self) -> Session:
        return self.work.session

    def done(self, url: str) -> Response:
        """Send the browser on (post, redirect, get) once the change is made: the request's
        unit of work commits it before this redirect leaves, or answers 503 instead."""
        return see_other(url)


def pager(page: int, pages: int, href: Callable[[int], str], label: str) -> dict[str, Any] | None:
    """GOV.UK pagination for page ``page`` of ``pages``: the first and last pages, the current
    one and its neighbours, and an ellipsis for each gap; None when there is one page."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    for before, number in zip([None, *shown], shown, strict=False):
        if before is not None and number - before > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page})
    return {
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
        "items": items,
        "landmarkLabel": label,
    }
