"""A signed-in person's own account: who they are, and changing their password."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.service import AccountError, new_password_hash, set_password
from app.core import audit
from app.core.security.session_cookie import SESSION_COOKIE, token_of
from app.deps import CsrfForm, CurrentUser, SettingsDep, UnitOfWorkDep, UnitOfWorkRoute
from app.models import PasswordChange
from app.web.pages import Errors, render, see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

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
    """The password checks run before the write transaction starts, as sign-in's do."""
    errors = Errors()
    details = form.validated(PasswordChange, errors)
    if details is None:
        return _account_page(request, user, errors=errors, status=400)
    try:
        password_hash = new_password_hash(
            user=user, current=details.current_password, new=details.new_password
        )
    except AccountError as error:
        errors.add(error.field, str(error))
        return _account_page(request, user, errors=errors, status=400)
    set_password(
        session=work.write(),
        user=user,
        password_hash=password_hash,
        keep_session=token_of(settings.secret, request.cookies.get(SESSION_COOKIE)),
    )
    audit.record(work.session, "password-changed", actor_user_id=user.id)
    return see_other("/account?changed=true")
