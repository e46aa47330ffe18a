"""Signing in and out. Failed attempts are limited per account and, more loosely, per address."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from app.accounts.service import (
    authenticate,
    browser_of,
    end_session,
    normalise_email,
    start_session,
)
from app.core import audit
from app.core.fields import Secret
from app.core.security.ratelimit import (
    SIGN_IN_PER_ACCOUNT,
    SIGN_IN_PER_ADDRESS,
    release,
    settle,
    take_places,
)
from app.core.security.session_cookie import SESSION_COOKIE, SESSION_MAX_AGE_SECONDS
from app.deps import (
    ClientAddress,
    CsrfForm,
    CurrentUser,
    OptionalUser,
    SettingsDep,
    UnitOfWorkDep,
    UnitOfWorkRoute,
    WriteSession,
)
from app.web.pages import Errors, render, see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

TOO_MANY = (
    "Too many failed attempts to sign in. Wait 15 minutes and try again, or ask an "
    "administrator to check your account."
)


class SignIn(BaseModel):
    email: str = Field(min_length=1, max_length=320, title="your e-mail address")
    password: Secret = Field(min_length=1, max_length=1000, title="your password")


def safe_next(path: str | None) -> str:
    """Only paths on this site: never an open redirect to somewhere else."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/places"


def _sign_in_page(
    request: Request,
    next_path: str,
    errors: Errors | None = None,
    email: str = "",
    status: int = 200,
) -> Response:
    context = {"next": next_path, "errors": errors or Errors(), "email": email}
    return render(request, "sign_in", context, user=None, status=status)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, user: OptionalUser, next: str = "/places") -> Response:
    if user is not None:
        return see_other(safe_next(next))
    return _sign_in_page(request, safe_next(next))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    form: CsrfForm,
    work: UnitOfWorkDep,
    settings: SettingsDep,
    client: ClientAddress,
) -> Response:
    """The attempt takes its place in the count of failures first, under the write lock; the
    password check (Argon2, deliberately slow) then runs with no lock held, so sign-ins never
    hold the lock that respondents' saves wait for, and a burst of guesses sent at once is
    counted guess by guess. A right password gives its place back."""
    session = work.session
    next_path = safe_next(form.get("next"))
    errors = Errors()
    details = form.validated(SignIn, errors)
    email = form.get("email")
    if details is None:
        return _sign_in_page(request, next_path, errors, email, status=400)
    places = take_places(
        work,
        [(SIGN_IN_PER_ACCOUNT, normalise_email(details.email)), (SIGN_IN_PER_ADDRESS, client)],
    )
    if places is None:
        errors.add("email", TOO_MANY)
        return _sign_in_page(request, next_path, errors, email, status=429)
    user = authenticate(session=session, email=details.email, password=details.password)
    if user is None:
        settle(work.write(), places)
        errors.add("email", "The e-mail address or password is not right")
        return _sign_in_page(request, next_path, errors, email, status=400)
    release(work.write(), places)
    audit.record(session, "sign-in", actor_user_id=user.id)
    cookie = start_session(
        session=session,
        secret=settings.secret,
        user=user,
        browser=browser_of(request.headers.get("user-agent", "")),
    )
    response = see_other(next_path)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=not settings.is_development,
    )
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    """Ends the session on the server, so a copy of the cookie is worth nothing afterwards."""
    del form  # a signed-in user's own form, checked for its CSRF token
    end_session(session=session, secret=settings.secret, value=request.cookies.get(SESSION_COOKIE))
    audit.record(session, "sign-out", actor_user_id=user.id)
    response = see_other("/sign-in")
    response.delete_cookie(SESSION_COOKIE)
    return response
