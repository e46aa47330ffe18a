"""Places and their partner organisations."""

from urllib.parse import quote_plus

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import PlaceAccess, may_create_places
from app.core.exceptions import ChangeRefusedError
from app.deps import (
    FacilitatorPlacePage,
    PlaceChange,
    PlacePage,
    PlacesChange,
    PlacesPage,
    RecordId,
    UnitOfWorkRoute,
)
from app.enums import AreaType, Region, RuralUrban
from app.models import OrganisationCreate, PlaceCreate
from app.places.service import (
    add_organisation,
    change_organisation,
    change_place,
    create_place,
    members_of,
    organisation_of,
    organisation_use,
    organisations_of,
    places_of,
    remove_organisation,
)
from app.rounds.service import rounds_of
from app.web.pages import Errors, Visit, pager
from questionnaires.sectors import Sector

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


MAX_SEARCH = 100


def _places_page(visit: Visit[None], errors: Errors | None = None) -> Response:
    """The list of places, searched and paged from the address. A page number that is not one
    (edited by hand) shows the first page, and one past the end the last, never an error."""
    query = visit.request.query_params
    search = " ".join(query.get("q", "").split())[:MAX_SEARCH]
    number = query.get("page", "")
    page = int(number) if number.isdigit() and len(number) < 7 else 1
    places = places_of(visit.session, visit.user, search=search, page=page)
    searched = f"&q={quote_plus(search)}" if search else ""
    context = {
        "places": places,
        "pager": pager(
            places.page, places.pages, lambda n: f"/places?page={n}{searched}", "Pages of places"
        ),
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


DONE = {
    "place-changed": "The place's details were changed.",
    "organisation-added": "The organisation was added.",
    "organisation-changed": "The organisation was changed.",
    "organisation-removed": "The organisation was removed.",
    "joined": "Welcome: you have joined this place.",
}
"""The banner shown on the place's page after each change to its organisations."""


def _place_page(
    visit: Visit[PlaceAccess], errors: Errors | None = None, notice: str | None = None
) -> Response:
    place, session = visit.access.place, visit.session
    context = {
        "access": visit.access,
        "place": place,
        "organisations": organisations_of(session, place.id),
        "rounds": rounds_of(session, place.id),
        "members": members_of(session, place),
        "sectors": list(Sector),
        "compared_by": COMPARED_BY,
        "notice": notice,
    }
    return visit.page("place", context, errors=errors)


@router.get("/places/{slug}", response_class=HTMLResponse)
def place_page(visit: PlacePage, done: str | None = None) -> Response:
    return _place_page(visit, notice=DONE.get(done or ""))


COMPARED_BY = (
    ("region", "Region", "One of England's nine regions.", list(Region)),
    (
        "area_type",
        "Type of area",
        "The kind of local government area the place covers.",
        list(AreaType),
    ),
    (
        "rural_urban",
        "Rural and urban class",
        "The Office for National Statistics' Rural Urban Classification (2011) of the place's "
        "local authority district.",
        list(RuralUrban),
    ),
)
"""The place details other places are compared by (as LG Inform groups councils)."""


def _edit_page(visit: Visit[PlaceAccess], errors: Errors | None = None) -> Response:
    return visit.page(
        "place_edit", {"place": visit.access.place, "compared_by": COMPARED_BY}, errors=errors
    )


@router.get("/places/{slug}/edit", response_class=HTMLResponse)
def edit_place_page(visit: FacilitatorPlacePage) -> Response:
    return _edit_page(visit)


@router.post("/places/{slug}/edit", response_class=HTMLResponse)
def edit_place(change: PlaceChange) -> Response:
    """The place's name, description, data contact and what it is compared by; its address
    (slug) stays, so links and bookmarks keep working."""
    errors = Errors()
    details = change.form.validated(PlaceCreate, errors)
    if details is None:
        return _edit_page(change, errors)
    place = change.access.place
    changed = change_place(session=change.session, place=place, details=details)
    change.record("place-changed", fields=changed)
    return change.done(f"/places/{place.slug}?done=place-changed")


@router.post("/places/{slug}/organisations", response_class=HTMLResponse)
def add_partner(change: PlaceChange) -> Response:
    errors = Errors()
    details = change.form.validated(OrganisationCreate, errors)
    if details is not None:
        try:
            add_organisation(session=change.session, place=change.access.place, details=details)
            return change.done(
                f"/places/{change.access.place.slug}?done=organisation-added#organisations"
            )
        except ChangeRefusedError as error:
            errors.add("name", str(error))
    return _place_page(change, errors)


def _organisation_page(
    visit: Visit[PlaceAccess], organisation_id: int, errors: Errors | None = None
) -> Response:
    organisation = organisation_of(visit.session, visit.access.place, organisation_id)
    context = {
        "place": visit.access.place,
        "organisation": organisation,
        "use": organisation_use(visit.session, organisation),
        "sectors": list(Sector),
    }
    return visit.page("organisation", context, errors=errors)


@router.get("/places/{slug}/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(organisation_id: RecordId, visit: FacilitatorPlacePage) -> Response:
    """Change an organisation's name or sector, or remove it, with the rules that protect the
    answers given under it stated on the page."""
    return _organisation_page(visit, organisation_id)


@router.post("/places/{slug}/organisations/{organisation_id}", response_class=HTMLResponse)
def change_partner(organisation_id: RecordId, change: PlaceChange) -> Response:
    place = change.access.place
    organisation = organisation_of(change.session, place, organisation_id)
    errors = Errors()
    details = change.form.validated(OrganisationCreate, errors)
    if details is not None:
        try:
            changed = change_organisation(
                session=change.session, place=place, organisation=organisation, details=details
            )
        except ChangeRefusedError as error:
            errors.add("sector" if "sector" in str(error) else "name", str(error))
        else:
            change.record("organisation-changed", organisation_id=organisation_id, changed=changed)
            return change.done(f"/places/{place.slug}?done=organisation-changed#organisations")
    return _organisation_page(change, organisation_id, errors)


@router.post("/places/{slug}/organisations/{organisation_id}/delete", response_class=HTMLResponse)
def remove_partner(organisation_id: RecordId, change: PlaceChange) -> Response:
    place = change.access.place
    organisation = organisation_of(change.session, place, organisation_id)
    name = organisation.name
    try:
        remove_organisation(session=change.session, organisation=organisation)
    except ChangeRefusedError as error:
        errors = Errors()
        errors.add("remove", str(error))
        return _organisation_page(change, organisation_id, errors)
    change.record("organisation-removed", organisation_id=organisation_id, name=name)
    return change.done(f"/places/{place.slug}?done=organisation-removed#organisations")
