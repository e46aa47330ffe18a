"""A signed-in person's own account: who they are, and changing their password."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.service import AccountError, new_password_hash, set_password
from app.core import audit
from app.core.security.ratelimit import (
    PASSWORD_CHECKS_PER_ACCOUNT,
    release,
    settle,
    take_places,
)
from app.core.security.session_cookie import SESSION_COOKIE, token_of
from app.deps import CsrfForm, CurrentUser, SettingsDep, UnitOfWorkDep, UnitOfWorkRoute
from app.models import PasswordChange
from app.web.pages import Errors, render, see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

TOO_MANY_CHECKS = (
    "Your current password was entered wrongly too many times. Wait 15 minutes and try again, "
    "or sign out and ask an administrator to set a new password for you."
)
CHANGED = (
    "Your password has been changed. Any other browser you were signed in on is now signed out."
)


def _account_page(
    request: Request,
    user: CurrentUser,
    *,
    errors: Errors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = {"account": user, "errors": errors or Errors(), "notice": notice}
    return render(request, "account", context, user=user, status=status)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: CurrentUser, changed: bool = False) -> Response:
    return _account_page(request, user, notice=CHANGED if changed else None)


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
    details = form.validated(PasswordChange, errors)
    if details is None:
        return _account_page(request, user, errors=errors, status=400)
    places = take_places(work, [(PASSWORD_CHECKS_PER_ACCOUNT, str(user.id))])
    if places is None:
        errors.add("current_password", TOO_MANY_CHECKS)
        return _account_page(request, user, errors=errors, status=429)
    try:
        password_hash = new_password_hash(
            user=user, current=details.current_password, new=details.new_password
        )
    except AccountError as error:
        wrong_current = error.field == "current_password"
        (settle if wrong_current else release)(work.write(), places)
        errors.add(error.field, str(error))
        return _account_page(request, user, errors=errors, status=400)
    release(work.write(), places)
    set_password(
        session=work.session,
        user=user,
        password_hash=password_hash,
        keep_session=token_of(settings.secret, request.cookies.get(SESSION_COOKIE)),
    )
    audit.record(work.session, "password-changed", actor_user_id=user.id)
    return see_other("/account?changed=true")
