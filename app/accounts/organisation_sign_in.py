"""Signing in with the organisation's own account, through OpenID Connect (authorisation code
with PKCE).

Authlib makes the authorisation request and exchanges the code (its PKCE and client
authentication); joserfc, by the same authors and the library Authlib now points to for JOSE,
checks the ID token's signature against the provider's published keys, and its issuer,
audience, expiry and nonce. Placecheck keeps the state, nonce and PKCE verifier of a sign-in
in a short-lived signed cookie, and checks the state itself before anything else.

Nobody gets an account by signing in: the first sign-in through a provider happens through a
Placecheck invitation, which binds the account to that provider's issuer and subject
(``OrganisationAccount``); later sign-ins match on those two only.
"""

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session, select

from app.core.config import SignInProvider
from app.models import OrganisationAccount, User

TIMEOUT_SECONDS = 10
KEEP_METADATA_SECONDS = 3600
"""How long a provider's discovery document and keys are kept before they are fetched again
(a key not among them makes Placecheck fetch them at once: providers rotate their keys)."""
SIGNING_ALGORITHMS = ["RS256", "PS256", "ES256"]
CLOCK_LEEWAY_SECONDS = 60
TENANT = "{tenantid}"


class SignInRefusedError(Exception):
    """A sign-in through a provider that did not work; the message says what to do."""


@dataclass(frozen=True)
class Flow:
    """What one sign-in started with, kept in the browser (signed) until it comes back."""

    provider: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str | None
    name: str | None


@dataclass(frozen=True)
class _Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    keys: KeySet
    fetched: float


_known: dict[str, _Metadata] = {}
"""By discovery address: what each provider published when last asked."""
_lock = threading.Lock()


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        found = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SignInRefusedError(
            "Placecheck could not reach your organisation's sign-in service. Try again in a "
            "few minutes, or sign in with your Placecheck password if you have one."
        ) from error
    if not isinstance(found, dict):
        raise SignInRefusedError("Your organisation's sign-in service answered with nonsense.")
    return found


def _metadata(provider: SignInProvider, *, fresh: bool = False) -> _Metadata:
    """The provider's endpoints and keys, from its discovery document. The document must name
    the issuer the provider is configured with (OpenID Connect Discovery, section 4.3): a
    document for another issuer is refused, not followed."""
    with _lock:
        known = _known.get(provider.discovery)
    if known and not fresh and time.monotonic() - known.fetched < KEEP_METADATA_SECONDS:
        return known
    document = _get_json(provider.discovery)
    if document.get("issuer") != provider.issuer:
        raise SignInRefusedError(
            "Your organisation's sign-in service names another issuer than the one Placecheck "
            "is set up for. Ask your Placecheck administrator to check its settings."
        )
    try:
        keys = KeySet.import_key_set(_get_json(str(document["jwks_uri"])))  # type: ignore[arg-type]
        metadata = _Metadata(
            provider.issuer,
            str(document["authorization_endpoint"]),
            str(document["token_endpoint"]),
            str(document["jwks_uri"]),
            keys,
            time.monotonic(),
        )
    except (KeyError, ValueError, JoseError) as error:
        raise SignInRefusedError(
            "Your organisation's sign-in service did not say where to sign in or which keys "
            "it signs with. Ask your Placecheck administrator to check its settings."
        ) from error
    with _lock:
        _known[provider.discovery] = metadata
    return metadata


def _client(provider: SignInProvider, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret.get_secret_value(),
        redirect_uri=redirect_uri,
        scope="openid email profile",
        code_challenge_method="S256",
        timeout=TIMEOUT_SECONDS,
    )


def begin(provider: SignInProvider, redirect_uri: str) -> tuple[str, Flow]:
    """Where to send the browser, and what to remember until it comes back."""
    metadata = _metadata(provider)
    verifier, nonce = generate_token(64), generate_token(32)
    with _client(provider, redirect_uri) as client:
        url, state = client.create_authorization_url(
            metadata.authorization_endpoint, code_verifier=verifier, nonce=nonce
        )
    return url, Flow(provider.key, state, nonce, verifier)


STARTED_ELSEWHERE = (
    "This sign-in did not start in this browser, or another sign-in started since. Start "
    "again from the sign-in page."
)


def finish(
    provider: SignInProvider, redirect_uri: str, flow: Flow, answer: dict[str, str]
) -> Identity:
    """The person the provider signed in, from its answer at the callback: the state must be
    the one this browser started with, the code is exchanged with this sign-in's PKCE
    verifier, and the ID token must be signed by the provider for this client, unexpired,
    with this sign-in's nonce."""
    if "error" in answer:
        raise SignInRefusedError(
            f"Your organisation's sign-in service did not sign you in "
            f"({answer.get('error_description') or answer['error']}). Start again, or ask "
            "your organisation's IT service desk."
        )
    if not hmac.compare_digest(answer.get("state", ""), flow.state) or not answer.get("code"):
        raise SignInRefusedError(STARTED_ELSEWHERE)
    metadata = _metadata(provider)
    try:
        with _client(provider, redirect_uri) as client:
            token = client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=answer["code"],
                code_verifier=flow.verifier,
            )
    except OAuthError as error:
        raise SignInRefusedError(
            "Your organisation's sign-in service did not accept this sign-in: it took too "
            "long, was used already, or did not match what Placecheck started. Start again "
            f"from the sign-in page. ({error.error})"
        ) from error
    except httpx.HTTPError as error:
        raise SignInRefusedError(
            "Placecheck could not reach your organisation's sign-in service. Try again."
        ) from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefusedError("Your organisation's sign-in service sent no ID token.")
    return _checked(provider, id_token, flow.nonce)


def _checked(provider: SignInProvider, id_token: str, nonce: str) -> Identity:
    claims = _verified_claims(provider, id_token)
    issuer = provider.issuer
    if TENANT in issuer:
        # Microsoft Entra ID's multi-tenant issuer is a template: the token's own tenant
        # fills it in, and the token's issuer must then be exactly that.
        tenant = claims.get("tid")
        if not isinstance(tenant, str) or not tenant.replace("-", "").isalnum():
            raise SignInRefusedError("The ID token names no tenant. Start again.")
        issuer = issuer.replace(TENANT, tenant)
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        reason = error.description or "its claims are not right"
        raise SignInRefusedError(
            f"The sign-in could not be checked ({error.error}: {reason}). Start again from "
            "the sign-in page."
        ) from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInRefusedError("The ID token was issued to another service. Start again.")
    email = claims.get("email") or claims.get("preferred_username") or claims.get("upn")
    name = claims.get("name")
    return Identity(
        issuer,
        str(claims["sub"]),
        str(email).strip().lower() if email else None,
        str(name)[:200] if name else None,
    )


def _verified_claims(provider: SignInProvider, id_token: str) -> dict[str, Any]:
    """The token's claims once its signature is checked; the keys are fetched again once if
    the check fails with the keys kept (the provider may have rotated them)."""
    for fresh in (False, True):
        keys = _metadata(provider, fresh=fresh).keys
        try:
            return dict(jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS).claims)
        except (JoseError, ValueError) as error:
            if fresh:
                raise SignInRefusedError(
                    "The ID token's signature could not be checked against your "
                    "organisation's keys. Start again from the sign-in page."
                ) from error
    raise AssertionError("unreachable")


def allowed_domain(provider: SignInProvider, email: str | None) -> bool:
    if not email or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1]
    return any(domain == allowed.lower() for allowed in provider.domains)


def account_of(session: Session, identity: Identity) -> User | None:
    """The account bound to this issuer and subject, if any."""
    return session.exec(
        select(User)
        .join(OrganisationAccount)
        .where(
            OrganisationAccount.issuer == identity.issuer,
            OrganisationAccount.subject == identity.subject,
        )
    ).first()


def bind(session: Session, user: User, provider: SignInProvider, identity: Identity) -> None:
    session.add(
        OrganisationAccount(
            user_id=user.id or 0,
            provider=provider.key,
            issuer=identity.issuer,
            subject=identity.subject,
        )
    )
