"""The signed session cookie of a signed-in facilitator.

It carries the user's id and a fingerprint of their password hash, signed with the deployment's
secret: changing a password, or deactivating the account, ends every session.
"""

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "placecheck_session"
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="placecheck-session")


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def cookie_value(secret: str, user_id: int, password_hash: str) -> str:
    return _serializer(secret).dumps({"u": user_id, "f": fingerprint(password_hash)})


def claims_of(secret: str, value: str | None) -> tuple[int, str] | None:
    """The (user id, fingerprint) a cookie carries, if it is ours and still fresh."""
    if not value:
        return None
    try:
        data: Any = _serializer(secret).loads(value, max_age=SESSION_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("f"))
