"""Forum day on one machine, against ``placecheck serve`` on SQLite: how the health check and the
results page hold up while reports render, what two people downloading at the same moment get,
what a report already made costs against the cheapest request there is, and what the first
report after a start costs against the next.

"Idle" is both probes running together with no report being made, so each ratio says what the
renders add to a server already serving pages."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from sqlalchemy import delete

from app.core.db import create_db_engine
from app.demo.accounts import DEMO_PASSWORD
from app.models import ReportJob
from tests.benchmarks.harness import Row, median, p, timed
from tests.support.demo import Prepared, prepare
from tests.support.pages import csrf_of, signed_in
from tests.support.servers import Server, server

IDLE_SECONDS = 8.0


@dataclass(frozen=True)
class Probe:
    """A page asked for again and again while reports render, and how often."""

    label: str
    path: str
    every: float
    signed_in: bool


PROBES = (
    Probe("/healthz", "/healthz", 0.02, signed_in=False),
    Probe("results page", "", 0.1, signed_in=True),
)


_TOKENS: dict[int, str] = {}
"""Each signed-in client's form token, read once, so that asking for a report is one request."""


def _facilitator(url: str) -> httpx.Client:
    client = signed_in(url, "facilitator@kestrel-vale.example", DEMO_PASSWORD)
    _TOKENS[id(client)] = csrf_of(client.get("/places").text)
    return client


def _ask(client: httpx.Client, path: str) -> httpx.Response:
    """A report asked for as its page's button does, and waited for."""
    return client.post(path, data={"csrf_token": _TOKENS[id(client)]})


def _latencies_while(
    client: httpx.Client, probe: Probe, busy: threading.Event | None, seconds: float
) -> tuple[list[float], int]:
    """Latencies of the probe's page, for ``seconds`` or while ``busy`` is set."""
    latencies: list[float] = []
    errors = 0
    until = time.perf_counter() + seconds
    while busy.is_set() if busy is not None else time.perf_counter() < until:
        started = time.perf_counter()
        try:
            if client.get(probe.path).status_code != 200:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        latencies.append(time.perf_counter() - started)
        time.sleep(probe.every)
    return latencies, errors


def _probing(
    url: str, probes: list[Probe], busy: threading.Event | None, seconds: float
) -> list[tuple[list[float], int]]:
    """Every probe at once, each on a client of its own."""
    clients = [
        _facilitator(url) if probe.signed_in else httpx.Client(base_url=url, timeout=60)
        for probe in probes
    ]
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        running = [
            pool.submit(_latencies_while, client, probe, busy, seconds)
            for client, probe in zip(clients, probes, strict=True)
        ]
        found = [r.result() for r in running]
    for client in clients:
        client.close()
    return found


def _reports(prepared: Prepared, organisations: list[int]) -> list[str]:
    """Different reports, so that each one is rendered, not shared with another request."""
    base = f"/rounds/{prepared.published_round}/reports"
    return [
        f"{base}/forum.pdf",
        f"{base}/workshop.pdf",
        *(f"{base}/partner.pdf?organisation={o}" for o in organisations),
    ]


def _forget_made_reports(prepared: Prepared) -> None:
    """So that every report asked for next is made again, not handed over from an earlier
    case (a report made from the same inputs is reused)."""
    engine = create_db_engine(prepared.url)
    with engine.begin() as connection:
        connection.execute(delete(ReportJob))
    engine.dispose()


def _under_renders(
    prepared: Prepared, url: str, probes: list[Probe], paths: list[str]
) -> tuple[list[tuple[list[float], int]], int]:
    """What each probe saw while ``paths`` were downloaded at once, and how many failed."""
    _forget_made_reports(prepared)
    busy = threading.Event()
    busy.set()
    # Signed in beforehand: a sign-in's password hash is not a render's cost.
    clients = [_facilitator(url) for _ in paths]
    with ThreadPoolExecutor(max_workers=len(paths) + 1) as pool:
        probing = pool.submit(_probing, url, probes, busy, 0)
        downloads = [
            pool.submit(lambda c=client, p=path: _ask(c, p).status_code)
            for client, path in zip(clients, paths, strict=True)
        ]
        statuses = [d.result() for d in downloads]
        busy.clear()
        seen = probing.result()
    for client in clients:
        client.close()
    return seen, sum(1 for s in statuses if s != 200)


def _first_report_after_a_start(prepared: Prepared, running: Server, client: httpx.Client) -> Row:
    """The first forum report a started server makes, against the same report made again
    (each made, not handed over), once the server says its render processes are ready."""
    deadline = time.monotonic() + 120
    while "render processes ready" not in running.log.read_text():
        assert time.monotonic() < deadline, running.log.read_text()[-2000:]
        time.sleep(0.2)
    forum = f"/rounds/{prepared.published_round}/reports/forum.pdf"
    first = timed(lambda: _ask(client, forum).raise_for_status())
    _forget_made_reports(prepared)
    again = timed(lambda: _ask(client, forum).raise_for_status())
    return Row(
        "first forum report after a start vs the same made again",
        f"{first:.2f} s",
        f"{again:.2f} s",
        first / again,
        "≤ 1.25",
        first / again <= 1.25,
    )


def _partner_ids(client: httpx.Client, prepared: Prepared) -> list[int]:
    page = client.get(f"/rounds/{prepared.published_round}/reports").text
    found = []
    for chunk in page.split("partner?organisation=")[1:]:
        digits = "".join(c for c in chunk[:8] if c.isdigit())
        if digits and int(digits) not in found:
            found.append(int(digits))
    return found


def rows(folder: Path) -> list[Row]:
    prepared = prepare(f"sqlite:///{folder / 'server.db'}", respondents=0)
    found: list[Row] = []
    with server(prepared.url, folder, warmed=True) as running:
        client = _facilitator(running.url)
        found.append(_first_report_after_a_start(prepared, running, client))
        partners = _partner_ids(client, prepared)
        probes = [
            replace(probe, path=probe.path or f"/rounds/{prepared.published_round}/results")
            for probe in PROBES
        ]
        for probe in probes:  # the first view of a round scores it: not an idle moment
            client.get(probe.path).raise_for_status()
        idle = _probing(running.url, probes, None, IDLE_SECONDS)
        for renders in (2, 4):
            paths = _reports(prepared, partners)[:renders]
            seen, failed = _under_renders(prepared, running.url, probes, paths)
            for probe, (quiet, _), (busy, errors) in zip(probes, idle, seen, strict=True):
                ratio = p(busy, 99) / p(quiet, 99)
                found.append(
                    Row(
                        f"{probe.label} p99 during {renders} report renders vs idle",
                        f"{p(busy, 99) * 1000:,.1f} ms over {len(busy)} requests "
                        f"({errors} errors, {failed} failed reports)",
                        f"{p(quiet, 99) * 1000:,.1f} ms",
                        ratio,
                        "≤ 2, no errors",
                        ratio <= 2 and errors == 0 and failed == 0,
                    )
                )

        # Two people download the same report at the same moment, twenty times over.
        forum = f"/rounds/{prepared.published_round}/reports/forum.pdf"
        _forget_made_reports(prepared)
        pair = [_facilitator(running.url), _facilitator(running.url)]
        refused = 0
        for _ in range(20):
            with ThreadPoolExecutor(max_workers=2) as pool:
                statuses = list(pool.map(lambda c: _ask(c, forum).status_code, pair))
            refused += sum(1 for s in statuses if s != 200)
        found.append(
            Row(
                "two downloads of one report at the same moment, 20 times (SQLite)",
                f"{refused} of 40 requests failed",
                "–",
                None,
                "0",
                refused == 0,
            )
        )

        # A report already made (a GET hands it over), against the cheapest request there is.
        _ask(client, forum)
        cached: list[float] = []
        health: list[float] = []
        for _ in range(15):
            cached.append(timed(lambda: client.get(forum).raise_for_status()))
            health.append(timed(lambda: client.get("/healthz").raise_for_status()))
        ratio = median(cached) / median(health)
        found.append(
            Row(
                "a report already made, downloaded again vs /healthz",
                f"{median(cached) * 1000:,.1f} ms",
                f"{median(health) * 1000:,.1f} ms",
                ratio,
                "≤ 5",
                ratio <= 5,
            )
        )
        for c in (client, *pair):
            c.close()
    return found
