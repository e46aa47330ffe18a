"""Busy hours, on SQLite and PostgreSQL, against a real server: respondents saving while
facilitators sign in and change things, and a forum opening its results at once. Every request
must succeed (no 'database is locked', no exhausted pool), and every save the server
acknowledged must be in the database afterwards."""

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.accounts.service import create_user
from app.core.db import write_session
from app.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import RoundStatus
from app.invitations.service import invite
from app.models import (
    Answer,
    AssessmentRound,
    InvitationBase,
    Organisation,
    Place,
    PlaceMembership,
    UserCreate,
)
from tests.support.pages import PASSWORD, csrf_of, sign_in
from tests.support.records import make_round
from tests.support.servers import serving

RESPONDENTS = 24
FACILITATORS = 6
ITEMS = ("people-focus.1", "people-focus.2", "strong-leadership.1", "trust-and-relationships.1")
PAGE_ITEM = "data-and-evidence.1"


def _respondent(url: str, token: str) -> tuple[list[str], dict[str, int]]:
    """Saves four answers one by one through the API, as the pages' background saving does,
    then one through the question page's form, as a browser without JavaScript does."""
    problems: list[str] = []
    acknowledged: dict[str, int] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for level, item in enumerate(ITEMS, start=2):
            response = client.put(
                f"/api/v1/respondent/{token}/answers",
                json={"answers": [{"item_id": item, "value": level, "evidence": f"é {item}"}]},
            )
            if response.status_code != 200:
                problems.append(f"save {item}: {response.status_code} {response.text[:200]}")
                continue
            for saved in response.json()["saved"]:
                acknowledged[saved["item_id"]] = saved["version"]
        page = client.get(f"/r/{token}/p/data-and-evidence")
        response = client.post(
            f"/r/{token}/p/data-and-evidence",
            data={
                f"answer-{PAGE_ITEM}": "3",
                f"version-{PAGE_ITEM}": "0",
                "action": "later",
                "csrf_token": csrf_of(page.text),
            },
        )
        if response.status_code == 303:
            acknowledged[PAGE_ITEM] = 1
        else:
            problems.append(f"page save: {response.status_code} {response.text[:200]}")
    return problems, acknowledged


def _facilitator(url: str, number: int, round_id: int) -> list[str]:
    """Signs in, then adds a partner and an invitation: two read-then-write forms."""
    problems: list[str] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        sign_in(client, "fran@example.org")  # type: ignore[arg-type]
        token = csrf_of(client.get("/places").text)
        response = client.post(
            "/places/testford/organisations",
            data={"name": f"Partner {number}", "sector": "housing", "csrf_token": token},
        )
        if response.status_code != 303:
            problems.append(f"organisation {number}: {response.status_code}")
        organisation = client.get(f"/rounds/{round_id}/invitations").text
        response = client.post(
            f"/rounds/{round_id}/invitations",
            data={
                "organisation_id": _first_option(organisation),
                "role_title": f"Officer {number}",
                "csrf_token": csrf_of(organisation),
            },
        )
        if response.status_code != 303:
            problems.append(f"invitation {number}: {response.status_code} {response.text[:200]}")
    return problems


def _first_option(html: str) -> str:
    select = html[html.index('name="organisation_id"') :]
    match = re.search(r'<option value="(\d+)"', select)
    assert match, "the invitation form offers no organisation"
    return match.group(1)


def _council_invitations(session: Session, round_id: int, role: str, count: int) -> list[str]:
    """The link tokens of ``count`` new invitations to the test place's council."""
    assessment_round = session.get(AssessmentRound, round_id)
    assert assessment_round is not None
    council = session.exec(
        select(Organisation).where(Organisation.name == "Testford Council")
    ).one()
    return [
        invite(
            session=session,
            assessment_round=assessment_round,
            organisation=council,
            invitee=InvitationBase(role_title=f"{role} {n}"),
            secret="test-secret",
        )[1]
        for n in range(count)
    ]


def test_twenty_respondents_save_while_facilitators_write_and_nothing_is_locked_or_lost(
    engine: Engine, tmp_path: Path
) -> None:
    invited = make_round(engine)
    with write_session(engine) as session:
        user = create_user(
            session=session,
            details=UserCreate(email="fran@example.org", display_name="Fran", password=PASSWORD),
        )
        session.add(PlaceMembership(user_id=user.id or 0, place_id=1))
        tokens = _council_invitations(session, invited.round_id, "Director", RESPONDENTS)
    with (
        serving(engine) as live_server,
        ThreadPoolExecutor(max_workers=RESPONDENTS + FACILITATORS) as pool,
    ):
        saves = [pool.submit(_respondent, live_server.url, token) for token in tokens]
        forms = [
            pool.submit(_facilitator, live_server.url, n, invited.round_id)
            for n in range(FACILITATORS)
        ]
        results = [future.result() for future in saves]
        form_problems = [p for future in forms for p in future.result()]

    save_problems = [p for problems, _ in results for p in problems]
    assert save_problems == []
    assert form_problems == []
    with Session(engine) as session:
        stored = session.exec(
            select(Answer).where(col(Answer.item_id).in_([*ITEMS, PAGE_ITEM]))
        ).all()
    acknowledged = {(n, item) for n, (_, saved) in enumerate(results) for item in saved}
    assert len(acknowledged) == RESPONDENTS * (len(ITEMS) + 1)
    assert len(stored) == len(acknowledged)


READERS = 20


def _reader(url: str, round_id: int) -> list[str]:
    """A forum member on forum day: signs in, opens the round and its results, twice."""
    with httpx.Client(base_url=url, timeout=120) as client:
        sign_in(client, "facilitator@kestrel-vale.example", DEMO_PASSWORD)  # type: ignore[arg-type]
        paths = [f"/rounds/{round_id}", f"/rounds/{round_id}/results", "/healthz"] * 2
        return [
            f"{path}: {status}" for path in paths if (status := client.get(path).status_code) != 200
        ]


def test_twenty_people_opening_the_results_at_once_all_get_their_pages(
    engine: Engine, tmp_path: Path
) -> None:
    """Each request holds one database connection, however many dependencies read through
    it; with two per request, about fifteen signed-in people at once exhausted the pool and
    every one of them got an error after 30 seconds."""
    with write_session(engine) as session:
        summary = load_demo(session, "test-secret")
        place = session.get(Place, summary.place_id)
        assert place is not None
        ensure_demo_accounts(session, place)
        current = session.exec(
            select(AssessmentRound).where(AssessmentRound.status == RoundStatus.OPEN)
        ).one()
        current_id = current.id or 0
    with (
        serving(engine) as live_server,
        ThreadPoolExecutor(max_workers=READERS) as pool,
    ):
        readers = [pool.submit(_reader, live_server.url, current_id) for _ in range(READERS)]
        problems = [p for future in readers for p in future.result()]

    assert problems == []


TABS = 20


def _save_from_a_tab(url: str, token: str, level: int, version: int) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60) as client:
        return client.put(
            f"/api/v1/respondent/{token}/answers",
            json={"answers": [{"item_id": ITEMS[0], "value": level, "version": version}]},
        )


def test_one_answer_saved_from_twenty_tabs_at_once_is_never_acknowledged_and_then_lost(
    engine: Engine,
) -> None:
    """Every tab read the same version and sends its own level. Tabs told their answer was
    saved as the same version must have sent the same answer, and the last version told is
    the one stored; every other tab gets a 409. (Two tabs were told they had saved version 2
    with different levels, and one of them was lost.)"""
    invited = make_round(engine)
    with serving(engine) as live_server, ThreadPoolExecutor(max_workers=TABS) as pool:
        for version in (0, 1):  # a first answer, then a change to it
            replies = list(
                pool.map(
                    lambda level, version=version: (
                        level,
                        _save_from_a_tab(live_server.url, invited.council, level, version),
                    ),
                    [1 + n % 5 for n in range(TABS)],
                )
            )
            with Session(engine) as session:
                stored = session.exec(select(Answer).where(Answer.item_id == ITEMS[0])).one()
            acknowledged = [(level, r.json()) for level, r in replies if r.status_code == 200]
            refused = [r for _, r in replies if r.status_code != 200]
            told: dict[int, set[int]] = defaultdict(set)
            for level, body in acknowledged:
                told[body["saved"][0]["version"]].add(level)
            assert all(len(levels) == 1 for levels in told.values()), told
            assert stored.version == version + 1 == max(told)
            assert told[stored.version] == {stored.level}
            assert {r.status_code for r in refused} <= {409}


SAVERS = 50


def test_more_people_saving_at_once_than_the_server_has_threads_all_get_their_answer(
    engine: Engine,
) -> None:
    """Fifty saves at once against forty request threads: a save that took the write lock on
    one thread and then waited for another to store its answers held the lock while every
    thread waited for it, and every save timed out."""
    invited = make_round(engine)
    with write_session(engine) as session:
        tokens = _council_invitations(session, invited.round_id, "Saver", SAVERS)
    with serving(engine) as live_server, ThreadPoolExecutor(max_workers=SAVERS) as pool:
        replies = list(
            pool.map(lambda token: _save_from_a_tab(live_server.url, token, 3, 0), tokens * 2)
        )
    assert sorted({r.status_code for r in replies}) == [200]
