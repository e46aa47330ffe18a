"""Facilitator accounts: Argon2 password hashes and signed session cookies.

The session cookie carries the user's id and a fingerprint of their password hash, signed with
the deployment's secret: changing a password, or deactivating the account, ends every session.
"""

import hashlib
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from app.models import User

SESSION_COOKIE = "placecheck_session"
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60
MINIMUM_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown takes as long as a real check, so the
# time taken does not say whether an account exists.
_DUMMY_HASH = _hasher.hash("placecheck-no-such-user")


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        return f"Password must be at least {MINIMUM_PASSWORD_LENGTH} characters long"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    *, session: Session, email: str, display_name: str, password: str, administrator: bool
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise AccountError("Enter an e-mail address in the right format, like name@example.org")
    if not display_name.strip():
        raise AccountError("Enter the person's name")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise AccountError(f"There is already an account for {email}")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        is_administrator=administrator,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    fingerprint: str


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="placecheck-session")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def session_cookie_value(secret: str, user: User) -> str:
    return _serializer(secret).dumps({"u": user.id, "f": _fingerprint(user)})


def user_from_cookie(*, session: Session, secret: str, value: str | None) -> User | None:
    if not value:
        return None
    try:
        data = _serializer(secret).loads(value, max_age=SESSION_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(User, data["u"])
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        return None
    return user
