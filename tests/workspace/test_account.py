"""Everyone signed in can change their own password; doing so signs out their other browsers."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.service import create_user
from app.core.db import begin_write
from app.models import AuditEvent, User, UserCreate
from tests.support.pages import csrf_of

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
