"""Who may see and change what. Every facilitator route goes through these checks.

A place the user has no part in answers 404, exactly as a place that does not exist, so nothing
says it is there. A viewer asking to change something, or to see answers and invitations, gets
403. Administrators manage users and memberships and act as facilitators of every place.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session, select

from app.accounts.service import SESSION_COOKIE, user_from_cookie
from app.deps import SessionDep, SettingsDep
from app.models import AssessmentRound, MembershipRole, Place, PlaceMembership, User


class SignInRequiredError(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    return user_from_cookie(
        session=session,
        secret=settings.secret_key.get_secret_value(),
        value=request.cookies.get(SESSION_COOKIE),
    )


def signed_in_user(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise SignInRequiredError(request.url.path)
    return user


def administrator(user: Annotated[User, Depends(signed_in_user)]) -> User:
    if not user.is_administrator:
        raise HTTPException(403, "Only administrators can manage users and read the audit log.")
    return user


OptionalUserDep = Annotated[User | None, Depends(optional_user)]
UserDep = Annotated[User, Depends(signed_in_user)]
AdministratorDep = Annotated[User, Depends(administrator)]

NOT_FOUND = "There is no such place or round, or you are not a member of its place."
VIEWERS_MAY_NOT = (
    "Your role in this place is viewer: you can read its results and reports, but not change "
    "anything or see answers and invitations. Ask its facilitator if you need more."
)


def role_in(session: Session, user: User, place_id: int | None) -> MembershipRole | None:
    if user.is_administrator:
        return MembershipRole.FACILITATOR
    membership = session.exec(
        select(PlaceMembership).where(
            PlaceMembership.user_id == user.id, PlaceMembership.place_id == place_id
        )
    ).first()
    return membership.role if membership else None


def _check(role: MembershipRole | None, need: MembershipRole) -> MembershipRole:
    if role is None:
        raise HTTPException(404, NOT_FOUND)
    if need is MembershipRole.FACILITATOR and role is not MembershipRole.FACILITATOR:
        raise HTTPException(403, VIEWERS_MAY_NOT)
    return role


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


def place_for(session: Session, user: User, slug: str, need: MembershipRole) -> PlaceAccess:
    place = session.exec(select(Place).where(Place.slug == slug)).first()
    if place is None:
        raise HTTPException(404, NOT_FOUND)
    return PlaceAccess(place, _check(role_in(session, user, place.id), need))


def round_for(session: Session, user: User, round_id: int, need: MembershipRole) -> RoundAccess:
    assessment_round = session.get(AssessmentRound, round_id)
    place = session.get(Place, assessment_round.place_id) if assessment_round else None
    if assessment_round is None or place is None:
        raise HTTPException(404, NOT_FOUND)
    role = _check(role_in(session, user, place.id), need)
    return RoundAccess(place, role, assessment_round)
