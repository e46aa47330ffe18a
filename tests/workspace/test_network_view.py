"""The view across places: readers see the latest release only, never a place that does not
share, never a group below the minimum, a place's name only while it shares named, and their
own place marked; places that do not share are told what joining would give them."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, delete, select

from app.core.config import Settings
from app.core.db import write_session
from app.enums import Region, StoryStatus
from app.main import create_app
from app.models import AssessmentRound, NetworkShare, NetworkStory, Place, User
from app.network.releases import make_releases
from tests.support.network import sharing_places
from tests.support.pages import sign_in
from tests.support.reports import Rendered
from tests.support.workspace import Workspace

NW, LONDON = Region.NORTH_WEST, Region.LONDON
CO_PRODUCTION = "co-production-with-lived-experience"


@pytest.fixture
def released(engine: Engine, workspace: Workspace) -> list[str]:
    """Thirteen districts share (seven in the North West, six in London; every fifth one
    named), beside the demo's Kestrel Vale (a North West unitary, named); then the network
    releases. Each region then holds five places that are not named."""
    names = sharing_places(
        engine,
        [NW] * 7 + [LONDON] * 6,
        [n % 5 == 0 for n in range(13)],
        scores={5: {CO_PRODUCTION: 4.1}},  # Shire 05, named, strong on co-production
    )
    _release(engine)
    return names


def _release(engine: Engine) -> None:
    with write_session(engine) as session:
        make_releases(session, 5)
        session.commit()


def _withdraw(engine: Engine, name: str) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.name == name)).one()
        rounds = select(AssessmentRound.id).where(AssessmentRound.place_id == place.id)
        session.execute(delete(NetworkShare).where(col(NetworkShare.round_id).in_(rounds)))
        session.commit()


@pytest.fixture
def reader(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    """Sam, given the network reader's right (and Fenmoor's facilitator, which does not
    share)."""
    with write_session(engine) as session:
        sam = session.exec(select(User).where(User.email == "sam@example.org")).one()
        sam.reads_network = True
        session.add(sam)
        session.commit()
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, "sam@example.org")


def test_a_reader_sees_groups_of_at_least_five_and_only_named_places_by_name(
    reader: TestClient, released: list[str]
) -> None:
    page = reader.get("/network").text
    shown, held = page.split("Not shown in this release")

    assert "14 sharing places" in page
    assert "All sharing places (14 places)" in shown
    assert "Region: North West (8 places)" in shown and "Region: London (6 places)" in shown
    # Kestrel Vale is the only unitary authority: a group of one is held back, but it is
    # named, so the districts (every other place) give nothing away and are shown.
    assert "Type of area: Unitary authority" in held
    assert "Type of area: District (13 places)" in shown
    # Shire 05 is named and strong on co-production: listed, with its contact; no place that
    # is not named is ever listed.
    assert "Co-production with local people with lived experience: Shire 05 (4.0–4.4)" in page
    assert "forum@shire-05.example" in page
    for number, name in enumerate(released):
        if number % 5:
            assert name not in page
    assert "Fenmoor" not in page  # Fenmoor does not share
    assert "What central government should do: what places ask for most" in page
    assert "What the LGA should do: what places ask for most" in page
    assert "The conditions places find hardest" in page
    north_west = reader.get("/network", params={"group": "region:north-west"}).text
    assert "Region: North West: places in each band" in north_west


def test_a_place_not_sharing_sees_what_joining_would_give_and_no_figures(
    settings: Settings, engine: Engine, released: list[str]
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as sam:
        page = sign_in(sam, "sam@example.org").get("/network").text  # Fenmoor's facilitator

    assert "Your places do not share yet" in page
    assert released[0] not in page and "places in each band" not in page


def test_a_forum_member_of_a_sharing_place_sees_it_marked(
    viewer: TestClient, released: list[str]
) -> None:
    page = viewer.get("/network").text

    assert "Your place: Kestrel Vale" in page
    assert '<span class="pc-network__mark">(Kestrel Vale)</span>' in page
    learning = page.split("Learning from places strong where yours is weak")[1]
    learning = learning.split("Places strong on each condition")[0]
    assert re.search(
        r"Co-production with local people with lived experience \(Kestrel Vale \d\.\d\): "
        r"Shire 05</li>",
        learning,
    )
    assert "forum@shire-05.example" in page


def test_a_published_story_is_shown_beside_the_places_strong_where_a_members_place_is_weak(
    viewer: TestClient, released: list[str], engine: Engine
) -> None:
    with write_session(engine) as session:
        shire = session.exec(select(Place).where(Place.name == released[5])).one()
        for title, status in (
            ("A panel that sets the agenda", StoryStatus.PUBLISHED),
            ("Not yet reviewed", StoryStatus.SUBMITTED),
        ):
            session.add(
                NetworkStory(
                    title=title,
                    condition_id=CO_PRODUCTION,
                    what_they_did="Twelve paid residents choose two agenda items a year.",
                    what_changed="Two of our four priorities came from the panel.",
                    contact="Forum team, forum@shire-05.example",
                    place_id=shire.id or 0,
                    status=status,
                    form_key=f"story-{status.value}",
                )
            )
        session.commit()

    page = viewer.get("/network").text
    learning = page.split("Learning from places strong where yours is weak")[1]
    learning = learning.split("Places strong on each condition")[0]

    assert re.search(
        r"Co-production with local people with lived experience \(Kestrel Vale \d\.\d\): "
        r"Shire 05\. Stories: <a [^>]*>A panel that sets the agenda</a> \(Shire 05\)</li>",
        learning,
    )
    assert "Not yet reviewed" not in page
    assert "1 in the library" in page


def test_a_withdrawn_name_goes_at_once_and_its_figures_with_the_next_release(
    reader: TestClient, released: list[str], engine: Engine
) -> None:
    named = released[5]  # named, and listed as strong on co-production
    assert named in reader.get("/network").text
    _withdraw(engine, named)
    page = reader.get("/network").text
    assert named not in page  # at once, before any release
    assert "14 sharing places" in page  # the figures change with the next release

    _release(engine)

    after = reader.get("/network").text
    assert "13 sharing places" in after and named not in after
    assert "All sharing places (13 places)" in after  # it was named: it gives nothing away


def test_a_release_that_would_give_away_a_place_that_left_holds_its_groups_back(
    reader: TestClient, released: list[str], engine: Engine
) -> None:
    """Thirteen places against the fourteen of the last release would give the one that left
    away by subtraction, and it was not named: every group it was in is held back until
    enough places change; London, unchanged, is shown as before."""
    _withdraw(engine, released[1])  # a North West place, not named

    _release(engine)

    page = reader.get("/network").text
    shown, held = page.split("Not shown in this release")
    assert "13 sharing places" in page
    assert "Region: London (6 places)" in shown
    assert "All sharing places" not in shown and "North West" not in shown
    assert "Region: North West" in held


def test_where_places_improved_counts_each_place_by_its_own_reports_change_rule(
    reader: TestClient, engine: Engine
) -> None:
    """Six places share; five shared a round before. Three rose by 1.0, one by 0.4 (too small
    to call, as their own reports say), one fell by 0.6; the sixth has nothing to compare."""
    now = {n: {CO_PRODUCTION: 3.0} for n in range(6)} | {4: {CO_PRODUCTION: 2.4}}
    before = {n: {CO_PRODUCTION: 2.0} for n in range(3)} | {
        3: {CO_PRODUCTION: 2.6},
        4: {CO_PRODUCTION: 3.0},
    }
    sharing_places(engine, [NW] * 6, [False] * 6, scores=now, earlier=before)
    _release(engine)

    page = reader.get("/network").text
    improved = page.split("Where places improved since their previous round")[1]
    row = re.search(
        r"Co-production with local people with lived experience</th>((?:\s*<td[^>]*>\d+</td>){4})",
        improved,
    )
    assert row is not None
    assert re.findall(r">(\d+)<", row.group(1)) == ["3", "1", "1", "5"]
    assert "at least 0.5 and at least 5 people rated the condition in both rounds" in improved


def test_the_national_report_shows_what_the_page_shows_and_names_only_who_agreed(
    reader: TestClient, released: list[str], engine: Engine
) -> None:
    response = reader.get("/network/report.pdf")
    assert response.headers["content-type"] == "application/pdf"
    report = Rendered("", response.content)
    text = " ".join(report.text.split())

    assert "The state of place-based working" in text
    assert "All sharing places (14): places in each band" in text
    assert "Region: North West" in text and "Type of area: District" in text
    assert (
        "Not shown in this release, to protect places in small groups: Type of area: Unitary"
        in text
    )
    assert "what places ask for most" in text and "Recommendation 1" in text
    assert "Co-production with local people with lived experience: Shire 05" in text
    for number, name in enumerate(released):
        if number % 5:
            assert name not in text
    assert "Fenmoor" not in text

    _withdraw(engine, released[5])
    after = " ".join(Rendered("", reader.get("/network/report.pdf").content).text.split())
    assert "Shire 05" not in after  # at once, before any release
    assert "(14)" in after  # its figures stay until the next release

    _release(engine)
    next_release = " ".join(Rendered("", reader.get("/network/report.pdf").content).text.split())
    assert "All sharing places (13): places in each band" in next_release


def test_no_national_report_for_a_place_that_does_not_share(
    settings: Settings, engine: Engine, released: list[str]
) -> None:
    with TestClient(create_app(settings=settings, engine=engine)) as sam:
        response = sign_in(sam, "sam@example.org").get("/network/report.pdf")  # Fenmoor's

    assert response.status_code == 404
    assert "There is no national report yet" in response.text
