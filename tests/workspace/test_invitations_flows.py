"""Invitations: uploading a file of people, its mistakes explained line by line, and links copied,
reissued and revoked."""

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models import (
    Invitation,
)
from tests.support.pages import csrf_of, post_form
from tests.support.workspace import Workspace

TWO_PEOPLE = (
    "organisation,role,name,email\n"
    "Fenmoor Police,Chief Inspector,Pat Lee,pat@example.org\n"
    "Kestrel Homes,Housing Officer,Jo Bell,jo@example.org\n"
)


def _upload_invitations(facilitator: TestClient, round_id: int, content: str) -> Response:
    """Upload an invitations file from the round's page, as a facilitator would."""
    page = facilitator.get(f"/rounds/{round_id}/invitations")
    return facilitator.post(
        f"/rounds/{round_id}/invitations/upload",
        data={"csrf_token": csrf_of(page.text)},
        files={"invitations_file": ("people.csv", content.encode(), "text/csv")},
    )


def test_a_csv_with_a_bad_row_is_explained_line_by_line_and_nothing_is_imported(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _count_invitations(engine, workspace.current_round)
    content = (
        "organisation,role,name,email\n"
        "Fenmoor Police,Chief Inspector,Pat Lee,pat@example.org\n"
        "Fenmoor Polce,Analyst,,\n"
        "Kestrel Homes,,Jo,jo@\n"
    )
    response = _upload_invitations(facilitator, workspace.current_round, content)
    assert response.status_code == 400
    assert (
        "Line 3: &#39;Fenmoor Polce&#39; is not one of this place&#39;s organisations"
        in response.text
    )
    assert (
        "Line 4: Enter the person&#39;s role, for example Head of Policy; Enter an e-mail "
        "address in the right format, like name@example.org" in response.text
    )
    assert _count_invitations(engine, workspace.current_round) == before

    good = content.splitlines()[0] + "\n" + content.splitlines()[1] + "\n"
    response = _upload_invitations(facilitator, workspace.current_round, good)
    assert "1 invitations added" in response.text
    assert _count_invitations(engine, workspace.current_round) == before + 1


def _count_invitations(engine: Engine, round_id: int) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Invitation).where(Invitation.round_id == round_id)).all())


def _first_link(client: TestClient, round_id: int) -> tuple[str, str]:
    """(role, token) of the first person in the round's links file."""
    row = list(csv.reader(io.StringIO(client.get(f"/rounds/{round_id}/links.csv").text)))[1]
    return row[2], row[-1].rsplit("/r/", 1)[1]


def test_links_can_be_copied_again_reissued_and_revoked(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    role, token = _first_link(facilitator, workspace.current_round)
    assert facilitator.get(f"/r/{token}").status_code == 200
    with Session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(
                Invitation.round_id == workspace.current_round, Invitation.role_title == role
            )
        ).first()
        assert invitation is not None
        invitation_id = invitation.id
    post_form(facilitator, path, f"{path}/invitations/{invitation_id}/reissue", {})
    assert facilitator.get(f"/r/{token}").status_code == 404
    assert _first_link(facilitator, workspace.current_round)[0] == role
    new_token = _first_link(facilitator, workspace.current_round)[1]
    assert new_token != token and facilitator.get(f"/r/{new_token}").status_code == 200
    post_form(facilitator, path, f"{path}/invitations/{invitation_id}/revoke", {})
    assert facilitator.get(f"/r/{new_token}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "N" * 201, "The person&#39;s name must be 200 characters or fewer"),
        ("email", "not an address", "Enter an e-mail address in the right format"),
        ("email", "x" * 320 + "@example.org", "must be 320 characters or fewer"),
        ("role_title", "", "Enter the person&#39;s role, for example Head of Policy"),
    ],
)
def test_an_invitation_with_a_field_out_of_bounds_is_explained_and_not_stored(
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
    field: str,
    value: str,
    message: str,
) -> None:
    path = f"/rounds/{workspace.current_round}"
    before = _count_invitations(engine, workspace.current_round)
    page = facilitator.get(f"{path}/invitations")
    organisation = re.search(
        r'name="organisation_id"[^>]*>.*?<option value="(\d+)"', page.text, re.S
    )
    assert organisation is not None
    data = {"organisation_id": organisation.group(1), "role_title": "Analyst", field: value}

    response = facilitator.post(
        f"{path}/invitations", data={**data, "csrf_token": csrf_of(page.text)}
    )

    assert response.status_code == 400
    assert message in response.text
    assert f'href="#{field}"' in response.text  # the error summary links to the field
    assert _count_invitations(engine, workspace.current_round) == before


def test_a_quote_mark_left_open_in_an_invitation_file_is_caught_not_merged(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _count_invitations(engine, workspace.current_round)
    content = (
        "organisation,role,name,email\n"
        'Fenmoor Police,"Chief Inspector,Pat Lee,pat@example.org\n'
        "Fenmoor Police,Analyst,Sam Roe,sam@example.org\n"
    )
    response = _upload_invitations(facilitator, workspace.current_round, content)

    assert response.status_code == 400
    assert "Line 2: The person&#39;s role must be on one line" in response.text
    assert _count_invitations(engine, workspace.current_round) == before


def test_an_imported_file_is_confirmed_after_a_redirect_so_reloading_imports_nothing(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _count_invitations(engine, workspace.current_round)
    page = facilitator.get(f"/rounds/{workspace.current_round}/invitations")
    response = facilitator.post(
        f"/rounds/{workspace.current_round}/invitations/upload",
        data={"csrf_token": csrf_of(page.text)},
        files={"invitations_file": ("people.csv", TWO_PEOPLE.encode(), "text/csv")},
        follow_redirects=False,
    )

    assert response.status_code == 303
    confirmed = response.headers["location"]
    for _ in range(2):  # the confirmation, then a reload of it
        assert "2 invitations added" in facilitator.get(confirmed).text
    assert _count_invitations(engine, workspace.current_round) == before + 2


def test_a_confirmation_shows_only_what_was_recorded_not_what_the_address_says(
    facilitator: TestClient, workspace: Workspace
) -> None:
    """Nobody has imported or e-mailed anything in this round yet: the address names the
    change, but there is no record of it, so no banner."""
    page = facilitator.get(
        f"/rounds/{workspace.current_round}/invitations?done=imported&rows=987654321"
    ).text

    assert "invitations added" not in page
    assert "987654321" not in page


def test_uploading_the_same_people_again_invites_no_one_twice_and_says_which_lines(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _count_invitations(engine, workspace.current_round)
    _upload_invitations(facilitator, workspace.current_round, TWO_PEOPLE)
    again = TWO_PEOPLE + (
        "Fenmoor Police,Inspector,,PAT@example.org \n"  # the same address, in other letters
        "Kestrel Homes,Tenant Liaison,Sam Roe,\n"
        "Kestrel Homes,Tenant Liaison,Sam  Roe,\n"  # the same name twice in one file
        "Kestrel Homes,Panel member,,\n"  # people known only by their role are all kept
        "Kestrel Homes,Panel member,,\n"
    )

    response = _upload_invitations(facilitator, workspace.current_round, again)

    shown = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    assert "3 invitations added" in shown
    assert "4 rows were skipped because those people are already invited" in shown
    assert "lines 2, 3, 4, 6 of the file" in shown
    assert _count_invitations(engine, workspace.current_round) == before + 2 + 3


def test_the_mail_merge_greets_everyone_and_says_how_long_each_version_takes(
    facilitator: TestClient, workspace: Workspace
) -> None:
    """People invited without a name were greeted "Dear ,"; community members, whose
    version takes ten minutes or so, were told "about half an hour"."""
    page = facilitator.get(f"/rounds/{workspace.current_round}/invitations").text
    links = list(
        csv.DictReader(
            io.StringIO(facilitator.get(f"/rounds/{workspace.current_round}/links.csv").text)
        )
    )

    assert "Dear «greeting»," in page
    assert "half an hour" not in page
    assert re.search(r"It takes between \d+ and \d+ minutes, depending on the version", page)
    assert all(row["greeting"] == (row["name"] or row["role"]) for row in links)
    assert all(row["greeting"] for row in links)


def test_the_invitations_list_shows_each_persons_address_and_role_apart_from_the_partner(
    facilitator: TestClient, workspace: Workspace
) -> None:
    _upload_invitations(facilitator, workspace.current_round, TWO_PEOPLE)
    page = facilitator.get(f"/rounds/{workspace.current_round}/invitations").text

    row = page.split("Pat Lee", 1)[1].split("</td>", 1)[0]
    assert "Chief Inspector" in row and "pat@example.org" in row
    assert "Fenmoor Police" not in row  # the partner heads its own list
