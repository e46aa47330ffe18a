"""The ID token's checks, each on its own: Placecheck's own code (``finish``) against a
provider on loopback that publishes its discovery document and keys and answers the code
exchange with a token made here, right but for one thing. The whole sign-in against a real,
certified provider is in tests/browser/test_organisation_sign_in.py; this provider only lets
one claim at a time be wrong, which no certified provider would do."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr
from sqlalchemy import Engine

from app.accounts.organisation_sign_in import Flow, SignInRefusedError, finish
from app.core.config import Settings, SignInProvider
from app.main import create_app
from tests.support.pages import csrf_of
from tests.support.servers import free_port

CLIENT = "placecheck"
TENANT = "6f1b0c3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"


@dataclass
class TokenIssuer:
    """What the loopback provider publishes and which token it hands over next."""

    origin: str
    key: RSAKey
    published: list[RSAKey]
    next_token: str = ""
    issuer: str = ""
    seen: list[str] = field(default_factory=list)


def _handler(issuer: TokenIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _json(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            issuer.seen.append(self.path)
            if self.path.endswith("/.well-known/openid-configuration"):
                self._json(
                    {
                        "issuer": issuer.issuer,
                        "authorization_endpoint": f"{issuer.origin}/auth",
                        "token_endpoint": f"{issuer.origin}/token",
                        "jwks_uri": f"{issuer.origin}/jwks",
                    }
                )
            else:
                self._json({"keys": [k.as_dict(private=False) for k in issuer.published]})

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._json({"access_token": "a", "token_type": "Bearer", "id_token": issuer.next_token})

        def log_message(self, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def token_issuer() -> Iterator[TokenIssuer]:
    port = free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": "first"})
    issuer = TokenIssuer(f"http://127.0.0.1:{port}", key, [key])
    issuer.issuer = issuer.origin
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(issuer))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield issuer
    server.shutdown()


def _provider(issuer: TokenIssuer, configured_issuer: str | None = None) -> SignInProvider:
    return SignInProvider(
        key="council",
        label="Sign in with your council account",
        issuer=configured_issuer or issuer.issuer,
        discovery_url=f"{issuer.origin}/.well-known/openid-configuration",
        client_id=CLIENT,
        client_secret=SecretStr("secret"),
        domains=["kestrel-vale.example"],
    )


def _signed(key: RSAKey, **claims: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _claims(issuer: TokenIssuer, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer.issuer,
        "aud": CLIENT,
        "sub": "subject-1",
        "exp": now + 300,
        "iat": now,
        "nonce": "the-nonce",
        "email": "Ana@Kestrel-Vale.example",
        **changes,
    }


FLOW = Flow("council", "the-state", "the-nonce", "the-verifier")
ANSWER = {"state": "the-state", "code": "a-code"}


def _finish(issuer: TokenIssuer, provider: SignInProvider | None = None) -> object:
    return finish(provider or _provider(issuer), "http://127.0.0.1/cb", FLOW, ANSWER)


def test_a_right_token_names_the_person(token_issuer: TokenIssuer) -> None:
    token_issuer.next_token = _signed(token_issuer.key, **_claims(token_issuer))

    identity = _finish(token_issuer)

    assert identity.issuer == token_issuer.issuer  # type: ignore[attr-defined]
    assert identity.subject == "subject-1"  # type: ignore[attr-defined]
    assert identity.email == "ana@kestrel-vale.example"  # type: ignore[attr-defined]


WRONG = {
    "another issuer": ({"iss": "https://login.example.org"}, "iss"),
    "another audience": ({"aud": "someone-else"}, "aud"),
    "expired an hour ago": ({"exp": int(time.time()) - 3600}, "exp"),
    "another sign-in's nonce": ({"nonce": "another-nonce"}, "nonce"),
    "no subject": ({"sub": None}, "sub"),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_a_token_wrong_in_one_claim_is_refused(token_issuer: TokenIssuer, case: str) -> None:
    changes, claim = WRONG[case]
    claims = {k: v for k, v in _claims(token_issuer, **changes).items() if v is not None}
    token_issuer.next_token = _signed(token_issuer.key, **claims)

    with pytest.raises(SignInRefusedError, match=claim):
        _finish(token_issuer)


def test_a_token_signed_with_another_key_is_refused(token_issuer: TokenIssuer) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "first"})
    token_issuer.next_token = _signed(stranger, **_claims(token_issuer))

    with pytest.raises(SignInRefusedError, match="signature"):
        _finish(token_issuer)


def test_an_unsigned_token_is_refused(token_issuer: TokenIssuer) -> None:
    header, payload, _ = _signed(token_issuer.key, **_claims(token_issuer)).split(".")
    token_issuer.next_token = f"{header}.{payload}."

    with pytest.raises(SignInRefusedError, match="signature"):
        _finish(token_issuer)


def test_a_rotated_key_is_fetched_again(token_issuer: TokenIssuer) -> None:
    token_issuer.next_token = _signed(token_issuer.key, **_claims(token_issuer))
    _finish(token_issuer)  # the first key, kept
    rotated = RSAKey.generate_key(2048, parameters={"kid": "second"})
    token_issuer.published = [rotated]
    token_issuer.next_token = _signed(rotated, **_claims(token_issuer))

    assert _finish(token_issuer).subject == "subject-1"  # type: ignore[attr-defined]
    assert token_issuer.seen.count("/jwks") == 2


def test_entra_multi_tenant_issuer_is_checked_against_the_tokens_own_tenant(
    token_issuer: TokenIssuer,
) -> None:
    template = token_issuer.origin + "/{tenantid}/v2.0"
    token_issuer.issuer = template  # as Entra's multi-tenant discovery document says it
    provider = _provider(token_issuer, configured_issuer=template)
    own = token_issuer.origin + f"/{TENANT}/v2.0"
    token_issuer.next_token = _signed(
        token_issuer.key, **_claims(token_issuer, iss=own, tid=TENANT)
    )
    assert _finish(token_issuer, provider).issuer == own  # type: ignore[attr-defined]

    other_tenant = token_issuer.origin + "/00000000-0000-0000-0000-000000000000/v2.0"
    token_issuer.next_token = _signed(
        token_issuer.key, **_claims(token_issuer, iss=other_tenant, tid=TENANT)
    )
    with pytest.raises(SignInRefusedError, match="iss"):
        _finish(token_issuer, provider)


def test_a_discovery_document_for_another_issuer_is_refused(token_issuer: TokenIssuer) -> None:
    provider = _provider(token_issuer, configured_issuer="https://login.example.org")

    with pytest.raises(SignInRefusedError, match="names another issuer"):
        _finish(token_issuer, provider)


def test_an_answer_with_another_state_is_refused_before_any_exchange(
    token_issuer: TokenIssuer,
) -> None:
    with pytest.raises(SignInRefusedError, match="did not start in this browser"):
        finish(_provider(token_issuer), "http://127.0.0.1/cb", FLOW, {**ANSWER, "state": "x"})
    assert token_issuer.seen == []


def test_a_return_from_a_provider_that_this_browser_never_went_to_is_refused(
    settings: Settings, engine: Engine
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as browser:
        forged = browser.get("/sign-in/callback", params={"state": "x" * 5000, "code": "=1+1"})
        unknown = browser.post("/sign-in/with/nowhere", data={"csrf_token": _csrf(browser)})

    assert forged.status_code == 403 and "did not start in this browser" in forged.text
    assert unknown.status_code == 404 and "no such way to sign in" in unknown.text


def _csrf(browser: TestClient) -> str:
    return csrf_of(browser.get("/sign-in").text)
