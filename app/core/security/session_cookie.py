"""The signed session cookie of a signed-in facilitator.

It carries a random session token, signed with the deployment's secret; the database keeps only
the token's hash (``user_session``), so signing out, deactivating an account or the session
expiring ends it on the server, whatever copies of the cookie exist.
"""

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "placecheck_session"
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="placecheck-session")


def cookie_value(secret: str, token: str) -> str:
    return _serializer(secret).dumps({"s": token})


def token_of(secret: str, value: str | None) -> str | None:
    """The session token a cookie carries, if the cookie is ours and still fresh."""
    if not value:
        return None
    try:
        data: Any = _serializer(secret).loads(value, max_age=SESSION_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    token = data.get("s") if isinstance(data, dict) else None
    return token if isinstance(token, str) and 0 < len(token) <= 200 else None
