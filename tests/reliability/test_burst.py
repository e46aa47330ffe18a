"""Burst: thirty respondents answer the whole questionnaire (half through the pages' form posts,
half through the JSON API) while twenty signed-in people open results pages and download the
forum report, against ``placecheck serve`` on SQLite with one and two workers and on
PostgreSQL. Every request must succeed and every acknowledged answer must be in the database."""

import random
import re
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from app.core.db import create_db_engine
from app.demo.accounts import DEMO_PASSWORD
from app.enums import AnswerKind
from app.models import Answer, ReportJob
from tests.support.demo import Prepared, prepare
from tests.support.figures import percentiles, print_table
from tests.support.pages import csrf_of
from tests.support.servers import server

RESPONDENTS = 30
"""With the readers, fifty people at once: more than the twenty a busy day brings, and half
the sixty it took before, which proved no more and cost a minute of every CI run."""
READERS = 20
READS_EACH = 3
TIME_LIMIT_SECONDS = 600
RADIO = re.compile(r'name="answer-([^"]+)" type="radio" value="([^"]+)"')


@dataclass
class Tally:
    """What one run saw: timings by kind of request, failures, and what the server said it
    saved (invitation id and item, with the answer sent)."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    acknowledged: dict[tuple[int, str], str] = field(default_factory=dict)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(
        self, kind: str, send: "httpx.Client", method: str, url: str, **kw: object
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = send.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            with self.lock:
                self.requests += 1
                self.failures.append(f"{kind} {url}: {type(error).__name__}")
            raise
        with self.lock:
            self.requests += 1
            self.timings[kind].append(time.perf_counter() - started)
        return response

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def _through_pages(url: str, token: str, invitation: int, tally: Tally, seed: int) -> None:
    """A respondent without JavaScript: every page of the task list, one form post each."""
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=120) as client:
        tasks = tally.timed("page", client, "GET", f"/r/{token}/tasks")
        pages = sorted(set(re.findall(rf'href="/r/{token}/p/([^"]+)"', tasks.text)))
        if not pages:
            tally.fail(f"tasks page for {invitation}: no pages ({tasks.status_code})")
        for page in pages:
            html = tally.timed("page", client, "GET", f"/r/{token}/p/{page}").text
            choices: dict[str, list[str]] = defaultdict(list)
            for item, value in RADIO.findall(html):
                choices[item].append(value)
            form = {"csrf_token": csrf_of(html), "action": "later"}
            for name, version in re.findall(r'name="(version-[^"]+)" value="(\d+)"', html):
                form[name] = version
            sent = {item: rng.choice(values) for item, values in choices.items()}
            for item, value in sent.items():
                form[f"answer-{item}"] = value
                form[f"evidence-{item}"] = f"Burst comment ✓ {item}" if rng.random() < 0.2 else ""
            response = tally.timed("save", client, "POST", f"/r/{token}/p/{page}", data=form)
            if response.status_code != 303:
                tally.fail(f"page {page} for {invitation}: {response.status_code}")
                continue
            with tally.lock:
                for item, value in sent.items():
                    tally.acknowledged[(invitation, item)] = value


def _through_api(url: str, token: str, invitation: int, tally: Tally, seed: int) -> None:
    """A respondent whose browser saves in the background: one PUT per subject, then submit."""
    rng = random.Random(seed)
    base = f"/api/v1/respondent/{token}"
    with httpx.Client(base_url=url, timeout=120) as client:
        view = tally.timed("page", client, "GET", base).json()
        by_subject: dict[str, list[dict[str, object]]] = defaultdict(list)
        for question in view["questions"]:
            values = [level["value"] for level in question["levels"]] + question["opt_outs"]
            if values:
                by_subject[question["subject"]].append(
                    {"item_id": question["id"], "value": rng.choice(values), "version": 0}
                )
        for subject, answers in by_subject.items():
            response = tally.timed(
                "save", client, "PUT", f"{base}/answers", json={"answers": answers}
            )
            if response.status_code != 200:
                tally.fail(f"API {subject} for {invitation}: {response.status_code}")
                continue
            with tally.lock:
                for answer in answers:
                    tally.acknowledged[(invitation, str(answer["item_id"]))] = str(answer["value"])
        submitted = tally.timed("save", client, "POST", f"{base}/submit")
        if submitted.status_code != 200:
            tally.fail(f"submit for {invitation}: {submitted.status_code} {submitted.text[:200]}")


def _reader(url: str, prepared: Prepared, tally: Tally) -> None:
    """A forum member: signs in, opens both rounds' results and downloads the forum report."""
    with httpx.Client(base_url=url, timeout=200) as client:
        page = tally.timed("results", client, "GET", "/sign-in")
        signed_in = tally.timed(
            "sign-in",
            client,
            "POST",
            "/sign-in",
            data={
                "email": "facilitator@kestrel-vale.example",
                "password": DEMO_PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        if signed_in.status_code != 303:
            tally.fail(f"sign-in: {signed_in.status_code}")
            return
        token = ""
        for _ in range(READS_EACH):
            for path, kind in (
                (f"/rounds/{prepared.open_round}/results", "results"),
                (f"/rounds/{prepared.published_round}/results", "results"),
                (f"/rounds/{prepared.published_round}/reports/forum.pdf", "pdf"),
            ):
                # The report as its page's button asks for it (and then waits for it).
                method, form = ("POST", {"csrf_token": token}) if kind == "pdf" else ("GET", None)
                response = tally.timed(kind, client, method, path, data=form)
                if response.status_code != 200:
                    tally.fail(f"{path}: {response.status_code} {_title_of(response)}")
                elif kind == "results":
                    token = csrf_of(response.text)  # the results page's, as the button has it


def _title_of(response: httpx.Response) -> str:
    """What the page said went wrong, so that a failure in CI says which one it was."""
    found = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return " ".join(found.group(1).split()) if found else response.text[:200]


def _health(url: str, tally: Tally, stop: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            response = tally.timed("healthz", client, "GET", "/healthz")
            if response.status_code != 200:
                tally.fail(f"/healthz: {response.status_code}")
            stop.wait(0.1)


def _reports_made(prepared: Prepared) -> int:
    """How many times the published round's forum report was made: answers coming in to the
    open round change nothing it shows, so every reader should be handed the same one."""
    engine = create_db_engine(prepared.url)
    try:
        with Session(engine) as session:
            return len(
                session.exec(
                    select(ReportJob.id).where(ReportJob.round_id == prepared.published_round)
                ).all()
            )
    finally:
        engine.dispose()


def _lost(prepared: Prepared, tally: Tally) -> list[str]:
    engine = create_db_engine(prepared.url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Answer).where(col(Answer.invitation_id).in_(list(prepared.tokens.values())))
            ).all()
    finally:
        engine.dispose()
    stored = {
        (a.invitation_id, a.item_id): str(a.level) if a.kind is AnswerKind.LEVEL else a.kind.value
        for a in rows
    }
    return [
        f"{key}: sent {value}, stored {stored.get(key)}"
        for key, value in tally.acknowledged.items()
        if stored.get(key) != value
    ]


def run_burst(prepared: Prepared, folder: Path, workers: int) -> tuple[Tally, list[str], float]:
    tally = Tally()
    stop = threading.Event()
    with server(prepared.url, folder, workers) as running:
        started = time.perf_counter()
        monitor = threading.Thread(target=_health, args=(running.url, tally, stop))
        monitor.start()
        tokens = list(prepared.tokens.items())
        with ThreadPoolExecutor(max_workers=len(tokens) + READERS) as pool:
            jobs = [
                pool.submit(
                    _through_pages if number % 2 == 0 else _through_api,
                    running.url,
                    token,
                    invitation,
                    tally,
                    number,
                )
                for number, (token, invitation) in enumerate(tokens)
            ]
            jobs += [pool.submit(_reader, running.url, prepared, tally) for _ in range(READERS)]
            for job in jobs:
                try:
                    job.result(timeout=TIME_LIMIT_SECONDS)
                except Exception as error:  # noqa: BLE001 - every failure is reported below
                    tally.fail(f"{type(error).__name__}: {error}")
        stop.set()
        monitor.join()
        elapsed = time.perf_counter() - started
    return tally, _lost(prepared, tally), elapsed


CONFIGS = [
    pytest.param("sqlite", 1, id="sqlite-1-worker"),
    pytest.param("sqlite", 2, id="sqlite-2-workers"),
    pytest.param("postgresql", 2, id="postgresql-2-workers", marks=pytest.mark.postgres),
]


@pytest.mark.parametrize(("backend", "workers"), CONFIGS)
def test_a_burst_of_respondents_and_readers_loses_nothing_and_fails_nothing(
    backend: str, workers: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'burst.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    prepared = prepare(url, respondents=RESPONDENTS)

    tally, lost, elapsed = run_burst(prepared, tmp_path, workers)

    saves, results, health = (percentiles(tally.timings[k]) for k in ("save", "results", "healthz"))
    failed_saves = sum(1 for f in tally.failures if f.startswith(("page ", "API ", "submit")))
    print_table(
        f"Burst, {backend} with {workers} worker(s): {len(prepared.tokens)} respondents, "
        f"{READERS} readers, {elapsed:.1f} s",
        [
            "requests",
            "failed",
            "failed saves",
            "lost",
            "save p50/p95/p99 ms",
            "results p50/p95/p99 ms",
            "/healthz p99 ms",
            "PDFs",
        ],
        [
            [
                str(tally.requests),
                str(len(tally.failures)),
                str(failed_saves),
                str(len(lost)),
                "/".join(f"{v:.0f}" for v in saves),
                "/".join(f"{v:.0f}" for v in results),
                f"{health[2]:.0f}",
                str(len(tally.timings["pdf"])),
            ]
        ],
    )
    assert tally.failures == [], "\n".join(
        log.read_text()[-3000:] for log in sorted(tmp_path.glob("server-*.log"))
    )
    assert lost == []
    assert len(tally.acknowledged) > len(prepared.tokens) * 30
    assert len(tally.timings["pdf"]) == READERS * READS_EACH
    assert _reports_made(prepared) == 1
