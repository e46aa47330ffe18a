"""Places and their partner organisations."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import PlaceAccess, may_create_places
from app.core.exceptions import ChangeRefusedError
from app.deps import PlaceChange, PlacePage, PlacesChange, PlacesPage
from app.models import OrganisationCreate, PlaceCreate
from app.places.service import (
    add_organisation,
    create_place,
    members_of,
    organisations_of,
    places_of,
)
from app.rounds.service import rounds_of
from app.web.pages import Errors, Visit
from questionnaires.sectors import Sector

router = APIRouter(include_in_schema=False)


def _places_page(visit: Visit[None], errors: Errors | None = None) -> Response:
    context = {
        "places": places_of(visit.session, visit.user),
        "may_create_places": may_create_places(visit.user),
    }
    return visit.page("places", context, errors=errors)


@router.get("/places", response_class=HTMLResponse)
def places_page(visit: PlacesPage) -> Response:
    return _places_page(visit)


@router.post("/places", response_class=HTMLResponse)
def add_place(change: PlacesChange) -> Response:
    errors = Errors()
    details = change.form.validated(PlaceCreate, errors)
    if details is None:
        return _places_page(change, errors)
    place = create_place(session=change.session, creator=change.user, details=details)
    change.record("place-created", place_id=place.id, name=place.name)
    return change.done(f"/places/{place.slug}")


def _place_page(visit: Visit[PlaceAccess], errors: Errors | None = None) -> Response:
    place, session = visit.access.place, visit.session
    context = {
        "access": visit.access,
        "place": place,
        "organisations": organisations_of(session, place.id),
        "rounds": rounds_of(session, place.id),
        "members": members_of(session, place),
        "sectors": list(Sector),
    }
    return visit.page("place", context, errors=errors)


@router.get("/places/{slug}", response_class=HTMLResponse)
def place_page(visit: PlacePage) -> Response:
    return _place_page(visit)


@router.post("/places/{slug}/organisations", response_class=HTMLResponse)
def add_partner(change: PlaceChange) -> Response:
    errors = Errors()
    details = change.form.validated(OrganisationCreate, errors)
    if details is not None:
        try:
            add_organisation(session=change.session, place=change.access.place, details=details)
            return change.done(f"/places/{change.access.place.slug}#organisations")
        except ChangeRefusedError as error:
            errors.add("name", str(error))
    return _place_page(change, errors)
