"""Security headers on every response: nothing runs but our own scripts, no other site may frame
a page, and browsers do not guess content types.

Pages use no inline script (``app/static/js`` holds it all), so ``script-src 'self'`` holds.
Inline ``style`` attributes remain for chart bars and table shading, hence ``'unsafe-inline'``
for styles only; charts on the results page are ``data:`` images. The API's interactive
documentation loads Swagger UI from its CDN and is left without the policy.
"""

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
UNGUARDED = ("/api/v1/docs",)


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.url.path.startswith(UNGUARDED):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response
