"""A signed-in person's own account: who they are, where they are signed in, their password, and
a code from an authenticator app as a second step of signing in."""

from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.accounts.service import (
    AccountError,
    end_other_sessions,
    new_password_hash,
    set_password,
    signed_in_browsers,
)
from app.accounts.two_factor import (
    app_link,
    confirm_setup,
    grouped,
    is_two_factor_on,
    qr_code_svg,
    recovery_codes_left,
    setup_of,
    start_setup,
    turn_off,
)
from app.core import audit
from app.core.config import Settings
from app.core.exceptions import ChangeRefusedError
from app.core.security.ratelimit import (
    PASSWORD_CHECKS_PER_ACCOUNT,
    release,
    settle,
    take_places,
)
from app.core.security.session_cookie import SESSION_COOKIE, token_of
from app.core.security.tokens import hash_token
from app.deps import (
    CsrfForm,
    CurrentUser,
    SessionDep,
    SettingsDep,
    UnitOfWorkDep,
    UnitOfWorkRoute,
)
from app.models import CodeEntry, PasswordChange, User
from app.web.pages import Errors, render, see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

TOO_MANY_CHECKS = (
    "Your current password was entered wrongly too many times. Wait 15 minutes and try again, "
    "or sign out and ask an administrator to set a new password for you."
)
DONE = {
    "password-changed": (
        "Your password has been changed. Any other browser you were signed in on is now signed out."
    ),
    "signed-out-elsewhere": "You are now signed out on every other browser.",
    "two-factor-on": "Signing in now asks for a code from your authenticator app as well.",
    "two-factor-off": "Signing in no longer asks for a code from an authenticator app.",
}
"""The banner after each change, by the name the address gives; any other name shows nothing."""


def _account_page(
    request: Request,
    user: CurrentUser,
    session: Session,
    settings: Settings,
    *,
    errors: Errors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    token = token_of(settings.secret, request.cookies.get(SESSION_COOKIE))
    context = {
        "account": user,
        "two_factor": is_two_factor_on(session, user),
        "browsers": signed_in_browsers(session, user),
        "this_browser": hash_token(token) if token else None,
        "errors": errors or Errors(),
        "notice": notice,
    }
    return render(request, "account", context, user=user, status=status)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    done: str | None = None,
) -> Response:
    return _account_page(request, user, session, settings, notice=DONE.get(done or ""))


@router.post("/account/password", response_class=HTMLResponse)
def change_own_password(
    request: Request,
    form: CsrfForm,
    work: UnitOfWorkDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    """Each try takes its place in a count of wrong current passwords before the (slow) check,
    as sign-in's do, so a stolen cookie cannot be used to guess the password behind it, one
    try at a time or many at once. A right current password gives its place back."""
    errors = Errors()

    def again(status: int) -> Response:
        return _account_page(request, user, work.session, settings, errors=errors, status=status)

    details = form.validated(PasswordChange, errors)
    if details is None:
        return again(400)
    places = take_places(work, [(PASSWORD_CHECKS_PER_ACCOUNT, str(user.id))])
    if places is None:
        errors.add("current_password", TOO_MANY_CHECKS)
        return again(429)
    try:
        password_hash = new_password_hash(
            user=user, current=details.current_password, new=details.new_password
        )
    except AccountError as error:
        wrong_current = error.field == "current_password"
        (settle if wrong_current else release)(work.write(), places)
        errors.add(error.field, str(error))
        return again(400)
    release(work.write(), places)
    set_password(
        session=work.session,
        user=user,
        password_hash=password_hash,
        keep_session=token_of(settings.secret, request.cookies.get(SESSION_COOKIE)),
    )
    audit.record(work.session, "password-changed", actor_user_id=user.id)
    return see_other("/account?done=password-changed")


@router.post("/account/sign-out-elsewhere", response_class=HTMLResponse)
def sign_out_elsewhere(
    request: Request,
    form: CsrfForm,
    work: UnitOfWorkDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    """A browser left signed in on a shared or lost computer is ended from this one. Sent
    twice, the second finds nothing more to end and records nothing."""
    del form  # checked for its CSRF token; it carries nothing else
    ended = end_other_sessions(
        session=work.write(),
        user=user,
        keep_session=token_of(settings.secret, request.cookies.get(SESSION_COOKIE)),
    )
    if ended:
        audit.record(work.session, "signed-out-elsewhere", actor_user_id=user.id, browsers=ended)
    return see_other("/account?done=signed-out-elsewhere")


def _two_factor_page(
    request: Request,
    user: User,
    session: Session,
    *,
    errors: Errors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    setup = setup_of(session, user)
    pending = setup if setup is not None and setup.confirmed_at is None else None
    link = app_link(pending, user) if pending else None
    context = {
        "account": user,
        "setup": setup,
        "pending": pending,
        "qr_code": Markup(qr_code_svg(link)) if link else None,
        "secret": grouped(pending.secret) if pending else None,
        "recovery_codes": (pending.pending_codes or "").split() if pending else [],
        "codes_left": recovery_codes_left(session, user),
        "errors": errors or Errors(),
        "notice": notice,
    }
    return render(request, "two_factor", context, user=user, status=status)


@router.get("/account/two-factor", response_class=HTMLResponse)
def two_factor_page(
    request: Request, user: CurrentUser, session: SessionDep, done: str | None = None
) -> Response:
    return _two_factor_page(request, user, session, notice=DONE.get(done or ""))


@router.post("/account/two-factor/start", response_class=HTMLResponse)
def start_two_factor(form: CsrfForm, work: UnitOfWorkDep, user: CurrentUser) -> Response:
    del form  # checked for its CSRF token; it carries nothing else
    with suppress(ChangeRefusedError):  # already on (sent twice): nothing to start
        start_setup(work.write(), user)
    return see_other("/account/two-factor")


@router.post("/account/two-factor/confirm", response_class=HTMLResponse)
def confirm_two_factor(
    request: Request, form: CsrfForm, work: UnitOfWorkDep, user: CurrentUser
) -> Response:
    errors = Errors()
    entry = form.validated(CodeEntry, errors)
    if entry is not None:
        try:
            confirm_setup(work.write(), user, entry.code)
        except ChangeRefusedError as refused:
            errors.add("code", str(refused))
    if errors:
        return _two_factor_page(request, user, work.session, errors=errors, status=400)
    audit.record(work.session, "two-factor-on", actor_user_id=user.id)
    return see_other("/account/two-factor?done=two-factor-on")


@router.post("/account/two-factor/off", response_class=HTMLResponse)
def turn_two_factor_off(
    request: Request, form: CsrfForm, work: UnitOfWorkDep, user: CurrentUser
) -> Response:
    """Only with a code, counted as a wrong current password is: a stolen cookie can neither
    take the second step off nor guess its way to a code."""
    errors = Errors()
    entry = form.validated(CodeEntry, errors)
    if entry is None:
        return _two_factor_page(request, user, work.session, errors=errors, status=400)
    places = take_places(work, [(PASSWORD_CHECKS_PER_ACCOUNT, str(user.id))])
    if places is None:
        errors.add("code", TOO_MANY_CHECKS)
        return _two_factor_page(request, user, work.session, errors=errors, status=429)
    try:
        turn_off(work.write(), user, entry.code)
    except ChangeRefusedError as refused:
        settle(work.session, places)
        errors.add("code", str(refused))
        return _two_factor_page(request, user, work.session, errors=errors, status=400)
    release(work.session, places)
    audit.record(work.session, "two-factor-off", actor_user_id=user.id)
    return see_other("/account/two-factor?done=two-factor-off")
