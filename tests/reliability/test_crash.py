"""Crash: the server is killed with SIGKILL while respondents are saving, again and again, and
every answer it acknowledged must be there after each restart, in a database that passes
SQLite's integrity check. A killed PDF worker must not stop the next report."""

import os
import random
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from app.core.db import create_db_engine
from app.demo.accounts import DEMO_PASSWORD
from app.enums import AnswerKind
from app.models import Answer
from tests.support.demo import Prepared, prepare
from tests.support.figures import print_table
from tests.support.pages import download_report, post_sign_in
from tests.support.servers import server

CYCLES = 6
CLIENTS = 8


def _save_until_it_fails(
    url: str,
    token: str,
    invitation: int,
    acknowledged: dict[tuple[int, str], tuple[int, int]],
    seed: int,
) -> int:
    """Saves answers one by one (a new level each time) until the server goes away."""
    rng = random.Random(seed)
    base = f"/api/v1/respondent/{token}"
    saves = 0
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            view = client.get(base).json()
            versions = {a["item_id"]: a["version"] for a in view["answers"]}
            items = [q["id"] for q in view["questions"] if q["levels"]]
            while True:
                item = rng.choice(items)
                level = rng.randint(1, 5)
                response = client.put(
                    f"{base}/answers",
                    json={
                        "answers": [
                            {"item_id": item, "value": level, "version": versions.get(item, 0)}
                        ]
                    },
                )
                if response.status_code != 200:
                    return saves
                version = response.json()["saved"][0]["version"]
                versions[item] = version
                acknowledged[(invitation, item)] = (version, level)
                saves += 1
    except httpx.HTTPError:
        return saves


def _stored(url: str, invitations: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Answer).where(col(Answer.invitation_id).in_(invitations))
            ).all()
    finally:
        engine.dispose()
    return {
        (a.invitation_id, a.item_id): (a.version, a.level or 0)
        for a in rows
        if a.kind is AnswerKind.LEVEL
    }


def _kept(saved: tuple[int, int], stored: tuple[int, int] | None) -> bool:
    """The acknowledged answer is there, or a later save of it (one whose reply the kill cut
    off before it arrived) has replaced it."""
    if stored is None:
        return False
    return stored[0] > saved[0] or stored == saved


def test_acknowledged_answers_survive_the_server_being_killed_again_and_again(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database = tmp_path / "crash.db"
    prepared: Prepared = prepare(f"sqlite:///{database}", respondents=CLIENTS)
    tokens = list(prepared.tokens.items())
    acknowledged: dict[tuple[int, str], tuple[int, int]] = {}
    rows: list[list[str]] = []
    for cycle in range(CYCLES):
        with (
            server(prepared.url, tmp_path) as running,
            ThreadPoolExecutor(max_workers=CLIENTS) as pool,
        ):
            jobs = [
                pool.submit(_save_until_it_fails, running.url, token, invitation, acknowledged, n)
                for n, (token, invitation) in enumerate(tokens, start=cycle * 100)
            ]
            time.sleep(random.Random(cycle).uniform(1.0, 2.5))
            running.kill()
            counts = [job.result(timeout=60) for job in jobs]
        stored = _stored(prepared.url, list(prepared.tokens.values()))
        lost = [key for key, saved in acknowledged.items() if not _kept(saved, stored.get(key))]
        integrity = sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone()[0]
        rows.append(
            [str(cycle + 1), str(sum(counts)), str(len(acknowledged)), str(len(lost)), integrity]
        )
        assert lost == [], f"cycle {cycle + 1}: acknowledged answers missing: {lost[:5]}"
        assert integrity == "ok"
    print_table(
        f"Crash: SIGKILL during saves, {CYCLES} cycles, {CLIENTS} clients, SQLite",
        ["cycle", "saves acknowledged", "answers checked", "lost", "integrity_check"],
        rows,
    )
    assert sum(int(r[1]) for r in rows) > CYCLES * CLIENTS


def test_a_killed_pdf_worker_does_not_stop_the_next_report(tmp_path: Path) -> None:
    prepared = prepare(f"sqlite:///{tmp_path / 'pdf.db'}", respondents=0)
    with (
        server(prepared.url, tmp_path) as running,
        httpx.Client(base_url=running.url, timeout=180) as client,
    ):
        post_sign_in(client, "facilitator@kestrel-vale.example", DEMO_PASSWORD)
        first = download_report(client, f"/rounds/{prepared.published_round}/reports/forum.pdf")
        assert first.status_code == 200
        workers = [
            pid
            for pid in running.descendants()
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert workers, "the PDF pool should have started worker processes"
        for pid in workers:
            os.kill(pid, signal.SIGKILL)

        after = download_report(client, f"/rounds/{prepared.published_round}/reports/workshop.pdf")

        assert after.status_code == 200
        assert after.content.startswith(b"%PDF")
