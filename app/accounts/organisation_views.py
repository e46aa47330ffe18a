"""Signing in with the organisation's own account: the button sends the browser to the
provider, and the provider sends it back to the callback, which signs in the person whose
issuer and subject are bound to an account, or (through their invitation) binds them first."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import select

from app.accounts.join_views import landing, place_id_of, still_waiting, waiting_invitation
from app.accounts.joining import accept, is_for
from app.accounts.organisation_sign_in import (
    STARTED_ELSEWHERE,
    Flow,
    Identity,
    SignInRefusedError,
    account_of,
    allowed_domain,
    begin,
    bind,
    finish,
)
from app.accounts.views import safe_next, signed_in_response
from app.core import audit
from app.core.config import Settings, SignInProvider
from app.core.exceptions import ShownError
from app.deps import ClientAddress, CsrfForm, SettingsDep, UnitOfWorkDep, UnitOfWorkRoute
from app.models import Place, User
from app.rounds.page import public_base
from app.web.pages import see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

FLOW_COOKIE = "placecheck_sign_in_flow"
FLOW_SECONDS = 600
"""How long a sign-in at the provider may take before its return is refused."""
ANSWER_FIELDS = ("state", "code", "error", "error_description")
ProviderKey = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]


def _flows(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret, salt="placecheck-sign-in-flow")


def _provider(settings: Settings, key: str) -> SignInProvider:
    found = next((p for p in settings.sign_in_providers if p.key == key), None)
    if found is None:
        raise ShownError(404, "There is no such way to sign in. Go back to the sign-in page.")
    return found


def _callback(request: Request, settings: Settings) -> str:
    return public_base(request, settings).rstrip("/") + "/sign-in/callback"


def _refused(message: str) -> ShownError:
    return ShownError(403, message, title="You are not signed in")


@router.post("/sign-in/with/{key}", response_class=HTMLResponse)
def start(
    key: ProviderKey,
    request: Request,
    form: CsrfForm,
    work: UnitOfWorkDep,
    settings: SettingsDep,
    client: ClientAddress,
) -> Response:
    """Off to the provider, with this sign-in's state, nonce and PKCE verifier kept in a
    signed cookie (and the invitation being accepted, if any) until the browser comes back.
    An invitation that no longer works is refused now, not after the provider's pages."""
    provider = _provider(settings, key)
    invitation = form.get("invitation")[:128] or None
    if invitation is not None:
        waiting_invitation(work, invitation, client)
    next_path = safe_next(form.get("next"))
    try:
        url, flow = begin(provider, _callback(request, settings))
    except SignInRefusedError as refused:
        raise ShownError(502, str(refused)) from refused
    response = see_other(url)
    response.set_cookie(
        FLOW_COOKIE,
        _flows(settings).dumps(
            [flow.provider, flow.state, flow.nonce, flow.verifier, invitation, next_path]
        ),
        max_age=FLOW_SECONDS,
        httponly=True,
        samesite="lax",
        secure=not settings.is_development,
    )
    return response


def _flow_of(request: Request, settings: Settings) -> tuple[Flow, str | None, str]:
    try:
        provider, state, nonce, verifier, invitation, next_path = _flows(settings).loads(
            request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_SECONDS
        )
    except (BadSignature, ValueError, TypeError) as error:
        raise _refused(STARTED_ELSEWHERE) from error
    return Flow(provider, state, nonce, verifier), invitation, safe_next(next_path)


@router.get("/sign-in/callback", response_class=HTMLResponse)
def callback(
    request: Request, work: UnitOfWorkDep, settings: SettingsDep, client: ClientAddress
) -> Response:
    flow, invitation_token, next_path = _flow_of(request, settings)
    provider = _provider(settings, flow.provider)
    answer = {
        name: request.query_params[name][:2000]
        for name in ANSWER_FIELDS
        if name in request.query_params
    }
    try:
        identity = finish(provider, _callback(request, settings), flow, answer)
    except SignInRefusedError as refused:
        raise _refused(str(refused)) from refused
    if not allowed_domain(provider, identity.email):
        raise _refused(
            f"{identity.email or 'Your account'} is not an address that may sign in to "
            "Placecheck this way. Sign in with the account your organisation gave you for "
            "work, or ask your Placecheck administrator."
        )
    if invitation_token is not None:
        user, next_path = _joined(work, provider, identity, invitation_token, client)
    else:
        found = account_of(work.session, identity)
        if found is None:
            raise _refused(
                "You do not have a Placecheck account yet. Ask a facilitator of your place to "
                "invite you, then follow the link in the invitation."
            )
        user = found
    if not user.is_active:
        raise _refused("Your Placecheck account is switched off. Ask an administrator.")
    response = signed_in_response(
        request, work, settings, user, next_path, through=f"organisation account ({provider.key})"
    )
    response.delete_cookie(FLOW_COOKIE)
    return response


def _joined(
    work: UnitOfWorkDep, provider: SignInProvider, identity: Identity, token: str, client: str
) -> tuple[User, str]:
    """Accept the invitation as the person the provider signed in: it must be for their
    address; their account is the one bound to them, or the one for that address, or a new
    one with no password. Checked again under the write lock and the invitation's own lock."""
    invitation = still_waiting(work, token, client)
    session = work.session
    if not is_for(invitation, identity.email or ""):
        raise _refused(
            f"This invitation was sent to {invitation.email}, but your organisation's account "
            f"is {identity.email}. Sign in with the account for the address it was sent to, or "
            "ask whoever invited you to invite the address you use."
        )
    place = session.get(Place, invitation.place_id) if invitation.place_id else None
    user = account_of(session, identity)
    if user is not None and user.email != invitation.email:
        raise _refused(
            "Your organisation's account is already used by another Placecheck account. Ask "
            "your Placecheck administrator."
        )
    if user is None:
        user = session.exec(select(User).where(User.email == invitation.email)).first()
        if user is None:
            user = User(
                email=invitation.email,
                display_name=identity.name or invitation.display_name,
                password_hash="",  # signs in only through the organisation
            )
            session.add(user)
            session.flush()
        bind(session, user, provider, identity)
    accept(session=session, invitation=invitation, user=user)
    audit.record(session, "account-joined", actor_user_id=user.id, place_id=place_id_of(place))
    return user, landing(place)
