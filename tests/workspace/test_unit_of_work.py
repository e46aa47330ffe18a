"""One commit per request, made before the response leaves: a commit that fails is the
request's 503, showing what was typed, never a redirect that says it worked."""

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.models import Answer, Place
from tests.support.pages import post_form
from tests.support.records import make_round
from tests.support.workspace import fail_commits


@pytest.fixture
def commits_fail(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    return fail_commits(monkeypatch)


def _places_named(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Place).where(col(Place.name) == name)).all())


def test_a_change_whose_commit_fails_shows_what_was_typed_and_can_be_sent_again(
    facilitator: TestClient, engine: Engine, commits_fail: Callable[[], None]
) -> None:
    name = "Heronsgate & Wyke — “Café” =SUM(A1)"
    refused = post_form(
        facilitator,
        "/places",
        "/places",
        {"name": name, "description": "Two towns,\none forum"},
        follow_redirects=False,
    )

    assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
    assert "nothing you sent was saved" in refused.text
    assert html.escape(name) in refused.text and "one forum" in refused.text
    assert _places_named(engine, name) == 0

    commits_fail()
    action = re.search(r'<form method="post" action="([^"]+)"', refused.text)
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', refused.text)
    assert action is not None and {n for n, _ in fields} == {"csrf_token", "name", "description"}
    sent_again = facilitator.post(
        action.group(1),
        data={n: html.unescape(v) for n, v in fields},
        follow_redirects=False,
    )

    assert sent_again.status_code == 303
    assert _places_named(engine, name) == 1


def test_a_respondents_save_whose_commit_fails_is_a_503_and_stores_nothing(
    client: TestClient, engine: Engine, commits_fail: Callable[[], None]
) -> None:
    invited = make_round(engine)
    saved = client.put(
        f"/api/v1/respondent/{invited.council}/answers",
        json={"answers": [{"item_id": "people-focus.1", "value": 3}]},
    )

    assert saved.status_code == 503 and saved.headers["retry-after"] == "60"
    assert saved.headers["content-type"] == "application/problem+json"
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []
