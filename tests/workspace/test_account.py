"""Everyone signed in can change their own password; doing so signs out their other browsers."""

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts.service import browser_of, create_user
from app.core.db import begin_write
from app.core.fields import every_secret_field
from app.core.security.passwords import hash_password, password_matches
from app.models import AuditEvent, User, UserCreate
from tests.support.pages import csrf_of
from tests.support.workspace import fail_commits

OLD, NEW = "a-temporary-password", "three unrelated words here"


def _signed_in(client: TestClient, email: str, password: str) -> None:
    page = client.get("/sign-in")
    token = csrf_of(page.text)
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code in (200, 303), response.text


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/account").text)


def _person(session: Session) -> None:
    begin_write(session)  # beside the app's own start-up checks, which write too
    create_user(
        session=session,
        details=UserCreate(
            email="vic@example.org", display_name="Vic Viewer", password=OLD, is_administrator=False
        ),
    )
    session.commit()


def test_a_person_changes_their_own_password_and_their_other_browsers_are_signed_out(
    client: TestClient, session: Session, engine
) -> None:  # type: ignore[no-untyped-def]
    _person(session)
    _signed_in(client, "vic@example.org", OLD)
    other = TestClient(client.app)
    _signed_in(other, "vic@example.org", OLD)
    assert other.get("/account").status_code == 200

    response = client.post(
        "/account/password",
        data={
            "csrf_token": _csrf(client),
            "current_password": OLD,
            "new_password": NEW,
            "confirm_password": NEW,
        },
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Your password has been changed" in response.text
    assert "Vic Viewer" in response.text
    assert other.get("/account", follow_redirects=False).status_code == 303  # signed out
    fresh = TestClient(client.app)
    _signed_in(fresh, "vic@example.org", NEW)
    assert fresh.get("/account").status_code == 200
    with Session(engine) as check:
        events = check.exec(select(AuditEvent.action)).all()
        assert "password-changed" in events


def test_a_wrong_current_password_or_a_mistyped_new_one_is_explained_and_changes_nothing(
    client: TestClient, session: Session, engine
) -> None:  # type: ignore[no-untyped-def]
    _person(session)
    _signed_in(client, "vic@example.org", OLD)
    cases = [
        (
            {"current_password": "not it at all", "new_password": NEW, "confirm_password": NEW},
            "Your current password is not right",
        ),
        (
            {"current_password": OLD, "new_password": NEW, "confirm_password": NEW + "x"},
            "Enter the same new password in both boxes",
        ),
        (
            {"current_password": OLD, "new_password": "short", "confirm_password": "short"},
            "A new password must be at least 12 characters long",
        ),
        (
            {"current_password": OLD, "new_password": OLD, "confirm_password": OLD},
            "Choose a new password, not the one you have now",
        ),
        (
            {"current_password": "", "new_password": "", "confirm_password": ""},
            "Enter your current password",
        ),
    ]
    for form, message in cases:
        response = client.post("/account/password", data={"csrf_token": _csrf(client), **form})
        assert response.status_code == 400, form
        assert "There is a problem" in response.text
        assert message in response.text, (form, response.text[:3000])

    with Session(engine) as check:
        user = check.exec(select(User).where(User.email == "vic@example.org")).one()
    fresh = TestClient(client.app)
    _signed_in(fresh, "vic@example.org", OLD)
    assert fresh.get("/account").status_code == 200
    assert user.password_hash


def _change(client: TestClient, current: str, new: str = NEW) -> httpx.Response:
    form = {"current_password": current, "new_password": new, "confirm_password": new}
    return client.post("/account/password", data={"csrf_token": _csrf(client), **form})


def test_a_new_password_is_kept_exactly_as_typed_spaces_and_all(
    client: TestClient, session: Session
) -> None:
    _person(session)
    _signed_in(client, "vic@example.org", OLD)
    spaced = "  three words, spaced  "

    assert _change(client, OLD, spaced).status_code == 200  # followed to the account page

    typed = TestClient(client.app)
    _signed_in(typed, "vic@example.org", spaced)
    assert typed.get("/account", follow_redirects=False).status_code == 200
    trimmed = TestClient(client.app)
    token = csrf_of(trimmed.get("/sign-in").text)
    form = {"csrf_token": token, "email": "vic@example.org", "password": spaced.strip()}
    assert trimmed.post("/sign-in", data=form).status_code == 400


def test_someone_whose_new_password_was_trimmed_still_signs_in_typing_it_as_chosen(
    client: TestClient, session: Session, engine: Engine
) -> None:
    spaced = " a password that ends in a space "
    _person(session)
    with Session(engine) as change:  # as the form that trimmed new passwords stored it
        user = change.exec(select(User).where(User.email == "vic@example.org")).one()
        user.password_hash = hash_password(spaced.strip())
        change.add(user)
        change.commit()

    _signed_in(client, "vic@example.org", spaced)

    assert client.get("/account", follow_redirects=False).status_code == 200
    with Session(engine) as check:
        stored = check.exec(select(User).where(User.email == "vic@example.org")).one()
    assert password_matches(stored.password_hash, spaced)  # the hash now holds it as typed


def test_wrong_current_passwords_are_limited_so_a_stolen_cookie_cannot_guess_its_way_in(
    client: TestClient, session: Session
) -> None:
    _person(session)
    _signed_in(client, "vic@example.org", OLD)

    statuses = [_change(client, f"a guess, number {n}").status_code for n in range(6)]
    refused = _change(client, OLD)

    assert statuses == [400] * 5 + [429]
    assert refused.status_code == 429
    assert "entered wrongly too many times" in refused.text


def test_a_page_shown_again_after_a_failed_save_never_holds_a_password(
    facilitator: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_commits(monkeypatch)
    secret = "my current password 123"
    form = {"current_password": secret, "new_password": NEW, "confirm_password": NEW}
    refused = facilitator.post("/account/password", data={"csrf_token": _csrf(facilitator), **form})

    assert refused.status_code == 503
    assert secret not in refused.text and NEW not in refused.text
    assert every_secret_field() >= {"password", "current_password", "new_password"}


FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EDGE_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


@pytest.mark.parametrize(
    ("user_agent", "named"),
    [
        (FIREFOX_ON_WINDOWS, "Firefox on Windows"),
        (SAFARI_ON_IPHONE, "Safari on an iPhone"),
        (EDGE_ON_WINDOWS, "Edge on Windows"),
        ("curl/8.5.0", "A browser"),
        ("=cmd|' /C calc'!A0" + "é" * 10_000, "A browser"),
    ],
)
def test_a_browser_is_named_by_what_a_person_recognises_and_nothing_more(
    user_agent: str, named: str
) -> None:
    assert browser_of(user_agent) == named


def test_a_person_sees_where_they_are_signed_in_and_signs_out_everywhere_else(
    client: TestClient, session: Session, engine: Engine
) -> None:
    _person(session)
    _signed_in(client, "vic@example.org", OLD)
    others = [
        TestClient(client.app, headers={"user-agent": ua})
        for ua in (FIREFOX_ON_WINDOWS, SAFARI_ON_IPHONE)
    ]
    for other in others:
        _signed_in(other, "vic@example.org", OLD)

    page = client.get("/account").text
    assert "Firefox on Windows" in page and "Safari on an iPhone" in page
    assert page.count("This browser") == 1

    first = client.post(
        "/account/sign-out-elsewhere", data={"csrf_token": _csrf(client)}, follow_redirects=False
    )
    again = client.post(
        "/account/sign-out-elsewhere", data={"csrf_token": _csrf(client)}, follow_redirects=False
    )

    assert first.status_code == again.status_code == 303
    assert (
        "You are now signed out on every other browser"
        in client.get(first.headers["location"]).text
    )
    for other in others:
        assert (
            other.get("/account", follow_redirects=False).headers["location"].startswith("/sign-in")
        )
    assert client.get("/account").status_code == 200
    with Session(engine) as check:
        recorded = check.exec(
            select(AuditEvent).where(AuditEvent.action == "signed-out-elsewhere")
        ).all()
    assert len(recorded) == 1  # the second found nothing more to end
