"""Signing in and out, passwords and their limits, accounts an administrator manages, the audit
log, and the header each kind of person sees."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.security.session_cookie import SESSION_COOKIE
from app.main import create_app
from app.models import (
    AuditEvent,
    Place,
    User,
)
from tests.support.pages import PASSWORD, csrf_of, post_form, sign_in
from tests.support.workspace import Workspace


def test_signing_in_gives_an_httponly_samesite_cookie_and_signing_out_ends_it(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        page = client.get("/sign-in")
        response = client.post(
            "/sign-in",
            data={
                "email": "FRAN@example.org ",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert client.get("/places").status_code == 200
        post_form(client, "/places", "/sign-out", {}, follow_redirects=False)
        assert client.get("/places", follow_redirects=False).status_code == 303


def test_a_copy_of_the_cookie_stops_working_when_its_owner_signs_out(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    app = create_app(settings=settings, engine=engine)
    with TestClient(app) as browser, TestClient(app) as copy:
        sign_in(browser, "fran@example.org")
        copy.cookies.set(SESSION_COOKIE, browser.cookies[SESSION_COOKIE])
        assert copy.get("/places", follow_redirects=False).status_code == 200
        with TestClient(app) as elsewhere:
            sign_in(elsewhere, "fran@example.org")  # another device, another session

            post_form(browser, "/places", "/sign-out", {}, follow_redirects=False)

            assert copy.get("/places", follow_redirects=False).status_code == 303
            assert elsewhere.get("/places", follow_redirects=False).status_code == 200


def test_a_deactivated_account_is_signed_out_at_once(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    app = create_app(settings=settings, engine=engine)
    with TestClient(app) as fran, TestClient(app) as admin:
        sign_in(fran, "fran@example.org")
        sign_in(admin, "admin@example.org")
        with Session(engine) as session:
            fran_id = session.exec(select(User).where(User.email == "fran@example.org")).one().id

        post_form(admin, "/admin/users", f"/admin/users/{fran_id}/active", {"active": "no"})

        assert fran.get("/places", follow_redirects=False).status_code == 303


def test_wrong_passwords_are_refused_then_limited_with_a_clear_message(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        responses = [
            post_form(
                client, "/sign-in", "/sign-in", {"email": "fran@example.org", "password": "wrong"}
            )
            for _ in range(6)
        ]
        assert [r.status_code for r in responses] == [400] * 5 + [429]
        assert all("The e-mail address or password is not right" in r.text for r in responses[:5])
        assert "Too many failed attempts" in responses[5].text
        # Even the right password waits until the window has passed.
        right = post_form(
            client, "/sign-in", "/sign-in", {"email": "fran@example.org", "password": PASSWORD}
        )
        assert right.status_code == 429


def test_one_persons_wrong_passwords_do_not_lock_out_colleagues_at_the_same_address(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        for _ in range(6):
            post_form(
                client, "/sign-in", "/sign-in", {"email": "fran@example.org", "password": "wrong"}
            )
        colleague = post_form(
            client,
            "/sign-in",
            "/sign-in",
            {"email": "vic@example.org", "password": PASSWORD},
            follow_redirects=False,
        )
        assert colleague.status_code == 303


def test_the_audit_log_records_sign_ins_exports_status_changes_and_deletions(
    facilitator: TestClient, workspace: Workspace, engine: Engine, settings: Settings
) -> None:
    path = f"/rounds/{workspace.current_round}"
    facilitator.get(f"{path}/export.csv")
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    post_form(facilitator, f"{path}/delete", f"{path}/delete", {"confirm": "yes"})
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    for action in ("sign-in", "round-exported", "round-status-changed", "round-deleted"):
        assert action in actions
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        page = admin.get("/admin/audit").text
        assert "Round deleted" in page and "Fran Facilitator" in page


def test_an_administrator_can_give_a_new_user_the_right_to_set_up_places(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        page = admin.get("/admin/users")
        response = admin.post(
            "/admin/users",
            data={
                "display_name": "Pat Planner",
                "email": "pat@example.org",
                "password": "a-long-enough-password",
                "rights": ["places"],
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )

    assert response.status_code == 303
    with Session(engine) as session:
        pat = session.exec(select(User).where(User.email == "pat@example.org")).one()
    assert pat.may_create_places and not pat.is_administrator


def test_a_viewer_sees_a_forum_members_header_and_a_facilitator_their_workspace(
    settings: Settings, engine: Engine, workspace: Workspace, facilitator: TestClient
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        viewer = sign_in(client, "vic@example.org")
        page = viewer.get("/places").text
        assert "Forum member's view" in page
        assert "Facilitator's workspace" not in page
        assert "Set up a place" not in page
    assert "Facilitator's workspace" in facilitator.get("/places").text


def test_the_users_page_confirms_each_change_and_offers_adding_before_giving_access(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        added = post_form(
            admin,
            "/admin/users",
            "/admin/users",
            {
                "display_name": "Pat Planner",
                "email": "pat@example.org",
                "password": "a-long-enough-password",
            },
        )
        with Session(engine) as session:
            pat = session.exec(select(User).where(User.email == "pat@example.org")).one()
            place = session.exec(select(Place).where(Place.slug == workspace.place_slug)).one()
        saved = post_form(
            admin,
            "/admin/users",
            "/admin/memberships",
            {"user_id": str(pat.id), "place_id": str(place.id), "role": "viewer"},
        )

    assert "The user was added" in added.text
    assert "Their access to the place was saved" in saved.text
    assert saved.text.index("Add a user") < saved.text.index("Give someone access to a place")


def test_the_audit_log_names_rounds_and_shows_changes_as_before_and_after(
    facilitator: TestClient, workspace: Workspace, engine: Engine, settings: Settings
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator, f"{path}/edit", f"{path}/edit", {"title": "Renamed round"})
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        page = admin.get("/admin/audit").text

    row = page.split("Round changed", 1)[1].split("</tr>", 1)[0]
    assert "Renamed round" in row and "→ Renamed round" in row
    assert "{" not in row and "[" not in row


def test_an_account_given_its_password_by_an_administrator_must_choose_its_own_first(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    given = "a password the admin knows"
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        made = post_form(
            admin,
            "/admin/users",
            "/admin/users",
            {"display_name": "Nia New", "email": "nia@example.org", "password": given},
            follow_redirects=False,
        )
        assert made.status_code == 303
    with TestClient(create_app(settings=settings, engine=engine)) as nia:
        sign_in(nia, "nia@example.org", given)

        account = nia.get("/account").text
        assert "Choose a password of your own before you go on" in account
        token = csrf_of(account)
        for sent in (
            nia.get("/places", follow_redirects=False),
            nia.get(f"/rounds/{workspace.current_round}", follow_redirects=False),
            nia.post(
                "/places", data={"csrf_token": token, "name": "Nia's"}, follow_redirects=False
            ),
        ):
            assert (sent.status_code, sent.headers.get("location")) == (303, "/account")

        chosen = post_form(
            nia,
            "/account",
            "/account/password",
            {
                "current_password": given,
                "new_password": "a password only nia knows",
                "confirm_password": "a password only nia knows",
            },
            follow_redirects=False,
        )

        assert chosen.status_code == 303
        assert nia.get("/places").status_code == 200
        assert "Choose a password of your own" not in nia.get("/account").text
    with Session(engine) as session:
        nia_row = session.exec(select(User).where(User.email == "nia@example.org")).one()
        fran = session.exec(select(User).where(User.email == "fran@example.org")).one()
        assert not nia_row.must_choose_password
        assert not fran.must_choose_password  # accounts made before are left as they were
