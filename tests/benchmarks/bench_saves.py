"""Saving an answer, the moment a respondent waits on most: Placecheck's JSON API against a bare
FastAPI endpoint that validates the same body and inserts one row into SQLite, each served by
one uvicorn process, at 1, 10 and 50 clients, interleaved."""

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.benchmarks.harness import Row, median, p
from tests.support.databases import POSTGRES_ENV, fresh_postgres_database
from tests.support.demo import prepare
from tests.support.servers import free_port, server

CLIENTS = (1, 10, 50)
RUNS = 3
SECONDS = 3.0


@contextmanager
def bare_server(folder: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tests.benchmarks.bare_app:create",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "BARE_DATABASE": str(folder / "bare.db")},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _client_loop(url: str, token: str, bare: bool, until: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        if bare:
            path, versions = f"/answers/{token}", {}
            levels = {f"q{n}": [1, 2, 3, 4, 5] for n in range(20)}
        else:
            path = f"/api/v1/respondent/{token}/answers"
            view = client.get(f"/api/v1/respondent/{token}").json()
            levels = {
                q["id"]: [level["value"] for level in q["levels"]]
                for q in view["questions"]
                if q["levels"]
            }
            versions = {a["item_id"]: a["version"] for a in view["answers"]}
        items = list(levels)
        last: dict[str, int] = {}
        while time.perf_counter() < until:
            item = rng.choice(items)
            # Always a change: saving what is already stored writes nothing, and flatters.
            value = rng.choice([v for v in levels[item] if v != last.get(item)])
            last[item] = value
            body = {
                "answers": [{"item_id": item, "value": value, "version": versions.get(item, 0)}]
            }
            started = time.perf_counter()
            response = client.put(path, json=body)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            versions[item] = response.json()["saved"][0]["version"]
    return latencies


def _burst(url: str, tokens: list[str], clients: int, bare: bool) -> tuple[float, float]:
    """Saves per second and p95 latency with ``clients`` saving as fast as they can."""
    until = time.perf_counter() + SECONDS
    with ThreadPoolExecutor(max_workers=clients) as pool:
        runs = [
            pool.submit(_client_loop, url, tokens[n % len(tokens)], bare, until, n)
            for n in range(clients)
        ]
        latencies = [t for run in runs for t in run.result()]
    return len(latencies) / SECONDS, p(latencies, 95)


@contextmanager
def _fresh_postgres() -> Iterator[str | None]:
    """A new database on the test PostgreSQL server, dropped afterwards; None without one."""
    server_url = os.environ.get(POSTGRES_ENV, "")
    if not server_url:
        yield None
        return
    with fresh_postgres_database(server_url) as url:
        yield url


def _compare(product_url: str, bare_url: str, tokens: list[str], database: str) -> list[Row]:
    found = []
    for clients in CLIENTS:
        mine: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(RUNS):
            mine.append(_burst(product_url, tokens, clients, bare=False))
            theirs.append(_burst(bare_url, tokens, clients, bare=True))
        rate, p95 = median([r for r, _ in mine]), median([q for _, q in mine])
        base_rate, base_p95 = median([r for r, _ in theirs]), median([q for _, q in theirs])
        ratio = rate / base_rate
        found.append(
            Row(
                f"answer saves on {database}, {clients} client{'s' if clients > 1 else ''} "
                "(saves/s; p95)",
                f"{rate:,.0f}/s; {p95 * 1000:,.1f} ms",
                f"{base_rate:,.0f}/s; {base_p95 * 1000:,.1f} ms",
                ratio,
                "≥ 0.5",
                ratio >= 0.5,
            )
        )
    return found


def rows(folder: Path) -> list[Row]:
    """SQLite, the goal's database; then PostgreSQL when the test server's address is set
    (``PLACECHECK_TEST_POSTGRES_URL``), against the same bare SQLite endpoint."""
    prepared = prepare(f"sqlite:///{folder / 'saves.db'}", respondents=max(CLIENTS))
    found: list[Row] = []
    with bare_server(folder) as bare:
        with server(prepared.url, folder / "sqlite", warmed=True) as product:
            found += _compare(product.url, bare, list(prepared.tokens), "SQLite")
        with _fresh_postgres() as postgres_url:
            if postgres_url is None:
                found.append(
                    Row(
                        "answer saves on PostgreSQL",
                        "–",
                        f"{POSTGRES_ENV} not set",
                        None,
                        "reported",
                        None,
                    )
                )
                return found
            on_postgres = prepare(postgres_url, respondents=max(CLIENTS))
            with server(on_postgres.url, folder / "postgresql", warmed=True) as product:
                found += _compare(product.url, bare, list(on_postgres.tokens), "PostgreSQL")
    return found
