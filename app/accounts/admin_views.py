"""Administrators: users, their memberships of places, and the audit log."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import col, select

from app.accounts.service import AccountError, create_user, set_active_account, set_place_role
from app.core.exceptions import ChangeRefusedError, ShownError
from app.core.fields import RowId
from app.deps import AdminChange, AdminPage, RecordId, UnitOfWorkRoute
from app.enums import MembershipRole
from app.models import AuditEvent, Place, PlaceMembership, User, UserCreate
from app.web.pages import Errors, Visit

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)
AUDIT_PAGE = 200


class MembershipChange(BaseModel):
    user_id: RowId = Field(title="a user")
    place_id: RowId = Field(title="a place")
    role: MembershipRole | Literal["remove"] = Field(title="a role, or remove the membership")


def _users_page(visit: Visit[None], errors: Errors | None = None) -> Response:
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
    }
    return visit.page("users", context, errors=errors)


@router.get("/users", response_class=HTMLResponse)
def users_page(visit: AdminPage) -> Response:
    return _users_page(visit)


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
        },
    )
    if details is not None:
        try:
            created = create_user(session=change.session, details=details)
        except AccountError as error:
            errors.add(error.field, str(error))
        else:
            change.record("user-created", email=created.email)
            return change.done("/admin/users")
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
    return change.done("/admin/users")


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def set_active(user_id: RecordId, change: AdminChange) -> Response:
    active = change.form.get("active") == "yes"
    member = change.session.get(User, user_id)
    if member is None:
        raise ShownError(404, "There is no such user.")
    if member.id == change.user.id and not active:
        raise ShownError(409, "You cannot deactivate your own account.")
    set_active_account(session=change.session, member=member, active=active)
    change.record("user-activated" if active else "user-deactivated", user=member.email)
    return change.done("/admin/users")


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
    context = {"events": events, "places": places, "limit": AUDIT_PAGE}
    return visit.page("audit", context)
