"""Who may see and change what. Every workspace route reaches these through ``app.deps``.

A place the user has no part in answers 404, exactly as a place that does not exist, so nothing
says it is there. A viewer asking to change something, or to see answers and invitations, gets
403; so does a viewer asking for a round's results before the facilitator publishes them.
Administrators manage users and memberships and act as facilitators of every place.
"""

from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.core.exceptions import ShownError
from app.enums import MembershipRole, RoundStatus
from app.models import AssessmentRound, Place, PlaceMembership, User

NOT_FOUND = "There is no such place or round, or you are not a member of its place."
VIEWERS_MAY_NOT = (
    "Your role in this place is viewer: you can read its results and reports, but not change "
    "anything or see answers and invitations. Ask its facilitator if you need more."
)
NOT_PUBLISHED = (
    "The facilitator has not published this round's results yet. You will be able to read them "
    "here once they have."
)
ADMINISTRATORS_ONLY = "Only administrators can manage users and read the audit log."
PLACE_CREATORS_ONLY = (
    "Only administrators, and people an administrator has allowed to, can set up a place. "
    "Ask an administrator to set it up or to give you that right."
)


class SignInRequiredError(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PasswordChoiceRequiredError(Exception):
    """Raised for a signed-in person whose password someone else set, anywhere but their own
    account's page (where they choose one) and signing out; the app sends them there."""


PASSWORD_CHOICE_PAGE = "/account"
OPEN_BEFORE_CHOOSING = frozenset(
    {"/account", "/account/password", "/account/sign-out-elsewhere", "/sign-out"}
)
"""What a person who has not yet chosen their own password may reach."""


class TwoFactorRequiredError(Exception):
    """Raised, where the operator requires it, for an administrator or facilitator without a
    code from an authenticator app, anywhere but setting one up; the app sends them there."""


TWO_FACTOR_PAGE = "/account/two-factor"
OPEN_BEFORE_TWO_FACTOR = OPEN_BEFORE_CHOOSING | {
    TWO_FACTOR_PAGE,
    f"{TWO_FACTOR_PAGE}/start",
    f"{TWO_FACTOR_PAGE}/confirm",
}


@dataclass(frozen=True)
class PlaceAccess:
    place: Place
    role: MembershipRole

    @property
    def can_change(self) -> bool:
        return self.role is MembershipRole.FACILITATOR


@dataclass(frozen=True)
class RoundAccess(PlaceAccess):
    assessment_round: AssessmentRound


def require_administrator(user: User) -> User:
    if not user.is_administrator:
        raise ShownError(403, ADMINISTRATORS_ONLY)
    return user


NETWORK_EDITORS_ONLY = "Only the network's editors review stories and release its figures."


def may_edit_network(user: User) -> bool:
    return user.is_administrator or user.edits_network


def require_network_editor(user: User) -> User:
    if not may_edit_network(user):
        raise ShownError(403, NETWORK_EDITORS_ONLY)
    return user


def may_create_places(user: User) -> bool:
    return user.is_administrator or user.may_create_places


def require_place_creator(user: User) -> User:
    if not may_create_places(user):
        raise ShownError(403, PLACE_CREATORS_ONLY)
    return user


def role_in(session: Session, user: User, place_id: int | None) -> MembershipRole | None:
    if user.is_administrator:
        return MembershipRole.FACILITATOR
    membership = session.get(PlaceMembership, (user.id, place_id))
    return membership.role if membership else None


def _checked(role: MembershipRole | None, need: MembershipRole) -> MembershipRole:
    if role is None:
        raise ShownError(404, NOT_FOUND)
    if need is MembershipRole.FACILITATOR and role is not MembershipRole.FACILITATOR:
        raise ShownError(403, VIEWERS_MAY_NOT)
    return role


def place_for(session: Session, user: User, slug: str, need: MembershipRole) -> PlaceAccess:
    place = session.exec(select(Place).where(Place.slug == slug)).first()
    if place is None:
        raise ShownError(404, NOT_FOUND)
    return PlaceAccess(place, _checked(role_in(session, user, place.id), need))


def round_for(session: Session, user: User, round_id: int, need: MembershipRole) -> RoundAccess:
    """The round, its place and the user's role there, in one query (every round page asks)."""
    found = session.exec(
        select(AssessmentRound, Place, PlaceMembership)
        .join(Place, col(Place.id) == col(AssessmentRound.place_id))
        .outerjoin(
            PlaceMembership,
            and_(
                col(PlaceMembership.place_id) == col(Place.id),
                col(PlaceMembership.user_id) == user.id,
            ),
        )
        .where(AssessmentRound.id == round_id)
    ).first()
    if found is None:
        raise ShownError(404, NOT_FOUND)
    assessment_round, place, membership = found
    role = membership.role if membership else None
    if user.is_administrator:
        role = MembershipRole.FACILITATOR
    return RoundAccess(place, _checked(role, need), assessment_round)


def results_of(access: RoundAccess) -> RoundAccess:
    """Facilitators see results as they come in; viewers once the round is published."""
    if not access.can_change and access.assessment_round.status is not RoundStatus.PUBLISHED:
        raise ShownError(403, NOT_PUBLISHED)
    return access


def facilitating(access: RoundAccess) -> RoundAccess:
    """The same round, for something only its facilitators may do."""
    _checked(access.role, MembershipRole.FACILITATOR)
    return access
