"""A code from an authenticator app as the second step of signing in with a password: set up
with a code, each code good once, recovery codes good once, codes counted against the sign-in
limit like passwords, and required by the operator of the people who run something."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts.two_factor import STEP_SECONDS
from app.core.config import Settings
from app.main import create_app
from app.models import AuditEvent, TwoFactor, User, utcnow
from tests.support.pages import PASSWORD, csrf_of, post_form, sign_in
from tests.support.workspace import Workspace

FRAN = "fran@example.org"


def _secret(engine: Engine, email: str = FRAN) -> str:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        found = session.get(TwoFactor, user.id)
        assert found is not None
        return found.secret


def _code(secret: str, steps_ago: int = 0) -> str:
    moment = utcnow() - timedelta(seconds=STEP_SECONDS * steps_ago)
    return pyotp.TOTP(secret).at(moment)


def _turn_on(client: TestClient, engine: Engine) -> list[str]:
    """Set it up as a person does; the recovery codes shown, and the code confirmed a step ago
    (so that the code of this step is still unused)."""
    page = "/account/two-factor"
    assert post_form(client, page, f"{page}/start", {}, follow_redirects=False).status_code == 303
    shown = client.get(page).text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown)
    confirmed = post_form(
        client, page, f"{page}/confirm", {"code": _code(_secret(engine), 1)}, follow_redirects=False
    )
    assert confirmed.status_code == 303, confirmed.text
    return codes


def _password_step(client: TestClient) -> None:
    page = client.get("/sign-in")
    sent = client.post(
        "/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": FRAN, "password": PASSWORD},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/sign-in/code"


def _code_step(client: TestClient, code: str) -> int:
    page = client.get("/sign-in/code")
    sent = client.post(
        "/sign-in/code",
        data={"csrf_token": csrf_of(page.text), "code": code},
        follow_redirects=False,
    )
    return sent.status_code


@pytest.fixture
def fresh(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    """A browser nobody has signed in on yet."""
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield client


def test_turning_it_on_takes_a_code_from_the_app_and_shows_recovery_codes_once(
    facilitator: TestClient, engine: Engine
) -> None:
    page = "/account/two-factor"
    post_form(facilitator, page, f"{page}/start", {})
    shown = facilitator.get(page).text
    assert "<svg" in shown and "QR code to add Placecheck" in shown
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown)
    assert len(codes) == 10

    wrong = post_form(facilitator, page, f"{page}/confirm", {"code": "000000"})
    assert wrong.status_code == 400 and 'href="#code">The code is not right' in wrong.text
    post_form(facilitator, page, f"{page}/confirm", {"code": _code(_secret(engine))})

    on = facilitator.get(page).text
    assert "On since" in on and "You have 10 recovery codes left" in on
    assert not any(code in on for code in codes)  # shown once, kept only as hashes
    assert "On: signing in asks for a code" in facilitator.get("/account").text


def test_signing_in_asks_for_the_code_and_a_code_is_good_once(
    facilitator: TestClient, fresh: TestClient, engine: Engine, settings: Settings
) -> None:
    _turn_on(facilitator, engine)

    _password_step(fresh)
    assert fresh.get("/places", follow_redirects=False).headers["location"].startswith("/sign-in")
    assert _code_step(fresh, "123456") == 400
    right = _code(_secret(engine))
    assert _code_step(fresh, right) == 303
    assert fresh.get("/places").status_code == 200

    with TestClient(create_app(settings=settings, engine=engine)) as other:
        _password_step(other)
        assert _code_step(other, right) == 400  # the same code, replayed
        assert other.get("/places", follow_redirects=False).status_code == 303
    with Session(engine) as session:
        signed_in = session.exec(select(AuditEvent).where(AuditEvent.action == "sign-in")).all()
        assert signed_in[-1].detail == {"second_factor": "app"}


def test_a_recovery_code_lets_in_once(
    facilitator: TestClient, engine: Engine, settings: Settings
) -> None:
    codes = _turn_on(facilitator, engine)
    for expected in (303, 400):
        with TestClient(create_app(settings=settings, engine=engine)) as browser:
            _password_step(browser)
            assert _code_step(browser, codes[0].upper().replace("-", " ")) == expected
    assert "You have 9 recovery codes left" in facilitator.get("/account/two-factor").text


def test_codes_count_against_the_sign_in_limit_like_passwords(
    facilitator: TestClient, fresh: TestClient, engine: Engine
) -> None:
    _turn_on(facilitator, engine)
    _password_step(fresh)

    statuses = [_code_step(fresh, f"{n:06d}") for n in range(6)]

    assert statuses == [400] * 5 + [429], statuses  # the right password gave its place back
    assert _code_step(fresh, _code(_secret(engine))) == 429  # even the right one, for now


def test_a_second_step_begun_elsewhere_or_forged_is_refused(
    fresh: TestClient, workspace: Workspace
) -> None:
    fresh.cookies.set("placecheck_second_step", "forged.value.here")
    assert fresh.get("/sign-in/code", follow_redirects=False).headers["location"] == "/sign-in"


def test_the_operator_can_require_it_of_everyone_who_runs_something(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    required = settings.model_copy(update={"require_two_factor": True})
    with TestClient(create_app(settings=required, engine=engine)) as fran:
        sign_in(fran, FRAN)
        sent = fran.get("/places", follow_redirects=False)
        assert (sent.status_code, sent.headers["location"]) == (303, "/account/two-factor")
        _turn_on(fran, engine)
        assert fran.get("/places").status_code == 200
    with TestClient(create_app(settings=required, engine=engine)) as vic:
        sign_in(vic, "vic@example.org")  # a forum member only: not asked
        assert vic.get("/places").status_code == 200
