"""Administrators: users, their memberships of places, and the audit log."""

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import col, select

from app.accounts.joining import withdraw_invitation
from app.accounts.people_views import invitation_links, invite_once
from app.accounts.service import AccountError, create_user, set_active_account, set_place_role
from app.core.exceptions import ChangeRefusedError, ShownError
from app.core.fields import RowId
from app.core.security.tokens import new_token
from app.deps import AdminChange, AdminPage, RecordId, UnitOfWorkRoute
from app.enums import MembershipRole
from app.models import (
    AccountInvitation,
    AccountInvitationBase,
    AssessmentRound,
    AuditEvent,
    Organisation,
    Place,
    PlaceMembership,
    User,
    UserCreate,
)
from app.web.pages import Errors, Form, OneTimeForm, Visit

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)
AUDIT_PAGE = 200


class MembershipChange(BaseModel):
    user_id: RowId = Field(title="a user")
    place_id: RowId = Field(title="a place")
    role: MembershipRole | Literal["remove"] = Field(title="a role, or remove the membership")


USERS_DONE = {
    "user-added": "The user was added. Give them their temporary password in person or by phone.",
    "access-saved": "Their access to the place was saved.",
    "user-deactivated": "The account was deactivated and signed out everywhere.",
    "user-activated": "The account was reactivated.",
    "reader-invited": "The network reader was invited. Copy their link below if it was not "
    "e-mailed.",
    "reader-emailed": "The network reader's invitation was e-mailed to them.",
    "reader-not-emailed": "The invitation was made but the e-mail could not be sent. Copy its "
    "link below and send it to them yourself.",
    "reader-withdrawn": "The invitation was withdrawn: its link no longer works.",
}
"""The banner after each change on the users page, by the name its address gives; any other
name shows nothing, and nothing typed into the address is shown."""


def _users_page(
    visit: Visit[None], errors: Errors | None = None, done: str | None = None
) -> Response:
    session = visit.session
    users = session.exec(select(User).order_by(col(User.display_name))).all()
    places = session.exec(select(Place).order_by(col(Place.name))).all()
    memberships = session.exec(select(PlaceMembership)).all()
    place_names = {p.id: p.name for p in places}
    context = {
        "users": users,
        "places": places,
        "memberships": {
            u.id: [(place_names[m.place_id], m) for m in memberships if m.user_id == u.id]
            for u in users
        },
        "roles": list(MembershipRole),
        "notice": USERS_DONE.get(done or ""),
        "readers_invited": invitation_links(visit, None),
        "form_key": new_token(),
    }
    return visit.page("users", context, errors=errors)


@router.get("/users", response_class=HTMLResponse)
def users_page(visit: AdminPage, done: str | None = None) -> Response:
    return _users_page(visit, done=done)


@router.post("/users", response_class=HTMLResponse)
def add_user(change: AdminChange) -> Response:
    errors = Errors()
    rights = set(change.form.all("rights"))
    details = change.form.validated(
        UserCreate,
        errors,
        extra={
            "is_administrator": "administrator" in rights,
            "may_create_places": "places" in rights,
            "reads_network": "network" in rights,
            "edits_network": "network-editor" in rights,
        },
    )
    if details is not None:
        try:
            created = create_user(session=change.session, details=details, temporary_password=True)
        except AccountError as error:
            errors.add(error.field, str(error))
        else:
            change.record("user-created", email=created.email)
            return change.done("/admin/users?done=user-added")
    return _users_page(change, errors)


@router.post("/memberships", response_class=HTMLResponse)
def set_membership(change: AdminChange) -> Response:
    session, errors = change.session, Errors()
    wanted = change.form.validated(MembershipChange, errors)
    member = session.get(User, wanted.user_id) if wanted else None
    place = session.get(Place, wanted.place_id) if wanted else None
    if wanted is not None and member is None:
        errors.add("user_id", "Choose a user")
    if wanted is not None and place is None:
        errors.add("place_id", "Choose a place")
    if wanted is None or member is None or place is None:
        return _users_page(change, errors)
    try:
        set_place_role(
            session=session,
            member=member,
            place=place,
            role=None if wanted.role == "remove" else wanted.role,
        )
    except ChangeRefusedError as error:
        raise ShownError(404, str(error)) from error
    role = wanted.role if wanted.role == "remove" else wanted.role.value
    change.record("membership-changed", place_id=place.id, user=member.email, role=role)
    return change.done("/admin/users?done=access-saved")


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def set_active(user_id: RecordId, change: AdminChange) -> Response:
    active = change.form.get("active") == "yes"
    member = change.session.get(User, user_id)
    if member is None:
        raise ShownError(404, "There is no such user.")
    if member.id == change.user.id and not active:
        raise ShownError(409, "You cannot deactivate your own account.")
    set_active_account(session=change.session, member=member, active=active)
    action = "user-activated" if active else "user-deactivated"
    change.record(action, user=member.email)
    return change.done(f"/admin/users?done={action}")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(visit: AdminPage) -> Response:
    session = visit.session
    events = session.exec(
        select(AuditEvent, User)
        .join(User, col(AuditEvent.actor_user_id) == col(User.id), isouter=True)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        .limit(AUDIT_PAGE)
    ).all()
    places = {p.id: p.name for p in session.exec(select(Place)).all()}
    rounds = {r.id: r.title for r in session.exec(select(AssessmentRound)).all()}
    organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()}
    context = {
        "events": [
            (event, actor, _readable(event.detail, rounds, organisations))
            for event, actor in events
        ],
        "places": places,
        "rounds": rounds,
        "limit": AUDIT_PAGE,
    }
    return visit.page("audit", context)


def _readable(
    detail: dict[str, Any], rounds: dict[int | None, str], organisations: dict[int | None, str]
) -> list[str]:
    """An event's details as sentences a person reads: names for the rounds and partners it
    names by id, and a change as "before → after" (the log showed raw Python dicts)."""

    def value(item: Any) -> str:
        if item is None or item == "":
            return "none"
        if isinstance(item, bool):
            return "yes" if item else "no"
        if isinstance(item, list):
            return ", ".join(value(v) for v in item) or "none"
        if isinstance(item, dict):
            return "; ".join(f"{k.replace('_', ' ')} {value(v)}" for k, v in item.items())
        return str(item)

    lines = []
    for key, item in detail.items():
        if key == "changes" and isinstance(item, dict):
            lines += [
                f"{field.replace('_', ' ')}: {value(before)} → {value(after)}"
                for field, (before, after) in item.items()
            ]
        elif key in {"round_id", "copied_from"} and item in rounds:
            lines.append(f"{key.replace('_id', '').replace('_', ' ')}: {rounds[item]}")
        elif key in {"organisation_id", "organisation"} and item in organisations:
            lines.append(f"partner: {organisations[item]}")
        else:
            lines.append(f"{key.replace('_', ' ')}: {value(item)}")
    return lines


READER_FIELDS = {"reader_name": "display_name", "reader_email": "email"}
READER_FIELD_OF = {name: field for field, name in READER_FIELDS.items()}


@router.post("/network-readers", response_class=HTMLResponse)
def invite_network_reader(change: AdminChange) -> Response:
    """A network reader is invited as people are to a place, with no place: the same one-time
    link, e-mailed once where mail is set up."""
    errors = Errors()
    key = change.form.validated(OneTimeForm, errors)
    if key is None:
        raise ShownError(400, "This form has expired. Start again from the Users page.")
    # Its fields are named apart from the "Add a user" form's on the same page.
    as_invitation = Form({name: change.form.get(field) for field, name in READER_FIELDS.items()})
    found = Errors()
    details = as_invitation.validated(
        AccountInvitationBase, found, extra={"role": MembershipRole.VIEWER.value}
    )
    for name, message in found.by_field.items():
        errors.add(READER_FIELD_OF[name], message)
    if details is None:
        return _users_page(change, errors)
    try:
        became = invite_once(change, None, details, key.form_key)
    except ChangeRefusedError as refused:
        errors.add("reader_email", str(refused))
        return _users_page(change, errors)
    if became == "again":
        return change.done("/admin/users")
    return change.done(f"/admin/users?done=reader-{became}")


@router.post("/network-readers/{invitation_id}/withdraw", response_class=HTMLResponse)
def withdraw_network_reader(invitation_id: RecordId, change: AdminChange) -> Response:
    invitation = change.session.get(AccountInvitation, invitation_id)
    if invitation is None or invitation.place_id is not None:
        raise ShownError(404, "There is no such invitation to read the network.")
    if not withdraw_invitation(session=change.session, invitation=invitation):
        return change.done("/admin/users")
    change.record("network-reader-withdrawn", place_id=None, email=invitation.email)
    return change.done("/admin/users?done=reader-withdrawn")
