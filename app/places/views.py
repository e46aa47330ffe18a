"""Places and their partner organisations."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.access import PlaceAccess
from app.core import audit
from app.core.exceptions import ChangeRefusedError
from app.deps import CsrfForm, CurrentUser, FacilitatorPlace, SessionDep, ViewerPlace, WriteSession
from app.models import OrganisationCreate, PlaceCreate, User
from app.places.service import (
    add_organisation,
    create_place,
    members_of,
    organisations_of,
    places_of,
)
from app.rounds.service import rounds_of
from app.web.pages import Errors, Form, render, see_other
from questionnaires.sectors import Sector

router = APIRouter(include_in_schema=False)


def _places_page(
    request: Request,
    session: Session,
    user: User,
    errors: Errors | None = None,
    form: Form | None = None,
) -> Response:
    context = {
        "places": places_of(session, user),
        "errors": errors or Errors(),
        "form": form.values if form else {},
    }
    return render(request, "places", context, user=user, status=400 if errors else 200)


@router.get("/places", response_class=HTMLResponse)
def places_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return _places_page(request, session, user)


@router.post("/places", response_class=HTMLResponse)
def add_place(
    request: Request, form: CsrfForm, session: WriteSession, user: CurrentUser
) -> Response:
    errors = Errors()
    details = form.validated(PlaceCreate, errors)
    if details is None:
        return _places_page(request, session, user, errors, form)
    place = create_place(session=session, creator=user, details=details)
    audit.record(
        session, "place-created", actor_user_id=user.id, place_id=place.id, name=place.name
    )
    session.commit()
    return see_other(f"/places/{place.slug}")


def _place_page(
    request: Request,
    session: Session,
    user: User,
    access: PlaceAccess,
    errors: Errors | None = None,
    form: Form | None = None,
) -> Response:
    context = {
        "access": access,
        "place": access.place,
        "organisations": organisations_of(session, access.place.id),
        "rounds": rounds_of(session, access.place.id),
        "members": members_of(session, access.place),
        "sectors": list(Sector),
        "errors": errors or Errors(),
        "form": form.values if form else None,
    }
    return render(request, "place", context, user=user, status=400 if errors else 200)


@router.get("/places/{slug}", response_class=HTMLResponse)
def place_page(
    request: Request, access: ViewerPlace, user: CurrentUser, session: SessionDep
) -> Response:
    return _place_page(request, session, user, access)


@router.post("/places/{slug}/organisations", response_class=HTMLResponse)
def add_partner(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorPlace,
    user: CurrentUser,
) -> Response:
    errors = Errors()
    details = form.validated(OrganisationCreate, errors)
    if details is not None:
        try:
            add_organisation(session=session, place=access.place, details=details)
            session.commit()
            return see_other(f"/places/{access.place.slug}#organisations")
        except ChangeRefusedError as error:
            errors.add("name", str(error))
    return _place_page(request, session, user, access, errors, form)
