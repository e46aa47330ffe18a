"""Accounts for trying the demo place: a facilitator and a forum member who only reads.

Their password is printed by ``placecheck demo`` and written in the README, so they are never
created in production.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.service import create_user
from app.enums import MembershipRole
from app.models import Place, PlaceMembership, User, UserCreate

DEMO_PASSWORD = "kestrel-vale-demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: MembershipRole


DEMO_ACCOUNTS = (
    DemoAccount("facilitator@kestrel-vale.example", "Kit Facilitator", MembershipRole.FACILITATOR),
    DemoAccount("viewer@kestrel-vale.example", "Val Forum-Member", MembershipRole.VIEWER),
)


def ensure_demo_accounts(session: Session, place: Place) -> tuple[DemoAccount, ...]:
    assert place.id is not None
    for account in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == account.email)).first()
        may_create_places = account.role is MembershipRole.FACILITATOR
        if user is None:
            details = UserCreate(
                email=account.email,
                display_name=account.name,
                password=DEMO_PASSWORD,
                may_create_places=may_create_places,
            )
            user = create_user(session=session, details=details)
        elif user.may_create_places != may_create_places:
            # A demo loaded before places needed this right: give the facilitator it again.
            user.may_create_places = may_create_places
            session.add(user)
        assert user.id is not None
        if session.get(PlaceMembership, (user.id, place.id)) is None:
            session.add(PlaceMembership(user_id=user.id, place_id=place.id, role=account.role))
    session.flush()
    return DEMO_ACCOUNTS
