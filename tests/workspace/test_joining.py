"""Accounts given by invitation: a facilitator invites someone by e-mail with a role; the link
works once, until it expires, only for the address it was sent to, and makes the account with
a password its owner chooses (or adds the place to the account they have)."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.core.db import write_session
from app.enums import MembershipRole
from app.main import create_app
from app.models import AccountInvitation, Place, PlaceMembership, User, utcnow
from tests.support.mail import mail_server
from tests.support.pages import csrf_of, post_form, sign_in
from tests.support.workspace import Workspace

PEOPLE = "/places/kestrel-vale/people"
CHOSEN = "my-own-chosen-password"


@pytest.fixture
def stranger(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    """Someone with no account, in a browser of their own."""
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield client


def _invite(client: TestClient, email: str, role: str = "viewer", name: str = "Nia New") -> str:
    """Invite someone from the People page; the link the page then offers to copy."""
    response = post_form(
        client,
        PEOPLE,
        PEOPLE,
        {**_form_key(client), "display_name": name, "email": email, "role": role},
    )
    assert response.status_code == 200, response.text[-3000:]
    return _link_for(response.text, email)


def _form_key(client: TestClient) -> dict[str, str]:
    match = re.search(r'name="form_key" value="([^"]+)"', client.get(PEOPLE).text)
    assert match
    return {"form_key": match.group(1)}


def _link_for(html: str, email: str) -> str:
    row = html.split(email.lower(), 1)[1]
    match = re.search(
        r'<code class="pc-link" id="join-\d+">http://testserver(/join/[^<]+)</code>', row
    )
    assert match, "the invitation's link is on the page"
    return match.group(1)


def _join(
    client: TestClient, link: str, email: str, password: str = CHOSEN, again: str | None = None
):  # type: ignore[no-untyped-def]
    page = client.get(link)
    if "csrf_token" not in page.text:  # no form here (a spent link): the token from another
        page = client.get("/sign-in")
    return client.post(
        link,
        data={
            "email": email,
            "new_password": password,
            "confirm_password": again or password,
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )


def _role_of(engine: Engine, email: str, place_slug: str = "kestrel-vale") -> MembershipRole | None:
    with Session(engine) as session:
        found = session.exec(
            select(PlaceMembership.role)
            .join(User, col(User.id) == col(PlaceMembership.user_id))
            .join(Place, col(Place.id) == col(PlaceMembership.place_id))
            .where(User.email == email, Place.slug == place_slug)
        ).first()
        return MembershipRole(found) if found else None


def test_an_invited_person_chooses_a_password_joins_and_the_link_then_opens_nothing(
    facilitator: TestClient, stranger: TestClient, engine: Engine
) -> None:
    link = _invite(facilitator, "Nia.New@Example.org", role="viewer")
    assert "copy the link from this page" in facilitator.get(PEOPLE).text

    page = stranger.get(link)
    assert page.status_code == 200
    assert "You are invited as a member of the place forum" in page.text
    assert "nia.new@example.org" in page.text

    forwarded = _join(stranger, link, "someone.else@example.org")
    assert forwarded.status_code == 400
    assert "sent to another e-mail address" in forwarded.text
    mistyped = _join(stranger, link, "NIA.NEW@example.org", again="not-the-same-password")
    assert mistyped.status_code == 400 and "Enter the same password in both boxes" in mistyped.text
    assert CHOSEN not in mistyped.text and "not-the-same-password" not in mistyped.text

    joined = _join(stranger, link, "NIA.NEW@example.org")

    assert joined.status_code == 303, joined.text[-2000:]
    assert joined.headers["location"] == "/places/kestrel-vale?done=joined"
    landing = stranger.get(joined.headers["location"])
    assert "Welcome: you have joined this place" in landing.text
    assert _role_of(engine, "nia.new@example.org") is MembershipRole.VIEWER
    with Session(engine) as session:
        person = session.exec(select(User).where(User.email == "nia.new@example.org")).one()
        assert not person.must_choose_password  # they chose it themselves

    with TestClient(stranger.app) as later:
        used = later.get(link)
        assert used.status_code == 410 and "This invitation has been used" in used.text
        sign_in(later, "nia.new@example.org", CHOSEN)
    assert "Nia New" not in facilitator.get(PEOPLE).text.split("Invitations waiting")[1]


def test_a_link_that_expired_was_withdrawn_or_names_nothing_opens_nothing(
    facilitator: TestClient, stranger: TestClient, engine: Engine
) -> None:
    expired = _invite(facilitator, "late@example.org")
    withdrawn = _invite(facilitator, "gone@example.org")
    with write_session(engine) as session:
        late = session.exec(
            select(AccountInvitation).where(AccountInvitation.email == "late@example.org")
        ).one()
        late.expires_at = utcnow() - timedelta(minutes=1)
        session.add(late)
        session.commit()
        gone_id = session.exec(
            select(AccountInvitation.id).where(AccountInvitation.email == "gone@example.org")
        ).one()
    action = f"{PEOPLE}/invitations/{gone_id}/withdraw"
    first = post_form(facilitator, PEOPLE, action, {}, follow_redirects=False)
    second = post_form(facilitator, PEOPLE, action, {}, follow_redirects=False)
    assert first.headers["location"] == f"{PEOPLE}?done=withdrawn"
    assert second.headers["location"] == PEOPLE  # nothing more happened

    assert stranger.get(expired).status_code == 410
    assert "has expired" in stranger.get(expired).text
    assert "Expired" in facilitator.get(PEOPLE).text
    assert "was withdrawn" in stranger.get(withdrawn).text
    assert _join(stranger, expired, "late@example.org").status_code == 410
    nothing = stranger.get("/join/" + "a" * 64)
    assert nothing.status_code == 404 and "copied whole" in nothing.text
    assert stranger.get("/join/" + "a" * 200).status_code == 404  # too long to be a link
    assert _role_of(engine, "late@example.org") is None


def test_someone_with_an_account_signs_in_to_accept(
    facilitator: TestClient, settings: Settings, engine: Engine
) -> None:
    link = _invite(facilitator, "sam@example.org", role="facilitator")
    with TestClient(create_app(settings=settings, engine=engine)) as sam:
        page = sam.get(link)
        assert "Sign in to accept the invitation" in page.text
        assert 'name="new_password"' not in page.text
        made_anyway = _join(sam, link, "sam@example.org")
        assert made_anyway.status_code == 400 and "already a Placecheck account" in made_anyway.text

        sign_in(sam, "sam@example.org")
        accepted = post_form(sam, link, link, {}, follow_redirects=False)

    assert accepted.headers["location"] == "/places/kestrel-vale?done=joined"
    assert _role_of(engine, "sam@example.org") is MembershipRole.FACILITATOR


def test_a_signed_in_person_cannot_accept_someone_elses_invitation(
    facilitator: TestClient, viewer: TestClient, engine: Engine
) -> None:
    link = _invite(facilitator, "sam@example.org", role="facilitator")

    refused = viewer.get(link)
    posted = viewer.post(link, data={"csrf_token": csrf_of(viewer.get("/account").text)})

    assert refused.status_code == posted.status_code == 403
    assert (
        "vic@example.org" in refused.text and "Sign out and follow the link again" in refused.text
    )
    assert _role_of(engine, "sam@example.org") is None
    assert _role_of(engine, "vic@example.org") is MembershipRole.VIEWER


def test_the_same_form_twice_makes_one_invitation_and_people_already_in_are_refused(
    facilitator: TestClient, engine: Engine
) -> None:
    key = _form_key(facilitator)
    fields = {**key, "display_name": "Dee Double", "email": "dee@example.org", "role": "viewer"}
    first = post_form(facilitator, PEOPLE, PEOPLE, fields, follow_redirects=False)
    again = post_form(facilitator, PEOPLE, PEOPLE, fields, follow_redirects=False)
    assert first.headers["location"] == f"{PEOPLE}?done=invited"
    assert again.headers["location"] == PEOPLE

    waiting = post_form(
        facilitator,
        PEOPLE,
        PEOPLE,
        {**_form_key(facilitator), **{k: v for k, v in fields.items() if k != "form_key"}},
    )
    member = post_form(
        facilitator,
        PEOPLE,
        PEOPLE,
        {
            **_form_key(facilitator),
            "display_name": "Vic",
            "email": "VIC@example.org",
            "role": "facilitator",
        },
    )
    blank = post_form(
        facilitator,
        PEOPLE,
        PEOPLE,
        {**_form_key(facilitator), "display_name": "", "email": "not an address", "role": "owner"},
    )

    assert waiting.status_code == member.status_code == blank.status_code == 400
    assert "already has a link to join Kestrel Vale" in waiting.text
    assert "vic@example.org is already a forum member of Kestrel Vale" in member.text
    assert blank.text.count('class="govuk-error-message"') == 3
    with Session(engine) as session:
        assert len(session.exec(select(AccountInvitation)).all()) == 1


def test_forum_members_cannot_invite_anyone(viewer: TestClient) -> None:
    assert viewer.get(PEOPLE).status_code == 403
    assert "Invite someone" not in viewer.get("/places/kestrel-vale").text


def test_with_mail_set_up_the_link_is_e_mailed_once(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    with mail_server() as inbox:
        mail = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False}
        )
        with TestClient(create_app(settings=mail, engine=engine)) as client:
            sign_in(client, "fran@example.org")
            fields = {
                **_form_key(client),
                "display_name": "Em Mail",
                "email": "em@example.org",
                "role": "facilitator",
            }
            sent = post_form(client, PEOPLE, PEOPLE, fields, follow_redirects=False)
            replayed = post_form(client, PEOPLE, PEOPLE, fields, follow_redirects=False)
            shown = client.get(sent.headers["location"]).text

    assert sent.headers["location"] == f"{PEOPLE}?done=emailed"
    assert replayed.headers["location"] == PEOPLE
    assert "The invitation was e-mailed to them" in shown and "E-mailed;" in shown
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "em@example.org"
    body = message.get_content()
    assert "Fran Facilitator has invited you to join Kestrel Vale" in body
    assert _link_for(shown, "em@example.org") in body


def test_an_administrator_invites_a_network_reader_who_joins_and_reads_the_network(
    settings: Settings, engine: Engine, stranger: TestClient
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as admin:
        sign_in(admin, "admin@example.org")
        key = re.findall(r'name="form_key" value="([^"]+)"', admin.get("/admin/users").text)[0]
        fields = {"form_key": key, "reader_name": "Rae Reader", "reader_email": "rae@example.org"}
        made = post_form(admin, "/admin/users", "/admin/network-readers", fields)
        assert "The network reader was invited" in made.text
        link = re.search(r'id="reader-\d+">http://testserver(/join/[^<]+)</code>', made.text)
        assert link is not None
        refused = post_form(
            admin,
            "/admin/users",
            "/admin/network-readers",
            {**fields, "form_key": "another-key-of-sixteen-or-more"},
        )
        assert refused.status_code == 400 and "already has a link to join the network" in (
            refused.text
        )
        assert 'href="#reader_email"' in refused.text

    page = stranger.get(link.group(1))
    assert "You are invited as a network reader" in page.text
    joined = _join(stranger, link.group(1), "rae@example.org")

    assert joined.headers["location"] == "/network"
    with Session(engine) as session:
        rae = session.exec(select(User).where(User.email == "rae@example.org")).one()
        assert rae.reads_network
        assert (
            session.exec(select(PlaceMembership).where(PlaceMembership.user_id == rae.id)).all()
            == []
        )
