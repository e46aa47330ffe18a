"""A place's people: who has access, and inviting someone by e-mail with a role (facilitators
of the place and administrators)."""

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import PlaceAccess
from app.accounts.joining import (
    JoinState,
    invite_to_place,
    join_token,
    join_url,
    join_wording,
    mark_join_emailed,
    open_invitations,
    state_of,
    withdraw_invitation,
)
from app.core.exceptions import ChangeRefusedError, ShownError
from app.core.security.tokens import new_token
from app.deps import FacilitatorPlacePage, PlaceChange, RecordId, UnitOfWorkRoute
from app.enums import MembershipRole
from app.invitations.mail import deliver, mail_configured, plain_message
from app.models import AccountInvitation, AccountInvitationBase, Place, utcnow
from app.places.service import members_of
from app.rounds.page import public_base
from app.web.pages import Errors, OneTimeForm, Visit

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

DONE = {
    "invited": "The invitation was made. Copy its link below and send it to them yourself.",
    "emailed": "The invitation was e-mailed to them.",
    "not-emailed": (
        "The invitation was made but the e-mail could not be sent. Copy its link below and "
        "send it to them yourself."
    ),
    "withdrawn": "The invitation was withdrawn: its link no longer works.",
}
"""The banner after each change, by the name the address gives; any other name shows nothing."""


def invitation_links(
    visit: Visit[Any], place: Place | None
) -> list[tuple[AccountInvitation, JoinState, str]]:
    """The invitations waiting to ``place`` (None: to read the network), each with its state
    and its link, to copy."""
    settings, now = visit.settings, utcnow()
    base = public_base(visit.request, settings)
    return [
        (
            invitation,
            state_of(invitation, now),
            join_url(base, join_token(settings.secret, invitation.link_nonce)),
        )
        for invitation in open_invitations(visit.session, place)
    ]


def _people_page(
    visit: Visit[PlaceAccess], errors: Errors | None = None, done: str = ""
) -> Response:
    place, session, settings = visit.access.place, visit.session, visit.settings
    context = {
        "place": place,
        "members": members_of(session, place),
        "invitations": invitation_links(visit, place),
        "waiting": JoinState.WAITING,
        "roles": list(MembershipRole),
        "form_key": new_token(),
        "sends_mail": mail_configured(settings),
        "sign_in_choices": settings.sign_in_providers,
        "notice": DONE.get(done),
    }
    return visit.page("people", context, errors=errors)


@router.get("/places/{slug}/people", response_class=HTMLResponse)
def people_page(visit: FacilitatorPlacePage, done: str | None = None) -> Response:
    return _people_page(visit, done=done or "")


@router.post("/places/{slug}/people", response_class=HTMLResponse)
def invite_person(change: PlaceChange) -> Response:
    """Make the invitation and commit it, then (where mail is set up) e-mail its link, with
    the write lock let go while the mail server answers. The same form sent again finds its
    invitation made and sends nothing more."""
    place, errors = change.access.place, Errors()
    key = change.form.validated(OneTimeForm, errors)
    details = change.form.validated(AccountInvitationBase, errors)
    if key is None:
        raise ShownError(400, "This form has expired. Start again from the People page.")
    if details is None:
        return _people_page(change, errors)
    try:
        became = invite_once(change, place, details, key.form_key)
    except ChangeRefusedError as refused:
        errors.add(refused.field or "email", str(refused))
        return _people_page(change, errors)
    people = f"/places/{place.slug}/people"
    if became == "again":
        return change.done(people)
    return change.done(f"{people}?done={became}")


Invited = Literal["again", "invited", "emailed", "not-emailed"]


def invite_once(
    change: Visit[Any], place: Place | None, details: AccountInvitationBase, form_key: str
) -> Invited:
    """Make the invitation once per form, record it and e-mail it where mail is set up: what
    became of it ("again" when this form made it already)."""
    invitation, new = invite_to_place(
        session=change.session,
        secret=change.settings.secret,
        place=place,
        details=details,
        invited_by=change.user,
        form_key=form_key,
    )
    if not new:
        return "again"
    role = invitation.role.value if place else "network reader"
    change.record(
        "account-invited", place_id=place.id if place else None, email=invitation.email, role=role
    )
    sent = email_invitation(change, invitation, place)
    return "invited" if sent is None else "emailed" if sent else "not-emailed"


def email_invitation(
    change: Visit[Any], invitation: AccountInvitation, place: Place | None
) -> bool | None:
    """Send the invitation's e-mail once it is committed (the write lock let go while the
    mail server answers): None where no mail server is set up, else whether it was sent."""
    settings = change.settings
    if not mail_configured(settings):
        return None
    link = join_url(
        public_base(change.request, settings), join_token(settings.secret, invitation.link_nonce)
    )
    wording = join_wording(invitation, place, change.user.display_name, link)
    message = plain_message(settings, invitation.email, wording)
    invitation_id = invitation.id or 0
    change.work.finish()
    outcome = deliver(settings, [(invitation_id, invitation.email, message)])
    if not outcome.sent:
        change.record("account-invitation-not-emailed", failures=outcome.failures)
        return False
    mark_join_emailed(change.work.write(), invitation_id)
    return True


@router.post(
    "/places/{slug}/people/invitations/{invitation_id}/withdraw", response_class=HTMLResponse
)
def withdraw(invitation_id: RecordId, change: PlaceChange) -> Response:
    """A second click (or a reload) of the same withdrawal lands on the page as it is."""
    place = change.access.place
    invitation = change.session.get(AccountInvitation, invitation_id)
    if invitation is None or invitation.place_id != place.id:
        raise ShownError(404, "There is no such invitation to this place.")
    people = f"/places/{place.slug}/people"
    if not withdraw_invitation(session=change.session, invitation=invitation):
        return change.done(people)
    change.record("account-invitation-withdrawn", email=invitation.email)
    return change.done(f"{people}?done=withdrawn")
