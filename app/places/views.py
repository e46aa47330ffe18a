"""Places and their partner organisations, and starting a round."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.accounts.access import UserDep, place_for
from app.core import audit
from app.core.config import Settings
from app.deps import SessionDep
from app.models import MembershipRole, Place, PlaceMembership, User
from app.places.service import (
    ChangeRefusedError,
    add_organisation,
    create_place,
    create_round,
    organisations_of,
    rounds_of,
)
from app.rounds.definitions import registry_for
from app.web.pages import Errors, Form, read_form, render, see_other
from questionnaires.sectors import Sector

router = APIRouter(include_in_schema=False)


def _places_of(session: Session, user: User) -> list[tuple[Place, MembershipRole]]:
    if user.is_administrator:
        places = session.exec(select(Place).order_by(col(Place.name))).all()
        return [(p, MembershipRole.FACILITATOR) for p in places]
    rows = session.exec(
        select(Place, PlaceMembership.role)
        .join(PlaceMembership, col(PlaceMembership.place_id) == col(Place.id))
        .where(PlaceMembership.user_id == user.id)
        .order_by(col(Place.name))
    ).all()
    return [(place, MembershipRole(role)) for place, role in rows]


@router.get("/places", response_class=HTMLResponse)
def places_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    return render(
        request, "places", {"places": _places_of(session, user), "errors": Errors()}, user=user
    )


@router.post("/places", response_class=HTMLResponse)
async def add_place(request: Request, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_add_place, request, user, form)


def _add_place(request: Request, user: User, form: Form) -> Response:
    errors = Errors()
    name, description = form.get("name"), form.get("description")
    if not name:
        errors.add("name", "Enter the place's name, for example Kestrel Vale")
    elif len(name) > 200:
        errors.add("name", "The name must be 200 characters or fewer")
    if len(description) > 2000:
        errors.add("description", "The description must be 2000 characters or fewer")
    with Session(request.app.state.engine) as session:
        if errors:
            context = {"places": _places_of(session, user), "errors": errors, "form": form.values}
            return render(request, "places", context, user=user, status=400)
        place = create_place(session=session, creator=user, name=name, description=description)
        audit.record(session, "place-created", actor_user_id=user.id, place_id=place.id, name=name)
        session.commit()
        return see_other(f"/places/{place.slug}")


def _place_context(session: Session, user: User, slug: str) -> dict[str, object]:
    access = place_for(session, user, slug, MembershipRole.VIEWER)
    members = session.exec(
        select(User, PlaceMembership.role)
        .join(PlaceMembership, col(PlaceMembership.user_id) == col(User.id))
        .where(PlaceMembership.place_id == access.place.id)
        .order_by(col(User.display_name))
    ).all()
    return {
        "access": access,
        "place": access.place,
        "organisations": organisations_of(session, access.place.id),
        "rounds": rounds_of(session, access.place.id),
        "members": members,
        "sectors": list(Sector),
        "errors": Errors(),
    }


@router.get("/places/{slug}", response_class=HTMLResponse)
def place_page(request: Request, slug: str, user: UserDep, session: SessionDep) -> Response:
    return render(request, "place", _place_context(session, user, slug), user=user)


@router.post("/places/{slug}/organisations", response_class=HTMLResponse)
async def add_partner(request: Request, slug: str, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_add_partner, request, slug, user, form)


def _add_partner(request: Request, slug: str, user: User, form: Form) -> Response:
    with Session(request.app.state.engine) as session:
        access = place_for(session, user, slug, MembershipRole.FACILITATOR)
        errors = Errors()
        name, sector = form.get("organisation_name"), form.get("sector")
        if not name:
            errors.add("organisation_name", "Enter the organisation's name")
        elif len(name) > 200:
            errors.add("organisation_name", "The name must be 200 characters or fewer")
        if sector not in {s.value for s in Sector}:
            errors.add("sector", "Choose the organisation's sector")
        if not errors:
            try:
                add_organisation(
                    session=session, place=access.place, name=name, sector=Sector(sector)
                )
                session.commit()
                return see_other(f"/places/{slug}#organisations")
            except ChangeRefusedError as error:
                errors.add("organisation_name", str(error))
        context = {**_place_context(session, user, slug), "errors": errors, "form": form.values}
        return render(request, "place", context, user=user, status=400)


@router.get("/places/{slug}/rounds/new", response_class=HTMLResponse)
def new_round_page(request: Request, slug: str, user: UserDep, session: SessionDep) -> Response:
    access = place_for(session, user, slug, MembershipRole.FACILITATOR)
    return render(request, "round_new", _new_round_context(request, access.place), user=user)


def _new_round_context(request: Request, place: Place) -> dict[str, object]:
    settings: Settings = request.app.state.settings
    registry = registry_for(settings)
    return {
        "place": place,
        "questionnaires": [
            (f"{d.id}@{d.version}", f"{d.title}, version {d.version}")
            for d in registry.load_all()[0]
        ],
        "threshold": settings.anonymity_threshold,
        "errors": Errors(),
        "form": {},
    }


def _date(form: Form, name: str, label: str, errors: Errors) -> date | None:
    value = form.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(name, f"{label} must be a real date, like 2027-03-31")
        return None


@router.post("/places/{slug}/rounds", response_class=HTMLResponse)
async def add_round(request: Request, slug: str, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_add_round, request, slug, user, form)


def _add_round(request: Request, slug: str, user: User, form: Form) -> Response:
    settings: Settings = request.app.state.settings
    with Session(request.app.state.engine) as session:
        access = place_for(session, user, slug, MembershipRole.FACILITATOR)
        errors = Errors()
        title = form.get("title")
        if not title:
            errors.add("title", "Enter a title for the round, for example Spring 2027 assessment")
        elif len(title) > 200:
            errors.add("title", "The title must be 200 characters or fewer")
        registry = registry_for(settings)
        questionnaire = form.get("questionnaire")
        definition = next(
            (d for d in registry.load_all()[0] if f"{d.id}@{d.version}" == questionnaire), None
        )
        if definition is None:
            errors.add("questionnaire", "Choose a questionnaire")
        opens_on = _date(form, "opens_on", "The opening date", errors)
        closes_on = _date(form, "closes_on", "The closing date", errors)
        if opens_on and closes_on and closes_on < opens_on:
            errors.add("closes_on", "The closing date must be on or after the opening date")
        threshold = form.get("anonymity_threshold")
        if not threshold.isdigit() or not 2 <= int(threshold) <= 20:
            errors.add(
                "anonymity_threshold", "The anonymity threshold must be a whole number from 2 to 20"
            )
        if errors or definition is None:
            context = {**_new_round_context(request, access.place), "errors": errors}
            context["form"] = form.values
            return render(request, "round_new", context, user=user, status=400)
        assessment_round = create_round(
            session=session,
            place=access.place,
            definition=definition,
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            anonymity_threshold=int(threshold),
        )
        audit.record(
            session,
            "round-created",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=assessment_round.id,
            title=title,
        )
        session.commit()
        return see_other(f"/rounds/{assessment_round.id}")
