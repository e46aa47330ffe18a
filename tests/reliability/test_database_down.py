"""PostgreSQL goes down under ``placecheck serve``: on a cluster of this test's own, so the
suite's shared server is not disturbed. A respondent's form and the API answer a 503 with
``Retry-After`` (the form shown again with what was typed), never a 500 that loses the typed
comment; nothing signed out names the database; once it is back, the form sent again saves."""

import html
import re
from pathlib import Path

import httpx
from sqlmodel import Session, select

from app.core.db import create_db_engine
from app.models import Answer
from tests.support.databases import postgres_installed, require_dependency, throwaway_cluster
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of
from tests.support.servers import free_port, server

COMMENT = "Typed while the database was down: «=SUM(A1)» ✓"
RADIO = re.compile(r'name="answer-([^"]+)" type="radio" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _row(request: str, response: httpx.Response) -> list[str]:
    return [request, str(response.status_code), response.headers.get("retry-after", "")]


def test_a_database_that_goes_down_gets_a_503_that_keeps_what_was_typed(tmp_path: Path) -> None:
    require_dependency(postgres_installed(), "PostgreSQL is not installed")
    with throwaway_cluster(free_port()) as cluster:
        prepared = prepare(cluster.url, respondents=1)
        token, invitation = next(iter(prepared.tokens.items()))
        with (
            server(cluster.url, tmp_path) as running,
            httpx.Client(base_url=running.url, timeout=60) as client,
        ):
            tasks = client.get(f"/r/{token}/tasks").text
            page = sorted(set(re.findall(rf'href="/r/{token}/p/([^"]+)"', tasks)))[0]
            shown = client.get(f"/r/{token}/p/{page}").text
            item, value = RADIO.findall(shown)[0]
            form = {
                "csrf_token": csrf_of(shown),
                "action": "later",
                f"answer-{item}": value,
                f"evidence-{item}": COMMENT,
            }

            cluster.stop()
            refused = client.post(f"/r/{token}/p/{page}", data=form)
            api = client.put(
                f"/api/v1/respondent/{token}/answers",
                json={"answers": [{"item_id": item, "value": int(value), "version": 0}]},
            )
            health = client.get("/healthz")
            status = client.get("/api/v1/status")

            cluster.start()
            again = dict(HIDDEN.findall(refused.text))
            resent = client.post(
                f"/r/{token}/p/{page}",
                data={k: html.unescape(v) for k, v in again.items()},
                follow_redirects=False,
            )
        engine = create_db_engine(cluster.url)
        with Session(engine) as session:
            saved = session.exec(
                select(Answer).where(Answer.invitation_id == invitation, Answer.item_id == item)
            ).first()
        engine.dispose()

    print_table(
        "PostgreSQL down under placecheck serve",
        ["request", "status", "Retry-After"],
        [
            _row("respondent's page form", refused),
            _row("API save", api),
            _row("/healthz, signed out", health),
            _row("/api/v1/status, signed out", status),
            _row("the form sent again, database back", resent),
        ],
    )
    assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
    assert html.escape(COMMENT) in refused.text and "cannot reach its database" in refused.text
    assert api.status_code == 503 and api.headers["retry-after"] == "60", api.text
    assert api.headers["content-type"].startswith("application/problem+json")
    assert health.status_code == 503 and health.headers["retry-after"] == "60"
    for answer in (refused, api, health, status):
        assert "postgresql" not in answer.text and "placecheck@" not in answer.text
        assert str(cluster.port) not in answer.text
    assert resent.status_code == 303
    assert saved is not None and saved.evidence == COMMENT
