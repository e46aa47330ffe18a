"""Facilitator accounts: creating them, checking a password, and finding who a cookie is."""

from sqlmodel import Session, select

from app.core.security.passwords import hash_password, needs_rehash, password_matches
from app.core.security.session_cookie import claims_of, cookie_value, fingerprint
from app.models import User, UserCreate


class AccountError(ValueError):
    """A user could not be created or changed; ``field`` is the input the message is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(*, session: Session, details: UserCreate) -> User:
    if session.exec(select(User).where(User.email == details.email)).first() is not None:
        raise AccountError("email", f"There is already an account for {details.email}")
    user = User(
        email=details.email,
        display_name=details.display_name,
        password_hash=hash_password(details.password),
        is_administrator=details.is_administrator,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if not password_matches(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def session_cookie_value(secret: str, user: User) -> str:
    assert user.id is not None
    return cookie_value(secret, user.id, user.password_hash)


def user_from_cookie(*, session: Session, secret: str, value: str | None) -> User | None:
    claims = claims_of(secret, value)
    if claims is None:
        return None
    user_id, claimed_fingerprint = claims
    user = session.get(User, user_id)
    if user is None or not user.is_active or claimed_fingerprint != fingerprint(user.password_hash):
        return None
    return user
