"""What every facilitator page shares: rendering with the signed-in user and a CSRF token,
reading forms, and GOV.UK-style error summaries."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.core.config import Settings
from app.core.security.csrf import csrf_token, csrf_valid
from app.core.templating import templates
from app.models import User

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
EXPIRED_FORM = (
    "This form has expired or did not come from Placecheck. Nothing was changed: go back, "
    "reload the page and try again."
)


def secret_of(request: Request) -> str:
    """The deployment's secret key: signs cookies and CSRF tokens and derives invitation links."""
    settings: Settings = request.app.state.settings
    return settings.secret_key.get_secret_value()


def user_csrf(request: Request, user: User | None) -> str:
    subject = f"user:{user.id}" if user else "anonymous"
    return csrf_token(secret_of(request), subject)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    user: User | None,
    status: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        f"facilitate/{name}.html",
        {"user": user, "csrf": user_csrf(request, user), **context},
        status_code=status,
        headers=PRIVATE,
    )


@dataclass
class Form:
    values: dict[str, str]
    files: dict[str, UploadFile] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def id(self, name: str) -> int:
        """A row id from a hidden field or a select; anything else is 0, which finds nothing."""
        value = self.get(name)
        return int(value) if value.isdigit() else 0


async def read_form(request: Request, user: User | None) -> Form:
    """The submitted form, after checking its CSRF token against the signed-in user."""
    data = await request.form()
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    files = {k: v for k, v in data.items() if isinstance(v, UploadFile)}
    subject = f"user:{user.id}" if user else "anonymous"
    if not csrf_valid(secret_of(request), subject, values.get("csrf_token")):
        raise HTTPException(400, EXPIRED_FORM)
    return Form(values, files)


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


MAX_UPLOAD_BYTES = 20_000_000


async def uploaded(form: Form, name: str) -> bytes:
    """The bytes of an uploaded file (empty when none was chosen), read up to the size limit;
    the parsers then say what is wrong with a file that was cut short."""
    upload = form.files.get(name)
    return await upload.read(MAX_UPLOAD_BYTES) if upload is not None else b""


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
