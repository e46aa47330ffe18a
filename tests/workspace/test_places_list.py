"""The list of places stays one short page however many places a service holds: it is paged
and searchable, and odd addresses show a page rather than an error."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.db import write_session
from app.models import Place
from tests.support.pages import sign_in
from tests.support.workspace import Workspace


def _add_places(engine: Engine, names: list[str]) -> None:
    with write_session(engine) as session:
        session.add_all(Place(name=name, slug=f"p-{n}") for n, name in enumerate(names))
        session.commit()


def _names(page: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/places/[^"]+">([^<]+)</a>', page)


def test_an_administrator_sees_hundreds_of_places_a_page_at_a_time(
    client: TestClient, workspace: Workspace, engine: Engine
) -> None:
    _add_places(engine, [f"Area {n:03d}" for n in range(300)])
    admin = sign_in(client, "admin@example.org")

    first = admin.get("/places").text
    third = admin.get("/places?page=3").text

    assert len(_names(first)) == 25 and _names(first)[0] == "Area 000"
    assert "1 to 25 of 302" in first
    assert _names(third)[0] == "Area 050" and "51 to 75 of 302" in third
    assert 'href="/places?page=4"' in third and 'href="/places?page=2"' in third
    assert 'href="/places?page=13"' in third and "&ctdot;" in third
    assert len(first) < len(admin.get("/places?q=Kestrel").text) * 4


def test_places_are_found_by_any_part_of_their_name_and_wildcards_are_plain_text(
    client: TestClient, workspace: Workspace, engine: Engine
) -> None:
    _add_places(engine, ["North Fenmoor", "Fenmoor Coast", "100% Town", "Under_score"])
    admin = sign_in(client, "admin@example.org")

    assert _names(admin.get("/places?q=fenmoor").text) == [
        "Fenmoor",
        "Fenmoor Coast",
        "North Fenmoor",
    ]
    assert _names(admin.get("/places?q=%25").text) == ["100% Town"]
    assert _names(admin.get("/places?q=_").text) == ["Under_score"]
    nothing = admin.get("/places?q=Atlantis")
    assert nothing.status_code == 200 and "No place you work with has" in nothing.text


def test_a_page_past_the_end_or_not_a_number_still_shows_places(
    client: TestClient, workspace: Workspace, engine: Engine
) -> None:
    _add_places(engine, [f"Area {n:03d}" for n in range(30)])
    admin = sign_in(client, "admin@example.org")

    assert _names(admin.get("/places?page=999999").text)[-1] == "Kestrel Vale"
    assert _names(admin.get("/places?page=abc").text)[0] == "Area 000"
    assert admin.get("/places?q=" + "x" * 5000).status_code == 200


def test_a_facilitator_sees_only_their_own_places_and_no_search_for_one(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    _add_places(engine, [f"Area {n:03d}" for n in range(30)])

    page = facilitator.get("/places").text

    assert _names(page) == ["Kestrel Vale"]
    assert 'id="q"' not in page and "govuk-pagination" not in page
