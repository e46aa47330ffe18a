"""A signed-in person's own account: who they are, where they are signed in, and changing their
password."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.service import (
    AccountError,
    end_other_sessions,
    new_password_hash,
    set_password,
    signed_in_browsers,
)
from app.core import audit
from app.core.config import Settings
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
from app.models import PasswordChange
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
