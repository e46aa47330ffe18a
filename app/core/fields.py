"""Field types that several inputs share, so that each rule is written once.

The messages are what a person reads beside the field (GOV.UK style): say what to do, not
what went wrong.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

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
