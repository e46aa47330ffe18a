"""Field types that several inputs share, so that each rule is written once.

The messages are what a person reads beside the field (GOV.UK style): say what to do, not
what went wrong.
"""

import functools
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

EMAIL_MAX = 320
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("Enter an e-mail address in the right format, like name@example.org")
    return value


EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=EMAIL_MAX), AfterValidator(_email)
]
"""An e-mail address as people type it: one @, a dot in the domain, no spaces."""

MAX_ID = 2**63 - 1
"""The largest row id either database stores; a larger number in a link finds nothing."""

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row's id in a form: a number neither database could hold is refused as a bad choice,
never passed on to the database to fail there."""


_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


def unstorable(text: str) -> bool:
    """Whether text holds a character no database or spreadsheet should be given: a control
    character (PostgreSQL refuses NUL outright) or half of a UTF-16 pair."""
    return bool(_UNSTORABLE.search(text))


def plain_text(value: str | None) -> str | None:
    """Text a person typed, on one line or many: nothing that cannot be stored."""
    if value is not None and unstorable(value):
        raise PydanticCustomError("unstorable", "it has a character that cannot be stored")
    return value


def one_line(value: str | None) -> str | None:
    """A name or title: plain text on a single line."""
    plain_text(value)
    if value is not None and _LINE_BREAK.search(value):
        raise PydanticCustomError("line_break", "it must be on one line")
    return value


class _SecretMarker:
    """Marks a field whose text is taken exactly as typed and never shown back."""

    def __repr__(self) -> str:
        return "SECRET"


SECRET = _SecretMarker()

Secret = Annotated[str, SECRET]
"""A password or other secret: spaces at its ends are part of it (trimming it would lock its
owner out), and no page, error page or log shows it back. Marked on the model, not guessed
from a field's name."""


def secret_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names of ``model``'s secret fields."""
    return frozenset(name for name, field in model.model_fields.items() if SECRET in field.metadata)


@functools.cache
def every_secret_field() -> frozenset[str]:
    """Every secret field's name on any input model, for pages that show a posted form again
    without knowing which model it was for (a 503 while busy). Asked only while serving, once
    every model has been imported."""
    found: set[str] = set()
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model is not BaseModel and hasattr(model, "model_fields"):
            found |= secret_fields(model)
    return frozenset(found)
