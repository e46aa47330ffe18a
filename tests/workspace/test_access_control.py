"""Every facilitator route, walked as each kind of person: who gets what, and nothing leaks."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Settings
from app.main import create_app

from .conftest import Workspace, csrf_of, sign_in

ANON, RESPONDENT, VIEWER, OUTSIDER, FACILITATOR, ADMIN = (
    "anonymous",
    "respondent",
    "viewer",
    "facilitator of another place",
    "facilitator",
    "administrator",
)
ACTORS = [ANON, RESPONDENT, VIEWER, OUTSIDER, FACILITATOR, ADMIN]
EMAILS = {
    VIEWER: "vic@example.org",
    OUTSIDER: "sam@example.org",
    FACILITATOR: "fran@example.org",
    ADMIN: "admin@example.org",
}

# (method, path, {actor: expected status}); anyone not signed in is sent to the sign-in page.
PLACE_PAGE = {VIEWER: 200, OUTSIDER: 404, FACILITATOR: 200, ADMIN: 200}
FACILITATORS_ONLY = {VIEWER: 403, OUTSIDER: 404, FACILITATOR: 200, ADMIN: 200}
FACILITATORS_ONLY_BAD_FORM = {VIEWER: 403, OUTSIDER: 404, FACILITATOR: 400, ADMIN: 400}
ADMINISTRATORS_ONLY = {VIEWER: 403, OUTSIDER: 403, FACILITATOR: 403, ADMIN: 200}
ROUTES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/places", {VIEWER: 200, OUTSIDER: 200, FACILITATOR: 200, ADMIN: 200}),
    ("GET", "/places/{place}", PLACE_PAGE),
    ("GET", "/places/{place}/rounds/new", FACILITATORS_ONLY),
    ("GET", "/places/{place}/import", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}", PLACE_PAGE),
    ("GET", "/rounds/{current}/results", FACILITATORS_ONLY),
    ("GET", "/rounds/{previous}/results", PLACE_PAGE),
    ("GET", "/rounds/{previous}/reports/forum.pdf", PLACE_PAGE),
    ("GET", "/rounds/{current}/reports/forum.pdf", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/reports/workshop.pdf", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/reports/questionnaire.pdf", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/workshop", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/data", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/export.json", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/export.csv", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/export.xlsx", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/links.csv", FACILITATORS_ONLY),
    ("GET", "/rounds/{current}/delete", FACILITATORS_ONLY),
    ("GET", "/admin/users", ADMINISTRATORS_ONLY),
    ("GET", "/admin/audit", ADMINISTRATORS_ONLY),
    ("POST", "/places/{place}/organisations", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/places/{place}/rounds", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/places/{place}/import", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/status", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/invitations", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/invitations/upload", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/reassess", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/workshop/actions", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/paper", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/rounds/{current}/delete", FACILITATORS_ONLY_BAD_FORM),
    ("POST", "/admin/users", {VIEWER: 403, OUTSIDER: 403, FACILITATOR: 403, ADMIN: 400}),
    ("POST", "/admin/memberships", {VIEWER: 403, OUTSIDER: 403, FACILITATOR: 403, ADMIN: 400}),
]


@pytest.fixture
def clients(
    settings: Settings, engine: Engine, workspace: Workspace
) -> Iterator[dict[str, TestClient]]:
    made = {}
    for actor in ACTORS:
        client = TestClient(create_app(settings=settings, engine=engine))
        client.__enter__()
        if actor in EMAILS:
            sign_in(client, EMAILS[actor])
        made[actor] = client
    made[RESPONDENT].get("/r/not-a-real-token")  # someone holding only an invitation link
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def test_every_route_answers_each_kind_of_person_as_it_should(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    values = {
        "place": workspace.place_slug,
        "current": workspace.current_round,
        "previous": workspace.previous_round,
    }
    failures = []
    for method, template, expected in ROUTES:
        path = template.format(**values)
        for actor, client in clients.items():
            want = expected.get(actor, 303)
            if method == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                token = csrf_of(
                    client.get("/sign-in" if actor in (ANON, RESPONDENT) else "/places").text
                )
                response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
            if response.status_code != want:
                failures.append(f"{method} {path} as {actor}: {response.status_code}, not {want}")
                continue
            if want == 303:
                assert response.headers["location"].startswith("/sign-in?next=")
            if want in (403, 404):
                # A refusal says nothing about the place, its rounds or its people.
                assert "Kestrel Vale" not in response.text, f"{path} as {actor} leaks"
                assert "/r/" not in response.text
    assert not failures, "\n".join(failures)


def test_a_viewer_never_sees_invitation_links_or_who_answered(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    page = clients[VIEWER].get(f"/rounds/{workspace.current_round}")
    assert page.status_code == 200
    assert "/r/" not in page.text
    assert "By organisation" not in page.text
    assert "Invitations" not in page.text
    facilitator_page = clients[FACILITATOR].get(f"/rounds/{workspace.current_round}")
    assert "/r/" in facilitator_page.text and "By organisation" in facilitator_page.text


def test_a_form_without_its_csrf_token_changes_nothing(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    client = clients[FACILITATOR]
    response = client.post(
        f"/rounds/{workspace.current_round}/status", data={"to": "closed"}, follow_redirects=False
    )
    assert response.status_code == 400
    assert "Nothing was changed" in response.text
    assert "Open" in client.get(f"/rounds/{workspace.current_round}").text


def test_a_viewer_is_told_when_results_will_come_instead_of_being_offered_links_that_refuse(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    unpublished = clients[VIEWER].get(f"/rounds/{workspace.current_round}").text
    published = clients[VIEWER].get(f"/rounds/{workspace.previous_round}").text
    assert "once the facilitator publishes them" in unpublished
    assert "/results" not in unpublished
    assert f"/rounds/{workspace.previous_round}/results" in published
