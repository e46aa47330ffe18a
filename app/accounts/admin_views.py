"""Administrators: users, their memberships of places, and the audit log."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.accounts.service import AccountError, create_user
from app.core import audit
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.deps import Administrator, CsrfForm, SessionDep, WriteSession
from app.enums import MembershipRole
from app.models import AuditEvent, Place, PlaceMembership, User, UserCreate
from app.web.pages import Errors, Form, render, see_other

router = APIRouter(prefix="/admin", include_in_schema=False)
AUDIT_PAGE = 200


class MembershipChange(BaseModel):
    user_id: int = Field(ge=1, le=MAX_ID, title="a user")
    place_id: int = Field(ge=1, le=MAX_ID, title="a place")
    role: MembershipRole | Literal["remove"] = Field(title="a role, or remove the membership")


def _users_page(
    request: Request,
    session: Session,
    admin: User,
    errors: Errors | None = None,
    form: Form | None = None,
) -> Response:
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
        "errors": errors or Errors(),
        "form": {k: v for k, v in form.values.items() if k != "password"} if form else {},
    }
    return render(request, "users", context, user=admin, status=400 if errors else 200)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: Administrator, session: SessionDep) -> Response:
    return _users_page(request, session, user)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request, form: CsrfForm, session: WriteSession, user: Administrator
) -> Response:
    errors = Errors()
    details = form.validated(
        UserCreate, errors, extra={"is_administrator": form.get("administrator") == "yes"}
    )
    if details is not None:
        try:
            created = create_user(session=session, details=details)
        except AccountError as error:
            errors.add(error.field, str(error))
        else:
            audit.record(session, "user-created", actor_user_id=user.id, email=created.email)
            session.commit()
            return see_other("/admin/users")
    return _users_page(request, session, user, errors, form)


@router.post("/memberships", response_class=HTMLResponse)
def set_membership(
    request: Request, form: CsrfForm, session: WriteSession, user: Administrator
) -> Response:
    errors = Errors()
    change = form.validated(MembershipChange, errors)
    member = session.get(User, change.user_id) if change else None
    place = session.get(Place, change.place_id) if change else None
    if change is not None and member is None:
        errors.add("user_id", "Choose a user")
    if change is not None and place is None:
        errors.add("place_id", "Choose a place")
    if change is None or member is None or place is None:
        return _users_page(request, session, user, errors)
    existing = session.get(PlaceMembership, (member.id, place.id))
    if change.role == "remove":
        if existing is None:
            raise ShownError(404, f"{member.display_name} is not a member of {place.name}.")
        session.delete(existing)
    else:
        membership = existing or PlaceMembership(user_id=member.id or 0, place_id=place.id or 0)
        membership.role = change.role
        session.add(membership)
    role = change.role if change.role == "remove" else change.role.value
    audit.record(
        session,
        "membership-changed",
        actor_user_id=user.id,
        place_id=place.id,
        user=member.email,
        role=role,
    )
    session.commit()
    return see_other("/admin/users")


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def set_active(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    form: CsrfForm,
    session: WriteSession,
    user: Administrator,
) -> Response:
    active = form.get("active") == "yes"
    member = session.get(User, user_id)
    if member is None:
        raise ShownError(404, "There is no such user.")
    if member.id == user.id and not active:
        raise ShownError(409, "You cannot deactivate your own account.")
    member.is_active = active
    session.add(member)
    audit.record(
        session,
        "user-activated" if active else "user-deactivated",
        actor_user_id=user.id,
        user=member.email,
    )
    session.commit()
    return see_other("/admin/users")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, user: Administrator, session: SessionDep) -> Response:
    events = session.exec(
        select(AuditEvent, User)
        .join(User, col(AuditEvent.actor_user_id) == col(User.id), isouter=True)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        .limit(AUDIT_PAGE)
    ).all()
    places = {p.id: p.name for p in session.exec(select(Place)).all()}
    context = {"events": events, "places": places, "limit": AUDIT_PAGE}
    return render(request, "audit", context, user=user)
