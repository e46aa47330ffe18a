"""Facilitator accounts: creating them, checking a password, and the sessions of the people
signed in."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from app.core.exceptions import ChangeRefusedError
from app.core.security.passwords import hash_password, needs_rehash, password_matches
from app.core.security.session_cookie import SESSION_MAX_AGE_SECONDS, cookie_value, token_of
from app.core.security.tokens import hash_token, new_token
from app.enums import MembershipRole
from app.models import Place, PlaceMembership, User, UserCreate, UserSession, utcnow


class AccountError(ValueError):
    """A user could not be created or changed; ``field`` is the input the message is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(*, session: Session, details: UserCreate, temporary_password: bool = False) -> User:
    """``temporary_password``: someone else chose it and passes it on, so its owner must choose
    their own at first sign-in (the demo's accounts, whose password is printed for everyone and
    which exist only outside production, are made without)."""
    if session.exec(select(User).where(User.email == details.email)).first() is not None:
        raise AccountError("email", f"There is already an account for {details.email}")
    user = User(
        **details.model_dump(exclude={"password"}),
        password_hash=hash_password(details.password),
        must_choose_password=temporary_password,
    )
    session.add(user)
    session.flush()
    return user


def _matching(password_hash: str | None, password: str) -> str | None:
    """How ``password`` matched the stored hash: as typed, or (for passwords changed before
    secrets were kept exactly, when spaces at their ends were trimmed away) without those
    spaces; ``None`` if neither. The second, slow check is made only for a password that has
    spaces at its ends."""
    if password_matches(password_hash, password):
        return "exact"
    if password != password.strip() and password_matches(password_hash, password.strip()):
        return "trimmed"
    return None


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail address and password. A hash of the trimmed password
    (see ``_matching``) is replaced by one of the password as typed, as an outdated hash is."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    matched = _matching(user.password_hash if user else None, password)
    if matched is None or user is None or not user.is_active:
        return None
    if matched == "trimmed" or needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def new_password_hash(*, user: User, current: str, new: str) -> str:
    """The hash of a user's own new password, once their current one is checked. Both steps
    are deliberately slow (Argon2), so callers run this before their write transaction."""
    if _matching(user.password_hash, current) is None:
        raise AccountError("current_password", "Your current password is not right")
    if password_matches(user.password_hash, new):
        raise AccountError("new_password", "Choose a new password, not the one you have now")
    return hash_password(new)


def set_password(
    *, session: Session, user: User, password_hash: str, keep_session: str | None
) -> None:
    """Every other signed-in browser of the user's is signed out: a password changed because
    it leaked must not leave whoever has it signed in."""
    user.password_hash = password_hash
    user.must_choose_password = False
    session.add(user)
    end_other_sessions(session=session, user=user, keep_session=keep_session)


def end_other_sessions(*, session: Session, user: User, keep_session: str | None) -> int:
    """Sign the user out of every browser but the one holding ``keep_session``; how many."""
    others = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if keep_session is not None:
        others = others.where(col(UserSession.token_hash) != hash_token(keep_session))
    return int(session.exec(others).rowcount)


def signed_in_browsers(session: Session, user: User) -> list[UserSession]:
    """Where the user is signed in now, the newest first."""
    return list(
        session.exec(
            select(UserSession)
            .where(UserSession.user_id == user.id, col(UserSession.expires_at) >= utcnow())
            .order_by(col(UserSession.created_at).desc())
        ).all()
    )


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_of(user_agent: str) -> str:
    """'Chrome on Windows' from a User-Agent header (Edge and Chrome say Safari too, so the
    most particular comes first); 'A browser' where it says nothing known."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "A browser")


def start_session(*, session: Session, secret: str, user: User, browser: str) -> str:
    """A new signed-in session for ``user``; returns the cookie's value. Each sign-in also
    clears that user's expired sessions, so the table does not grow."""
    assert user.id is not None
    now = utcnow()
    session.exec(
        delete(UserSession).where(
            col(UserSession.user_id) == user.id, col(UserSession.expires_at) < now
        )
    )
    token = new_token()
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=now + timedelta(seconds=SESSION_MAX_AGE_SECONDS),
            browser=browser,
        )
    )
    return cookie_value(secret, token)


def end_session(*, session: Session, secret: str, value: str | None) -> None:
    """Sign out: the session behind this cookie stops working everywhere."""
    token = token_of(secret, value)
    if token is not None:
        session.exec(delete(UserSession).where(col(UserSession.token_hash) == hash_token(token)))


@dataclass(frozen=True)
class SignedIn:
    user: User
    facilitates: bool
    """Whether the workspace is a facilitator's for this person, or only a forum member's."""


def signed_in(*, session: Session, secret: str, value: str | None) -> SignedIn | None:
    """The person behind a session cookie, in one query with whether they facilitate anywhere
    (every workspace page asks both)."""
    token = token_of(secret, value)
    if token is None:
        return None
    facilitates_somewhere = (
        select(PlaceMembership.place_id)
        .where(
            PlaceMembership.user_id == User.id,
            PlaceMembership.role == MembershipRole.FACILITATOR,
        )
        .exists()
    )
    found = session.exec(
        select(User, UserSession.expires_at, facilitates_somewhere)
        .join(UserSession, col(UserSession.user_id) == col(User.id))
        .where(UserSession.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    user, expires_at, facilitator = found
    if expires_at <= utcnow() or not user.is_active:
        return None
    return SignedIn(user, facilitator or user.is_administrator or user.may_create_places)


def set_place_role(
    *, session: Session, member: User, place: Place, role: MembershipRole | None
) -> None:
    """Give ``member`` this role in ``place``, or (None) take them off it."""
    existing = session.get(PlaceMembership, (member.id, place.id))
    if role is None:
        if existing is None:
            raise ChangeRefusedError(f"{member.display_name} is not a member of {place.name}.")
        session.delete(existing)
        return
    membership = existing or PlaceMembership(user_id=member.id or 0, place_id=place.id or 0)
    membership.role = role
    session.add(membership)


def set_active_account(*, session: Session, member: User, active: bool) -> None:
    member.is_active = active
    session.add(member)
