"""Refusals that services and dependencies raise, with no web framework in sight: the handlers
in ``app.core.errors`` turn them into pages and problem JSON."""

from typing import Any


class ChangeRefusedError(ValueError):
    """A service refuses a change; the message says why, for the person who asked, and
    ``field`` names the form field it concerns (for the error summary's link), if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ShownError(Exception):
    """A refusal that both a page and the API can show: the API as problem JSON with ``detail``,
    a page with ``template`` (given ``context``). Dependencies raise it, so the page and the API
    for the same thing refuse in the same words."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        template: str = "pages/error.html",
        context: dict[str, Any] | None = None,
        keeps_changes: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.title = status, detail, title
        self.keeps_changes = keeps_changes
        """Whether what the request wrote before refusing (the refusal counted against a
        limit) is committed all the same; otherwise a refusal writes nothing."""
        self.template, self.context = template, context or {}
