"""Signing in and out. Failed attempts are limited per account and, more loosely, per address;
a code from an authenticator app, where the account has one, is the second step of the same
sign-in and counts against the same limits."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, Field

from app.accounts.service import (
    authenticate,
    browser_of,
    end_session,
    normalise_email,
    start_session,
)
from app.accounts.two_factor import WRONG_CODE, check_code, is_two_factor_on
from app.core import audit
from app.core.config import Settings
from app.core.fields import Secret
from app.core.security.ratelimit import (
    SIGN_IN_PER_ACCOUNT,
    SIGN_IN_PER_ADDRESS,
    release,
    settle,
    take_places,
)
from app.core.security.session_cookie import SESSION_COOKIE, SESSION_MAX_AGE_SECONDS
from app.core.security.tokens import hash_token
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
from app.models import CodeEntry, User
from app.web.pages import Errors, render, see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

TOO_MANY = (
    "Too many failed attempts to sign in. Wait 15 minutes and try again, or ask an "
    "administrator to check your account."
)


class SignIn(BaseModel):
    email: str = Field(min_length=1, max_length=320, title="your e-mail address")
    password: Secret = Field(min_length=1, max_length=1000, title="your password")


SECOND_STEP_COOKIE = "placecheck_second_step"
SECOND_STEP_SECONDS = 300
"""How long after the right password its code may be entered."""


def _second_step(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret, salt="placecheck-second-step")


def _password_mark(user: User) -> str:
    """Changes when the password does: a second step begun before a change is refused."""
    return hash_token(user.password_hash)[:16]


def _sign_in_places(work: UnitOfWorkDep, email: str, client: str) -> list[int] | None:
    """A place in the count of tries for this account and this address (a password or a
    code): None when either is full."""
    return take_places(
        work, [(SIGN_IN_PER_ACCOUNT, normalise_email(email)), (SIGN_IN_PER_ADDRESS, client)]
    )


def safe_next(path: str | None) -> str:
    """Only paths on this site: never an open redirect to somewhere else."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/places"


def _sign_in_page(
    request: Request,
    settings: Settings,
    next_path: str,
    errors: Errors | None = None,
    email: str = "",
    status: int = 200,
) -> Response:
    context = {
        "next": next_path,
        "errors": errors or Errors(),
        "email": email,
        "sign_in_choices": settings.sign_in_providers,
    }
    return render(request, "sign_in", context, user=None, status=status)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request, user: OptionalUser, settings: SettingsDep, next: str = "/places"
) -> Response:
    if user is not None:
        return see_other(safe_next(next))
    return _sign_in_page(request, settings, safe_next(next))


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
        return _sign_in_page(request, settings, next_path, errors, email, status=400)
    places = _sign_in_places(work, details.email, client)
    if places is None:
        errors.add("email", TOO_MANY)
        return _sign_in_page(request, settings, next_path, errors, email, status=429)
    user = authenticate(session=session, email=details.email, password=details.password)
    if user is None:
        settle(work.write(), places)
        errors.add("email", "The e-mail address or password is not right")
        return _sign_in_page(request, settings, next_path, errors, email, status=400)
    release(work.write(), places)
    if is_two_factor_on(session, user):
        response = see_other("/sign-in/code")
        response.set_cookie(
            SECOND_STEP_COOKIE,
            _second_step(settings).dumps([user.id, _password_mark(user), next_path]),
            max_age=SECOND_STEP_SECONDS,
            httponly=True,
            samesite="lax",
            secure=not settings.is_development,
        )
        return response
    return signed_in_response(request, work, settings, user, next_path)


def signed_in_response(
    request: Request,
    work: UnitOfWorkDep,
    settings: Settings,
    user: User,
    next_path: str,
    second_factor: str | None = None,
    through: str | None = None,
) -> Response:
    """Start the session: the password (and the code, where the account has one) was right,
    or the person's organisation signed them in (``through``)."""
    session = work.session
    how: dict[str, Any] = {"second_factor": second_factor, "through": through}
    audit.record(session, "sign-in", actor_user_id=user.id, **{k: v for k, v in how.items() if v})
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
    response.delete_cookie(SECOND_STEP_COOKIE)
    return response


def _waiting(request: Request, work: UnitOfWorkDep, settings: Settings) -> tuple[User, str] | None:
    """Who gave the right password in this browser, within the last five minutes, and where
    they were going; None if nobody did (or their password has changed since)."""
    try:
        user_id, mark, next_path = _second_step(settings).loads(
            request.cookies.get(SECOND_STEP_COOKIE, ""), max_age=SECOND_STEP_SECONDS
        )
    except (BadSignature, ValueError, TypeError):
        return None
    user = work.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or mark != _password_mark(user):
        return None
    return user, safe_next(next_path if isinstance(next_path, str) else None)


def _code_page(request: Request, errors: Errors | None = None, status: int = 200) -> Response:
    context = {"errors": errors or Errors()}
    return render(request, "sign_in_code", context, user=None, status=status)


@router.get("/sign-in/code", response_class=HTMLResponse)
def code_page(request: Request, work: UnitOfWorkDep, settings: SettingsDep) -> Response:
    if _waiting(request, work, settings) is None:
        return see_other("/sign-in")
    return _code_page(request)


@router.post("/sign-in/code", response_class=HTMLResponse)
def enter_code(
    request: Request,
    form: CsrfForm,
    work: UnitOfWorkDep,
    settings: SettingsDep,
    client: ClientAddress,
) -> Response:
    """A code takes its place in the same counts as a password does, before it is checked,
    so codes cannot be guessed faster than passwords; a right one gives it back."""
    waiting = _waiting(request, work, settings)
    if waiting is None:
        return see_other("/sign-in")
    user, next_path = waiting
    errors = Errors()
    entered = form.validated(CodeEntry, errors)
    if entered is None:
        return _code_page(request, errors, status=400)
    places = _sign_in_places(work, user.email, client)
    if places is None:
        errors.add("code", TOO_MANY)
        return _code_page(request, errors, status=429)
    how = check_code(work.write(), user, entered.code)
    if how is None:
        settle(work.session, places)
        errors.add("code", WRONG_CODE)
        return _code_page(request, errors, status=400)
    release(work.session, places)
    return signed_in_response(request, work, settings, user, next_path, second_factor=how)


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
