"""Administrators: users, their memberships of places, and the audit log."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.accounts.access import AdministratorDep
from app.accounts.service import AccountError, create_user
from app.core import audit
from app.models import AuditEvent, MembershipRole, Place, PlaceMembership, User
from app.web.pages import Errors, Form, read_form, render, see_other

router = APIRouter(prefix="/admin", include_in_schema=False)
AUDIT_PAGE = 200


def _users_context(session: Session, errors: Errors | None = None) -> dict[str, object]:
    users = session.exec(select(User).order_by(col(User.display_name))).all()
    places = session.exec(select(Place).order_by(col(Place.name))).all()
    memberships = session.exec(select(PlaceMembership)).all()
    place_names = {p.id: p.name for p in places}
    return {
        "users": users,
        "places": places,
        "memberships": {
            u.id: [(place_names[m.place_id], m) for m in memberships if m.user_id == u.id]
            for u in users
        },
        "roles": list(MembershipRole),
        "errors": errors or Errors(),
        "form": {},
    }


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: AdministratorDep) -> Response:
    with Session(request.app.state.engine) as session:
        return render(request, "users", _users_context(session), user=user)


@router.post("/users", response_class=HTMLResponse)
async def add_user(request: Request, user: AdministratorDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_add_user, request, user, form)


def _add_user(request: Request, admin: User, form: Form) -> Response:
    with Session(request.app.state.engine) as session:
        try:
            created = create_user(
                session=session,
                email=form.get("email"),
                display_name=form.get("display_name"),
                password=form.values.get("password", ""),
                administrator=form.get("administrator") == "yes",
            )
        except AccountError as error:
            errors = Errors()
            message = str(error)
            field = (
                "password"
                if "Password" in message
                else "display_name"
                if "name" in message and "e-mail" not in message
                else "email"
            )
            errors.add(field, message)
            context = _users_context(session, errors)
            context["form"] = {k: v for k, v in form.values.items() if k != "password"}
            return render(request, "users", context, user=admin, status=400)
        audit.record(session, "user-created", actor_user_id=admin.id, email=created.email)
        session.commit()
    return see_other("/admin/users")


@router.post("/memberships", response_class=HTMLResponse)
async def set_membership(request: Request, user: AdministratorDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_set_membership, request, user, form)


def _set_membership(request: Request, admin: User, form: Form) -> Response:
    with Session(request.app.state.engine) as session:
        member = session.get(User, form.id("user_id"))
        place = session.get(Place, form.id("place_id"))
        role = form.get("role")
        errors = Errors()
        if member is None:
            errors.add("user_id", "Choose a user")
        if place is None:
            errors.add("place_id", "Choose a place")
        if role not in {r.value for r in MembershipRole} | {"remove"}:
            errors.add("role", "Choose a role, or remove the membership")
        if errors or member is None or place is None:
            context = _users_context(session, errors)
            return render(request, "users", context, user=admin, status=400)
        existing = session.get(PlaceMembership, (member.id, place.id))
        if role == "remove":
            if existing is None:
                raise HTTPException(404, f"{member.display_name} is not a member of {place.name}.")
            session.delete(existing)
        else:
            membership = existing or PlaceMembership(user_id=member.id or 0, place_id=place.id or 0)
            membership.role = MembershipRole(role)
            session.add(membership)
        audit.record(
            session,
            "membership-changed",
            actor_user_id=admin.id,
            place_id=place.id,
            user=member.email,
            role=role,
        )
        session.commit()
    return see_other("/admin/users")


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
async def set_active(request: Request, user_id: int, user: AdministratorDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_set_active, request, user_id, user, form.get("active") == "yes")


def _set_active(request: Request, user_id: int, admin: User, active: bool) -> Response:
    with Session(request.app.state.engine) as session:
        member = session.get(User, user_id)
        if member is None:
            raise HTTPException(404, "There is no such user.")
        if member.id == admin.id and not active:
            raise HTTPException(409, "You cannot deactivate your own account.")
        member.is_active = active
        session.add(member)
        audit.record(
            session,
            "user-activated" if active else "user-deactivated",
            actor_user_id=admin.id,
            user=member.email,
        )
        session.commit()
    return see_other("/admin/users")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, user: AdministratorDep) -> Response:
    with Session(request.app.state.engine) as session:
        events = session.exec(
            select(AuditEvent, User)
            .join(User, col(AuditEvent.actor_user_id) == col(User.id), isouter=True)
            .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
            .limit(AUDIT_PAGE)
        ).all()
        places = {p.id: p.name for p in session.exec(select(Place)).all()}
        return render(
            request, "audit", {"events": events, "places": places, "limit": AUDIT_PAGE}, user=user
        )
