"""Signing in with the organisation's own account, in Chromium, against a real OpenID Connect
provider on loopback (``tests.support.organisation_provider``): the first sign-in through an
invitation binds the account, later ones match it; a refused domain, someone never invited, a
tampered state, a code made for another PKCE verifier and an expired code are each refused in
words, and none of them signs anyone in."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from playwright.sync_api import APIResponse, Browser, Page
from sqlmodel import Session, SQLModel, select

from app.accounts.joining import invite_to_place, join_token
from app.core.config import Environment, Settings
from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import MembershipRole
from app.models import AccountInvitationBase, AuditEvent, OrganisationAccount, Place, User
from tests.support.browser import axe_violations
from tests.support.organisation_provider import LABEL, RunningProvider, organisation_provider
from tests.support.servers import LiveServer, free_port, serving

CODE_SECONDS = 5
"""How long the provider's codes last: long enough for a busy machine to use one, short
enough to wait out in the expired-code test."""
DOMAIN = "kestrel-vale.example"


@dataclass(frozen=True)
class Setting:
    server: LiveServer
    provider: RunningProvider
    links: dict[str, str]


def _invite(session: Session, secret: str, email: str) -> str:
    place = session.exec(select(Place).where(Place.slug == "kestrel-vale")).one()
    facilitator = session.exec(select(User).where(User.email == DEMO_ACCOUNTS[0].email)).one()
    invitation, _ = invite_to_place(
        session=session,
        secret=secret,
        place=place,
        details=AccountInvitationBase(
            display_name=email.split("@")[0], email=email, role=MembershipRole.VIEWER
        ),
        invited_by=facilitator,
        form_key=f"test-{email}",
    )
    return f"/join/{join_token(secret, invitation.link_nonce)}"


@pytest.fixture
def setting(browser: Browser, tmp_path: Path) -> Iterator[Setting]:
    del browser  # Chromium must be there before a provider is started for it
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with organisation_provider(f"{origin}/sign-in/callback", CODE_SECONDS) as provider:
        engine = create_db_engine(f"sqlite:///{tmp_path / 'live.db'}")
        SQLModel.metadata.create_all(engine)
        settings = Settings(
            environment=Environment.TEST,
            database_url=engine.url.render_as_string(hide_password=False),
            sign_in_providers=[provider.settings([DOMAIN])],
        )
        with write_session(engine) as session:
            summary = load_demo(session, settings.secret)
            place = session.get(Place, summary.place_id)
            assert place is not None
            ensure_demo_accounts(session, place)
            links = {
                email: _invite(session, settings.secret, email)
                for email in (f"ana@{DOMAIN}", "ola@elsewhere.example", f"ida@{DOMAIN}")
            }
            session.commit()
        with serving(engine, settings, port) as server:
            yield Setting(server, provider, links)
        engine.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1024, "height": 900}, locale="en-GB", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def _sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's own sign-in page (its development one: any password)."""
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "the provider checks nothing here")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _accounts(setting: Setting) -> list[tuple[str, str]]:
    with Session(setting.server.engine) as session:
        rows = session.exec(
            select(User.email, OrganisationAccount.issuer).join(OrganisationAccount)
        ).all()
    return [(email, issuer) for email, issuer in rows]


def _signed_in(setting: Setting) -> list[object]:
    with Session(setting.server.engine) as session:
        return [
            event.detail.get("through")
            for event in session.exec(select(AuditEvent).where(AuditEvent.action == "sign-in"))
        ]


def test_an_invited_person_joins_with_their_organisations_account_and_signs_in_again(
    page: Page, setting: Setting
) -> None:
    origin = setting.server.url
    page.goto(origin + setting.links[f"ana@{DOMAIN}"])
    assert axe_violations(page) == []
    page.get_by_role("button", name=LABEL).click()
    _sign_in_at_provider(page, f"ana@{DOMAIN}")

    assert page.url == f"{origin}/places/kestrel-vale?done=joined", page.inner_text("body")[:600]
    assert "Welcome: you have joined this place" in page.inner_text("main")
    assert _accounts(setting) == [(f"ana@{DOMAIN}", setting.provider.issuer)]
    with Session(setting.server.engine) as session:
        ana = session.exec(select(User).where(User.email == f"ana@{DOMAIN}")).one()
        assert not ana.signs_in_with_password
    used = page.goto(origin + setting.links[f"ana@{DOMAIN}"])
    assert used is not None and used.status == 410
    page.goto(origin + "/account")
    assert "You sign in with your organisation's account" in page.inner_text("main")

    page.get_by_role("button", name="Sign out").click()
    page.goto(origin + "/sign-in?next=/account")
    assert axe_violations(page) == []
    page.get_by_role("button", name=LABEL).click()
    page.wait_for_url(f"{origin}/account")  # the provider remembers them: straight back
    assert _signed_in(setting) == ["organisation account (council)"] * 2


def test_an_address_outside_the_providers_domains_is_refused(page: Page, setting: Setting) -> None:
    page.goto(setting.server.url + setting.links["ola@elsewhere.example"])
    page.get_by_role("button", name=LABEL).click()
    _sign_in_at_provider(page, "ola@elsewhere.example")

    assert "ola@elsewhere.example is not an address that may sign in" in page.inner_text("main")
    assert _accounts(setting) == [] and _signed_in(setting) == []


def test_someone_never_invited_is_told_to_ask_for_an_invitation(
    page: Page, setting: Setting
) -> None:
    page.goto(setting.server.url + "/sign-in")
    page.get_by_role("button", name=LABEL).click()
    _sign_in_at_provider(page, f"ida@{DOMAIN}")  # invited, but not through this sign-in

    assert "You do not have a Placecheck account yet" in page.inner_text("main")
    assert _accounts(setting) == [] and _signed_in(setting) == []


def test_someone_signed_in_at_the_provider_as_another_address_is_refused(
    page: Page, setting: Setting
) -> None:
    page.goto(setting.server.url + setting.links[f"ida@{DOMAIN}"])
    page.get_by_role("button", name=LABEL).click()
    _sign_in_at_provider(page, f"ana@{DOMAIN}")

    assert f"This invitation was sent to ida@{DOMAIN}" in page.inner_text("main")
    assert _accounts(setting) == [] and _signed_in(setting) == []


def _caught_at_provider(page: Page, login: str) -> str:
    """Sign in at the provider's page as ``login``, but keep the address it sends the browser
    back to Placecheck with instead of following it, as an attacker who caught it (or a
    browser left waiting) would have it. The form is sent by the browser context's own
    requests (its cookies are the browser's), which let a redirect be read, not followed."""
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "the provider checks nothing here")
    action = page.eval_on_selector("form", "f => f.action")
    fields = page.eval_on_selector("form", "f => Object.fromEntries(new FormData(f))")
    return _followed_to_placecheck(
        page, page.context.request.post(action, form=fields, max_redirects=0), action
    )


def _followed_to_placecheck(page: Page, response: APIResponse, base: str) -> str:
    """Follow the provider's redirects until one goes back to Placecheck; that address."""
    location = urljoin(base, response.headers.get("location", ""))
    while "/sign-in/callback?" not in location:
        assert response.status in (302, 303), (response.status, response.text()[:500])
        response = page.context.request.get(location, max_redirects=0)
        location = urljoin(location, response.headers.get("location", ""))
    return location


def _answer(address: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(address).query).items()}


def test_a_tampered_state_is_refused(page: Page, setting: Setting) -> None:
    page.goto(setting.server.url + setting.links[f"ana@{DOMAIN}"])
    page.get_by_role("button", name=LABEL).click()
    answer = _answer(_caught_at_provider(page, f"ana@{DOMAIN}"))
    answer["state"] = answer["state"][::-1]

    page.goto(f"{setting.server.url}/sign-in/callback?{urlencode(answer)}")

    assert "This sign-in did not start in this browser" in page.inner_text("main")
    assert _accounts(setting) == [] and _signed_in(setting) == []


def test_a_code_made_for_another_pkce_verifier_is_refused(page: Page, setting: Setting) -> None:
    """An authorisation code made for someone else's PKCE challenge (a code injected into
    this browser's sign-in) is refused by the provider when Placecheck exchanges it with this
    sign-in's own verifier."""
    page.goto(setting.server.url + setting.links[f"ana@{DOMAIN}"])
    page.get_by_role("button", name=LABEL).click()
    ours = _answer(_caught_at_provider(page, f"ana@{DOMAIN}"))
    # The attacker's own authorisation, with a challenge of their own verifier.
    attackers = {
        "client_id": "placecheck-test",
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": f"{setting.server.url}/sign-in/callback",
        "state": "the-attackers-state",
        "nonce": "the-attackers-nonce",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    authorise = f"{setting.provider.issuer}/auth?{urlencode(attackers)}"
    injected = _answer(
        _followed_to_placecheck(
            page, page.context.request.get(authorise, max_redirects=0), authorise
        )
    )
    assert injected["state"] == "the-attackers-state" and injected["code"] != ours["code"]

    page.goto(
        f"{setting.server.url}/sign-in/callback?"
        + urlencode({"code": injected["code"], "state": ours["state"], "iss": ours["iss"]})
    )

    assert "did not accept this sign-in" in page.inner_text("main")
    assert _accounts(setting) == [] and _signed_in(setting) == []


def test_an_expired_code_is_refused(page: Page, setting: Setting) -> None:
    page.goto(setting.server.url + setting.links[f"ana@{DOMAIN}"])
    page.get_by_role("button", name=LABEL).click()
    caught = _caught_at_provider(page, f"ana@{DOMAIN}")
    time.sleep(setting.provider.code_seconds + 2)

    page.goto(caught)

    assert "did not accept this sign-in: it took too long" in page.inner_text("main")
    assert _accounts(setting) == [] and _signed_in(setting) == []
