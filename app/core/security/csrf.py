"""CSRF tokens for forms: signed with the secret key, bound to what the form acts on, and valid
for a working day. An expired token never loses answers: the page is shown again with them."""

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

MAX_AGE_SECONDS = 12 * 60 * 60


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="placecheck-csrf")


def csrf_token(secret: str, subject: str) -> str:
    return _serializer(secret).dumps(subject)


def csrf_valid(
    secret: str, subject: str, token: str | None, *, max_age: int = MAX_AGE_SECONDS
) -> bool:
    if not token:
        return False
    try:
        return bool(_serializer(secret).loads(token, max_age=max_age) == subject)
    except (BadSignature, SignatureExpired):
        return False
