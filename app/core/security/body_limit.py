"""How much a request may send, by the kind of route, refused before it is read.

A 200 MB body sent to a respondent link that did not exist was read and parsed in full before
the 404 (the server grew from 548 to 833 MB). Each request's body is now counted as it arrives:
one that says it is too large (``Content-Length``) is refused before a byte of it is read, and
one sent in chunks is refused the moment it passes the limit. The refusal is a 413 with a
sentence a person can act on, as a page or as problem JSON like every other error.
"""

import re
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.csvfile import MAX_UPLOAD_BYTES

MEGABYTE = 1_000_000


@dataclass(frozen=True)
class BodyLimit:
    """At most ``limit`` bytes for routes whose path matches ``paths``."""

    paths: re.Pattern[str]
    limit: int
    what: str


LIMITS = (
    # A round file, paper answers or a list of invitations: the file and its multipart wrapping.
    BodyLimit(
        re.compile(r"/(import|paper|invitations/upload)$"),
        MAX_UPLOAD_BYTES + MEGABYTE,
        f"a file of up to {MAX_UPLOAD_BYTES // MEGABYTE} MB",
    ),
    # Answers, through the pages or the API: up to 200 answers, each with a comment of 4,000
    # characters in any script (four bytes each at most).
    BodyLimit(re.compile(r"^/(r|api/v1/respondent)/"), 4 * MEGABYTE, "4 MB of answers"),
    # Every other form: names, dates, choices and a few paragraphs.
    BodyLimit(re.compile(""), MEGABYTE, "1 MB"),
)


def limit_for(path: str) -> BodyLimit:
    return next(limit for limit in LIMITS if limit.paths.search(path))


def _too_large(limit: BodyLimit) -> HTTPException:
    return HTTPException(
        413,
        f"What was sent is too large: this page takes at most {limit.what}. "
        "Send less at a time, or a smaller file.",
        headers={"Connection": "close"},
    )


class LimitBodies:
    """Pure ASGI middleware around the app: the app's own error handlers turn the refusal into
    a page or problem JSON, and a route that never reads its body is never refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(str(scope["path"]))
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        too_large = declared is not None and (not declared.isdigit() or int(declared) > limit.limit)
        received = 0

        async def counted() -> Message:
            nonlocal received
            if too_large:
                raise _too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted, send)
