"""Places and their partner organisations, as facilitators change them."""

import re
from dataclasses import dataclass

from sqlalchemy import func, literal
from sqlmodel import Session, col, select

from app.core.exceptions import ChangeRefusedError, ShownError
from app.enums import MembershipRole, RoundStatus
from app.models import (
    AssessmentRound,
    Invitation,
    Organisation,
    OrganisationCreate,
    Place,
    PlaceBase,
    PlaceCreate,
    PlaceMembership,
    User,
)


def slug_for(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "place"
    slug, number = base, 2
    while session.exec(select(Place).where(Place.slug == slug)).first() is not None:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_place(*, session: Session, creator: User, details: PlaceCreate) -> Place:
    place = Place(
        name=details.name,
        slug=slug_for(session, details.name),
        description=details.description,
        data_contact=details.data_contact,
    )
    session.add(place)
    session.flush()
    assert place.id is not None and creator.id is not None
    session.add(
        PlaceMembership(user_id=creator.id, place_id=place.id, role=MembershipRole.FACILITATOR)
    )
    return place


PLACES_PER_PAGE = 25


@dataclass(frozen=True)
class PlaceRow:
    """A place as the list shows it: plain values, which a page can read after its session's
    transaction has ended (ORM rows would each be loaded again, one query per place)."""

    name: str
    slug: str


@dataclass(frozen=True)
class PlacesList:
    """One page of the places a user may open, with their role in each."""

    rows: list[tuple[PlaceRow, MembershipRole]]
    total: int
    page: int
    pages: int
    search: str

    @property
    def first(self) -> int:
        return (self.page - 1) * PLACES_PER_PAGE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def places_of(session: Session, user: User, *, search: str = "", page: int = 1) -> PlacesList:
    """The places a user may open whose name contains ``search``, a page at a time: an
    administrator of a national service may see hundreds, and the page must not grow with them."""
    if user.is_administrator:
        query = select(col(Place.name), col(Place.slug), literal(MembershipRole.FACILITATOR.value))
    else:
        query = (
            select(col(Place.name), col(Place.slug), col(PlaceMembership.role))
            .join(PlaceMembership, col(PlaceMembership.place_id) == col(Place.id))
            .where(PlaceMembership.user_id == user.id)
        )
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Place.name).ilike(f"%{escaped}%", escape="\\"))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // PLACES_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = session.exec(
        query.order_by(col(Place.name), col(Place.id))
        .offset((page - 1) * PLACES_PER_PAGE)
        .limit(PLACES_PER_PAGE)
    ).all()
    return PlacesList(
        [(PlaceRow(name, slug), MembershipRole(role)) for name, slug, role in rows],
        total,
        page,
        pages,
        search,
    )


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
            .order_by(func.lower(Organisation.name), col(Organisation.id))
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


@dataclass(frozen=True)
class OrganisationUse:
    """What stands in the way of changing an organisation, in words for its edit page."""

    invitations: int
    in_published_rounds: int

    @property
    def removable(self) -> bool:
        return self.invitations == 0

    @property
    def sector_changeable(self) -> bool:
        # Moving people between sectors in a published round would change groups the forum
        # has already read, which the anonymity rules on republishing exist to prevent.
        return self.in_published_rounds == 0


def organisation_use(session: Session, organisation: Organisation) -> OrganisationUse:
    rows = session.exec(
        select(AssessmentRound.status)
        .join(Invitation, col(Invitation.round_id) == col(AssessmentRound.id))
        .where(Invitation.organisation_id == organisation.id)
    ).all()
    return OrganisationUse(
        invitations=len(rows),
        in_published_rounds=sum(1 for status in rows if status is RoundStatus.PUBLISHED),
    )


def change_organisation(
    *, session: Session, place: Place, organisation: Organisation, details: OrganisationCreate
) -> dict[str, str]:
    """Rename an organisation or change its sector; returns what changed, for the audit log."""
    others = [o for o in organisations_of(session, place.id) if o.id != organisation.id]
    if any(o.name.lower() == details.name.lower() for o in others):
        raise ChangeRefusedError(f"{details.name} is already a partner of {place.name}")
    if (
        details.sector is not organisation.sector
        and not organisation_use(session, organisation).sector_changeable
    ):
        raise ChangeRefusedError(
            "The sector cannot change: people from this organisation answered a round whose "
            "results are published, and moving them to another sector would change results "
            "the forum has already read"
        )
    changed = {}
    if details.name != organisation.name:
        changed["name"] = f"{organisation.name} → {details.name}"
    if details.sector is not organisation.sector:
        changed["sector"] = f"{organisation.sector.label} → {details.sector.label}"
    organisation.name, organisation.sector = details.name, details.sector
    session.add(organisation)
    return changed


def remove_organisation(*, session: Session, organisation: Organisation) -> None:
    if not organisation_use(session, organisation).removable:
        raise ChangeRefusedError(
            "This organisation cannot be removed: people from it are invited to a round. "
            "It can still be renamed."
        )
    session.delete(organisation)


def change_place(*, session: Session, place: Place, details: PlaceCreate) -> list[str]:
    """A place's details (never its slug, so links keep working);
    returns the names of the fields that changed, for the audit."""
    changed = [n for n in PlaceBase.model_fields if getattr(place, n) != getattr(details, n)]
    for name in changed:
        setattr(place, name, getattr(details, name))
    session.add(place)
    return changed
