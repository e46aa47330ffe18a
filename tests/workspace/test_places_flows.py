"""A place and its partners: setting them up, renaming, sector changes and removal, and names the
databases must hold."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import write_session
from app.models import AssessmentRound, AuditEvent, Organisation, Place
from app.places.service import organisations_of
from questionnaires.sectors import Sector
from tests.support.pages import post_form
from tests.support.workspace import Workspace, round_of


def test_a_place_gets_partners_and_a_round(facilitator: TestClient) -> None:
    response = post_form(
        facilitator,
        "/places",
        "/places",
        {"name": "Heronsgate", "description": ""},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/places/heronsgate"
    missing = post_form(
        facilitator,
        "/places/heronsgate",
        "/places/heronsgate/organisations",
        {"name": "", "sector": ""},
    )
    assert missing.status_code == 400
    assert "Enter the organisation&#39;s name" in missing.text
    assert "Choose the organisation&#39;s sector" in missing.text
    post_form(
        facilitator,
        "/places/heronsgate",
        "/places/heronsgate/organisations",
        {"name": "Heronsgate Council", "sector": "local-authority"},
    )
    bad_dates = post_form(
        facilitator,
        "/places/heronsgate/rounds/new",
        "/places/heronsgate/rounds",
        {
            "title": "Spring",
            "questionnaire_id": "trusting-place@1.0.0",
            **{"opens_on-day": "1", "opens_on-month": "5", "opens_on-year": "2027"},
            **{"closes_on-day": "1", "closes_on-month": "4", "closes_on-year": "2027"},
            "anonymity_threshold": "3",
        },
    )
    assert "The closing date must be on or after the opening date" in bad_dates.text
    created = post_form(
        facilitator,
        "/places/heronsgate/rounds/new",
        "/places/heronsgate/rounds",
        {
            "title": "Spring",
            "questionnaire_id": "trusting-place@1.0.0",
            **{"opens_on-day": "1", "opens_on-month": "4", "opens_on-year": "2027"},
            **{"closes_on-day": "1", "closes_on-month": "5", "closes_on-year": "2027"},
            "anonymity_threshold": "4",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = facilitator.get(created.headers["location"])
    shown = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "Spring" in shown and "Anonymity threshold 4 people" in shown
    # Dates read as the reports write them.
    assert "Opens on 1 April 2027" in shown and "Closes on 1 May 2027" in shown


@pytest.mark.parametrize("round_id", ["99999999999999999999999", "²", "-1"])
def test_an_address_with_an_impossible_id_is_a_page_that_is_not_there(
    facilitator: TestClient, round_id: str
) -> None:
    response = facilitator.get(f"/rounds/{round_id}/results")

    assert response.status_code == 404
    assert "Page not found" in response.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Gŵyr\x00Council", "The organisation&#39;s name has a character that cannot be stored"),
        ("Gŵyr\nCouncil", "The organisation&#39;s name must be on one line"),
    ],
)
def test_a_name_with_a_control_character_is_refused_on_every_database(
    facilitator: TestClient, engine: Engine, name: str, message: str
) -> None:
    response = post_form(
        facilitator,
        "/places/kestrel-vale",
        "/places/kestrel-vale/organisations",
        {"name": name, "sector": "housing"},
    )

    assert response.status_code == 400
    assert message in response.text
    with Session(engine) as session:
        assert (
            session.exec(select(Organisation).where(col(Organisation.name).contains("Gŵyr"))).all()
            == []
        )


def test_an_organisation_can_be_renamed_its_sector_kept_once_published_and_removed_only_unused(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    place = f"/places/{workspace.place_slug}"
    with Session(engine) as session:
        police = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Police")
        ).one()
    edit = f"{place}/organisations/{police.id}"
    page = facilitator.get(edit).text
    assert (
        "It cannot be changed: people from this organisation answered a round whose results" in page
    )
    assert "cannot be removed" in page

    renamed = post_form(
        facilitator, edit, edit, {"name": "Fenmoor Constabulary", "sector": "police"}
    )
    assert "The organisation was changed." in renamed.text
    assert "Fenmoor Constabulary" in renamed.text
    moved = post_form(
        facilitator, edit, edit, {"name": "Fenmoor Constabulary", "sector": "housing"}
    )
    assert moved.status_code == 400
    assert "The sector cannot change" in moved.text
    taken = post_form(facilitator, edit, edit, {"name": "Kestrel Homes", "sector": "police"})
    assert taken.status_code == 400 and "Kestrel Homes is already a partner" in taken.text
    refused = post_form(facilitator, edit, f"{edit}/delete", {})
    assert refused.status_code == 400 and "cannot be removed" in refused.text

    post_form(
        facilitator,
        place,
        f"{place}/organisations",
        {"name": "Fenmoor Schools", "sector": "education"},
    )
    with Session(engine) as session:
        schools = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Schools")
        ).one()
        events = session.exec(select(AuditEvent.action)).all()
    assert "organisation-changed" in events
    schools_page = f"{place}/organisations/{schools.id}"
    removed = post_form(facilitator, schools_page, f"{schools_page}/delete", {})
    assert "The organisation was removed." in removed.text
    assert "Fenmoor Schools" not in removed.text.split("Partner organisations", 1)[1]


def test_partners_are_listed_alphabetically_whatever_their_capitals(
    engine: Engine, workspace: Workspace
) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == workspace.place_slug)).one()
        session.add(
            Organisation(place_id=place.id or 0, name="aardvark Trust", sector=Sector.HOUSING)
        )
        session.commit()
        names = [o.name for o in organisations_of(session, place.id)]

    assert names == sorted(names, key=str.lower)
    assert names[0] == "aardvark Trust"


def test_a_draft_round_is_not_offered_assess_again_and_refuses_it(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == workspace.place_slug)).one()
        draft = AssessmentRound(
            place_id=place.id or 0,
            title="Not yet opened",
            questionnaire_hash=round_of(engine, workspace.current_round).questionnaire_hash,
        )
        session.add(draft)
        session.commit()
        draft_id = draft.id
    path = f"/rounds/{draft_id}"

    page = facilitator.get(path).text
    refused = post_form(facilitator, path, f"{path}/reassess", {"title": "Another"})

    assert "Assess again" not in page
    assert refused.status_code == 409
    assert "change it rather than starting another" in refused.text


def test_a_facilitator_sets_what_the_place_is_compared_by_and_can_unset_it(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    edit = f"/places/{workspace.place_slug}/edit"
    details = {
        "name": "Kestrel Vale",
        "description": "",
        "data_contact": "",
        "region": "yorkshire-and-the-humber",
        "area_type": "combined-authority",
        "rural_urban": "urban-with-significant-rural",
    }

    saved = post_form(facilitator, edit, edit, details, follow_redirects=False)

    assert saved.status_code == 303
    page = facilitator.get(saved.headers["location"]).text
    assert "region Yorkshire and The Humber" in page.replace("Region", "region")
    assert "type of area Combined authority area" in page
    assert "Urban with significant rural (26% to 49% in rural areas or hub towns)" in page
    form = facilitator.get(edit).text
    assert re.search(r'<option value="combined-authority" selected', form)

    post_form(facilitator, edit, edit, {**details, "area_type": ""})
    with Session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == workspace.place_slug)).one()
        assert place.region is not None and place.region.value == "yorkshire-and-the-humber"
        assert place.area_type is None  # "Not set" unsets it


@pytest.mark.parametrize("value", ["atlantis", "=1+1", "north-east" * 50, "Ünïcode"])
def test_a_comparison_detail_outside_its_choices_is_refused_and_nothing_is_lost(
    value: str, facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    edit = f"/places/{workspace.place_slug}/edit"
    before = _place_row(engine, workspace.place_slug)

    refused = post_form(
        facilitator,
        edit,
        edit,
        {"name": "Kestrel Vale renamed", "region": value, "rural_urban": "mainly-rural"},
    )

    assert refused.status_code == 400
    assert 'class="govuk-error-summary"' in refused.text
    assert 'href="#region">Choose the region</a>' in refused.text
    assert 'value="Kestrel Vale renamed"' in refused.text  # what was typed is kept
    assert re.search(r'<option value="mainly-rural" selected', refused.text)
    assert _place_row(engine, workspace.place_slug) == before  # nothing half-saved


def _place_row(engine: Engine, slug: str) -> dict[str, object]:
    with Session(engine) as session:
        return session.exec(select(Place).where(Place.slug == slug)).one().model_dump()
