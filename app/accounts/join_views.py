"""Following an invitation link: choosing a password for a new account, or (signed in as the
person it was sent to) adding the place to the account they have. The link works once, until
it expires, and only for the address it was sent to."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from app.accounts.joining import JoinState, accept, invitation_by_token, is_for, state_of
from app.accounts.views import signed_in_response
from app.core import audit
from app.core.config import Settings
from app.core.db import lock_until_commit
from app.core.exceptions import ShownError
from app.core.security.passwords import hash_password
from app.core.security.ratelimit import BAD_LINKS_PER_ADDRESS, take_places
from app.deps import (
    TOO_MANY_BAD_LINKS,
    ClientAddress,
    CsrfForm,
    OptionalUser,
    SettingsDep,
    UnitOfWorkDep,
    UnitOfWorkRoute,
)
from app.models import AccountInvitation, JoinWithPassword, Place, User
from app.web.pages import Errors, render, see_other

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

JoinToken = Annotated[str, Path(min_length=1, max_length=128)]

NOT_A_LINK = (
    "This link is not right. Check that it was copied whole, or ask whoever invited you to "
    "send a new one."
)
SPENT = {
    JoinState.ACCEPTED: "This invitation has been used. Sign in to Placecheck instead.",
    JoinState.WITHDRAWN: "This invitation was withdrawn. Ask whoever invited you for a new one.",
    JoinState.EXPIRED: "This invitation has expired. Ask whoever invited you to send a new one.",
}
ANOTHER_ADDRESS = (
    "This invitation was sent to another e-mail address. Give the address it was sent to, or "
    "ask whoever invited you to invite the address you use."
)
HAS_ACCOUNT = (
    "There is already a Placecheck account for this address. Sign in to accept the invitation."
)


def waiting_invitation(
    work: UnitOfWorkDep, token: str, client: str
) -> tuple[AccountInvitation, Place | None]:
    """The invitation behind a link that still works, with its place; otherwise the refusal
    that says what to do. Links that name nothing are counted per address, as respondents'
    are, so links cannot be guessed at speed."""
    invitation = invitation_by_token(work.session, token)
    if invitation is None:
        if take_places(work, [(BAD_LINKS_PER_ADDRESS, client)], pending=False) is None:
            raise ShownError(429, TOO_MANY_BAD_LINKS)
        raise ShownError(404, NOT_A_LINK, title="Not found", keeps_changes=True)
    _refuse_spent(invitation)
    place = work.session.get(Place, invitation.place_id) if invitation.place_id else None
    return invitation, place


def _refuse_another(user: User | None, invitation: AccountInvitation) -> None:
    if user is not None and not is_for(invitation, user.email):
        raise ShownError(
            403,
            f"This invitation was sent to another e-mail address than yours ({user.email}). "
            "Sign out and follow the link again, or ask whoever invited you to invite the "
            "address you use.",
        )


def _join_page(
    request: Request,
    settings: Settings,
    work: UnitOfWorkDep,
    user: User | None,
    invitation: AccountInvitation,
    place: Place | None,
    token: str,
    errors: Errors | None = None,
    typed_email: str = "",
) -> Response:
    has_account = (
        user is None
        and work.session.exec(select(User.id).where(User.email == invitation.email)).first()
        is not None
    )
    context = {
        "invitation": invitation,
        "place": place,
        "token": token,
        "has_account": has_account,
        "errors": errors or Errors(),
        "typed_email": typed_email,
        "sign_in_choices": settings.sign_in_providers,
    }
    return render(request, "join", context, user=user, status=400 if errors else 200)


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(
    token: JoinToken,
    request: Request,
    work: UnitOfWorkDep,
    settings: SettingsDep,
    user: OptionalUser,
    client: ClientAddress,
) -> Response:
    invitation, place = waiting_invitation(work, token, client)
    _refuse_another(user, invitation)
    return _join_page(request, settings, work, user, invitation, place, token)


@router.post("/join/{token}", response_class=HTMLResponse)
def join(
    token: JoinToken,
    request: Request,
    form: CsrfForm,
    work: UnitOfWorkDep,
    settings: SettingsDep,
    user: OptionalUser,
    client: ClientAddress,
) -> Response:
    """Signed in as its addressee, accept; otherwise make the account with the password
    chosen here and sign its owner in. The password is hashed (slowly) before the write lock
    is taken; under it the link is checked again, so two tabs sending at once make one
    account and the second is told the link was used."""
    invitation, place = waiting_invitation(work, token, client)
    _refuse_another(user, invitation)
    if user is not None:
        accept(session=work.session, invitation=still_waiting(work, token, client), user=user)
        audit.record(
            work.session, "account-joined", actor_user_id=user.id, place_id=place_id_of(place)
        )
        return see_other(landing(place))
    errors = Errors()
    chosen = form.validated(JoinWithPassword, errors)
    if chosen is not None and not is_for(invitation, chosen.email):
        errors.add("email", ANOTHER_ADDRESS)
    if chosen is None or errors:
        return _join_page(
            request, settings, work, None, invitation, place, token, errors, form.get("email")
        )
    password_hash = hash_password(chosen.new_password)
    invitation = still_waiting(work, token, client)
    if work.session.exec(select(User.id).where(User.email == invitation.email)).first():
        errors.add("email", HAS_ACCOUNT)
        return _join_page(
            request, settings, work, None, invitation, place, token, errors, form.get("email")
        )
    person = User(
        email=invitation.email, display_name=invitation.display_name, password_hash=password_hash
    )
    work.session.add(person)
    work.session.flush()
    accept(session=work.session, invitation=invitation, user=person)
    audit.record(
        work.session, "account-joined", actor_user_id=person.id, place_id=place_id_of(place)
    )
    return signed_in_response(request, work, settings, person, landing(place))


def landing(place: Place | None) -> str:
    """Where someone who has just joined lands: their place, or the network."""
    return f"/places/{place.slug}?done=joined" if place else "/network"


def place_id_of(place: Place | None) -> int | None:
    return place.id if place else None


def still_waiting(work: UnitOfWorkDep, token: str, client: str) -> AccountInvitation:
    """The invitation read again under the write lock and its own lock: another tab may have
    used the link a moment ago, and then this one is told so."""
    session = work.write()
    invitation, _ = waiting_invitation(work, token, client)
    lock_until_commit(session, f"join-{invitation.id}")
    session.refresh(invitation)
    _refuse_spent(invitation)
    return invitation


def _refuse_spent(invitation: AccountInvitation) -> None:
    if (state := state_of(invitation)) is not JoinState.WAITING:
        raise ShownError(410, SPENT[state], title="This link no longer works")
