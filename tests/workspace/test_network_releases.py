"""When the network's figures change: an editor's release (once, and again only after places'
sharing changes), the schedule's (when due, and only if something changed), and the open data
anyone may download once a release's restricted period is over, naming no place."""

import csv
import io
from collections import Counter
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, func, select

from app.core.config import Settings
from app.core.db import write_session
from app.enums import Region
from app.jobs.tasks import release_network_when_due
from app.main import create_app
from app.models import AssessmentRound, NetworkRelease, NetworkShare, Place, utcnow
from app.network.releases import prepare_release, store_release
from tests.support.audit import audited
from tests.support.network import sharing_places
from tests.support.pages import csrf_of
from tests.support.workspace import Workspace

NW, LONDON = Region.NORTH_WEST, Region.LONDON


def _releases(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(NetworkRelease)).one()


def _release_now(client: TestClient) -> str:
    token = csrf_of(client.get("/network").text)
    response = client.post("/network/releases", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    return str(response.headers["location"])


def _withdraw(engine: Engine, name: str) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.name == name)).one()
        rounds = select(AssessmentRound.id).where(AssessmentRound.place_id == place.id)
        session.execute(delete(NetworkShare).where(col(NetworkShare.round_id).in_(rounds)))
        session.commit()


def test_an_editor_releases_once_and_again_only_after_places_sharing_changes(
    admin: TestClient, engine: Engine
) -> None:
    names = sharing_places(engine, [NW] * 6, [False] * 6)

    assert "Release the figures now" in admin.get("/network").text
    assert _release_now(admin) == "/network?done=released"
    assert _release_now(admin) == "/network?done=unchanged"  # a reload, or a second click
    page = admin.get("/network").text
    assert "Nothing has changed since the last release" in page
    _withdraw(engine, names[0])
    assert "Release the figures now" in admin.get("/network").text
    assert _release_now(admin) == "/network?done=released"

    assert _releases(engine) == 2
    with Session(engine) as session:
        actions = audited(session, "network-released")
    assert Counter(actions) == Counter({"network-released": 2})


def test_the_schedule_releases_when_due_and_only_if_sharing_changed(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    names = sharing_places(engine, [NW] * 6, [False] * 6)
    weekly = settings.model_copy(update={"network_release_every_days": 7})
    now = utcnow()

    def scheduled(at: timedelta, chosen: Settings = weekly) -> int:
        before = _releases(engine)
        release_network_when_due(engine, chosen, now + at)
        return _releases(engine) - before

    assert scheduled(timedelta(0), settings) == 0  # no schedule set
    assert scheduled(timedelta(0)) == 1  # nothing released yet
    assert scheduled(timedelta(days=1)) == 0  # not due
    assert scheduled(timedelta(days=8)) == 0  # due, but nothing changed
    _withdraw(engine, names[0])
    assert scheduled(timedelta(days=6)) == 0  # changed, but not due
    assert scheduled(timedelta(days=8)) == 1


def test_a_release_worked_out_while_another_was_stored_is_not_stored_twice(
    engine: Engine, workspace: Workspace
) -> None:
    """Two editors (or an editor and the schedule) work a release out at once, outside the
    write lock: the first stores it; the second finds it stored and stores nothing, or, when
    sharing changed again in between, works it out again under the lock."""
    names = sharing_places(engine, [NW] * 6, [False] * 6)
    with Session(engine) as session:
        first = prepare_release(session, 5)
        second = prepare_release(session, 5)
    assert first is not None and second is not None
    with write_session(engine) as session:
        assert store_release(session, first, 5) is not None
        session.commit()
    with write_session(engine) as session:
        assert store_release(session, second, 5) is None
        session.commit()
    assert _releases(engine) == 1

    with Session(engine) as session:
        stale = prepare_release(session, 5) or second
    _withdraw(engine, names[0])
    with write_session(engine) as session:
        again = store_release(session, stale, 5)
        assert again is not None and again[0].figures["places"] == 6  # Kestrel Vale and five
        session.commit()
    assert _releases(engine) == 2


def test_open_data_waits_for_the_restricted_period_and_names_no_place(
    settings: Settings, engine: Engine, workspace: Workspace, admin: TestClient
) -> None:
    names = sharing_places(
        engine, [NW] * 7 + [LONDON] * 6, [n % 5 == 0 for n in range(13)], prefix="Shire"
    )
    _release_now(admin)
    with TestClient(create_app(settings=settings, engine=engine)) as anyone:
        early = anyone.get("/network/open-data.csv")
        assert early.status_code == 404
        assert "figures become open 90 days after it is made" in early.text
        with write_session(engine) as session:
            stored = session.exec(select(NetworkRelease)).one()
            stored.made_at -= timedelta(days=91)
            session.add(stored)
            session.commit()
        response = anyone.get("/network/open-data.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    for name in [*names, "Kestrel Vale"]:
        assert name not in response.text
    groups = {row["group"] for row in rows}
    assert {"All sharing places", "Region: North West", "Region: London"} <= groups
    assert "Type of area: Unitary authority" not in groups  # held back: one place
    # Every place of a group is in one band, or has no score, for every condition.
    for group in groups:
        of_group = [r for r in rows if r["group"] == group]
        places = int(of_group[0]["places_in_group"])
        for condition in {r["subject_id"] for r in of_group if r["measure"] == "places_in_band"}:
            counted = sum(
                int(r["value"])
                for r in of_group
                if r["subject_id"] == condition
                and r["measure"] in ("places_in_band", "places_with_no_score")
            )
            assert counted == places, (group, condition)
