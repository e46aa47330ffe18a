"""Places and their partner organisations, as facilitators change them."""

import re

from sqlmodel import Session, col, select

from app.core.exceptions import ChangeRefusedError, ShownError
from app.enums import MembershipRole
from app.models import Organisation, OrganisationCreate, Place, PlaceCreate, PlaceMembership, User


def slug_for(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "place"
    slug, number = base, 2
    while session.exec(select(Place).where(Place.slug == slug)).first() is not None:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_place(*, session: Session, creator: User, details: PlaceCreate) -> Place:
    place = Place(
        name=details.name, slug=slug_for(session, details.name), description=details.description
    )
    session.add(place)
    session.flush()
    assert place.id is not None and creator.id is not None
    session.add(
        PlaceMembership(user_id=creator.id, place_id=place.id, role=MembershipRole.FACILITATOR)
    )
    return place


def places_of(session: Session, user: User) -> list[tuple[Place, MembershipRole]]:
    """The places a user may open, with their role in each."""
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


def members_of(session: Session, place: Place) -> list[tuple[User, MembershipRole]]:
    rows = session.exec(
        select(User, PlaceMembership.role)
        .join(PlaceMembership, col(PlaceMembership.user_id) == col(User.id))
        .where(PlaceMembership.place_id == place.id)
        .order_by(col(User.display_name))
    ).all()
    return [(user, MembershipRole(role)) for user, role in rows]


def organisations_of(session: Session, place_id: int | None) -> list[Organisation]:
    return list(
        session.exec(
            select(Organisation)
            .where(Organisation.place_id == place_id)
            .order_by(col(Organisation.name))
        ).all()
    )


def organisation_of(session: Session, place: Place, organisation_id: int | None) -> Organisation:
    """One of the place's organisations, or 404 (another place's is never found)."""
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.place_id != place.id:
        raise ShownError(404, "There is no such organisation in this place.")
    return organisation


def add_organisation(
    *, session: Session, place: Place, details: OrganisationCreate
) -> Organisation:
    if any(o.name.lower() == details.name.lower() for o in organisations_of(session, place.id)):
        raise ChangeRefusedError(f"{details.name} is already a partner of {place.name}")
    assert place.id is not None
    organisation = Organisation(place_id=place.id, name=details.name, sector=details.sector)
    session.add(organisation)
    session.flush()
    return organisation
