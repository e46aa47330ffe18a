"""Accounts for trying the demo place: a facilitator and a forum member who only reads.

Their password is printed by ``placecheck demo`` and written in the README, so they are never
created in production.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.joining import JoinState, invite_to_place, join_token, state_of
from app.accounts.service import create_user
from app.enums import MembershipRole
from app.models import (
    AccountInvitation,
    AccountInvitationBase,
    Place,
    PlaceMembership,
    User,
    UserCreate,
)

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


DEMO_NEWCOMER = AccountInvitationBase(
    display_name="Nell Newcomer",
    email="newcomer@kestrel-vale.example",
    role=MembershipRole.VIEWER,
)


def ensure_demo_invitation(session: Session, place: Place, secret: str) -> str | None:
    """A waiting invitation to join the demo place, from its facilitator, for trying the
    invitation link: made again when the last one has expired or been withdrawn; None once the
    newcomer has joined. Returns the link's path."""
    newcomer = select(User.id).where(User.email == DEMO_NEWCOMER.email)
    if session.exec(newcomer).first() is not None:
        return None
    invitations = session.exec(
        select(AccountInvitation).where(
            AccountInvitation.place_id == place.id,
            AccountInvitation.email == DEMO_NEWCOMER.email,
        )
    ).all()
    waiting = next((i for i in invitations if state_of(i) is JoinState.WAITING), None)
    if waiting is None:
        facilitator = session.exec(select(User).where(User.email == DEMO_ACCOUNTS[0].email)).one()
        waiting, _ = invite_to_place(
            session=session,
            secret=secret,
            place=place,
            details=DEMO_NEWCOMER,
            invited_by=facilitator,
            form_key=f"demo-newcomer-{len(invitations)}",
        )
    return f"/join/{join_token(secret, waiting.link_nonce)}"


NETWORK_READER = "network@placecheck.example"
NETWORK_EDITOR = "editor@placecheck.example"


def ensure_network_reader(session: Session) -> str:
    """A network reader for the national demo (LGA staff, say), with the demo password."""
    return _network_account(session, NETWORK_READER, "Nia Network-Reader", editor=False)


def ensure_network_editor(session: Session) -> str:
    """The network's editor (LGA staff who run the library, say), with the demo password: it
    reviews the stories places offer, releases the figures, and reads the network."""
    return _network_account(session, NETWORK_EDITOR, "Esme Network-Editor", editor=True)


def _network_account(session: Session, email: str, name: str, *, editor: bool) -> str:
    if session.exec(select(User).where(User.email == email)).first() is None:
        create_user(
            session=session,
            details=UserCreate(
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                reads_network=True,
                edits_network=editor,
            ),
        )
    return email
