"""Field types that several inputs share, so that each rule is written once.

The messages are what a person reads beside the field (GOV.UK style): say what to do, not
what went wrong.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
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
