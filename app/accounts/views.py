"""Signing in and out. Failed attempts are limited per e-mail address and per client."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.access import OptionalUserDep, UserDep
from app.accounts.service import (
    SESSION_COOKIE,
    SESSION_MAX_AGE_SECONDS,
    authenticate,
    normalise_email,
    session_cookie_value,
)
from app.core import audit
from app.core.config import Settings
from app.core.security.ratelimit import RateLimiter
from app.web.pages import Errors, read_form, render, secret_of, see_other

router = APIRouter(include_in_schema=False)

TOO_MANY = (
    "Too many failed attempts to sign in. Wait 15 minutes and try again, or ask an "
    "administrator to check your account."
)


def safe_next(path: str | None) -> str:
    """Only paths on this site: never an open redirect to somewhere else."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/places"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, user: OptionalUserDep, next: str = "/places") -> Response:
    if user is not None:
        return see_other(safe_next(next))
    return render(request, "sign_in", {"next": safe_next(next), "errors": Errors()}, user=None)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await read_form(request, None)
    return await run_in_threadpool(_sign_in, request, form.get("email"), form.values)


def _sign_in(request: Request, email: str, values: dict[str, str]) -> Response:
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.sign_in_limiter
    client = request.client.host if request.client else "unknown"
    keys = [f"email:{normalise_email(email)}", f"client:{client}"]
    errors = Errors()
    password = values.get("password", "")
    if not email:
        errors.add("email", "Enter your e-mail address")
    if not password:
        errors.add("password", "Enter your password")
    next_path = safe_next(values.get("next"))
    if not errors and any(limiter.blocked(key) for key in keys):
        errors.add("email", TOO_MANY)
        return render(
            request,
            "sign_in",
            {"next": next_path, "errors": errors, "email": email},
            user=None,
            status=429,
        )
    if not errors:
        with Session(request.app.state.engine) as session:
            user = authenticate(session=session, email=email, password=password)
            if user is not None:
                audit.record(session, "sign-in", actor_user_id=user.id)
                session.commit()
                response = see_other(next_path)
                response.set_cookie(
                    SESSION_COOKIE,
                    session_cookie_value(secret_of(request), user),
                    max_age=SESSION_MAX_AGE_SECONDS,
                    httponly=True,
                    samesite="lax",
                    secure=not settings.is_development,
                )
                return response
        for key in keys:
            limiter.record(key)
        errors.add("email", "The e-mail address or password is not right")
    return render(
        request,
        "sign_in",
        {"next": next_path, "errors": errors, "email": email},
        user=None,
        status=400,
    )


@router.post("/sign-out")
async def sign_out(request: Request, user: UserDep) -> Response:
    await read_form(request, user)
    response = see_other("/sign-in")
    response.delete_cookie(SESSION_COOKIE)
    return response
