"""The reliability suites: a real server in its own processes (``placecheck serve``, one or two
workers), a database prepared with the demo and sixty more invitations, and figures printed as
a table. Everything runs on loopback and is bounded in requests and time."""

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select

from app.core.config import Settings
from app.core.db import create_db_engine, write_session
from app.core.migrations import upgrade_to_head
from app.demo.accounts import ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import RoundStatus
from app.invitations.service import invite
from app.main import create_app
from app.models import AssessmentRound, InvitationBase, Organisation, Place

# The demo workspace, copied into each test's database, as the workspace tests use it.
from tests.workspace.conftest import _drop_postgres_templates, sign_in, workspace  # noqa: E402, F401

SECRET = "reliability-suite-secret-of-at-least-32-characters"


@pytest.fixture
def facilitator(
    settings: Settings, engine: Engine, request: pytest.FixtureRequest
) -> Iterator[TestClient]:
    """The demo place's facilitator, signed in, in a copy of the workspace tests' demo."""
    request.getfixturevalue("workspace")
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, "fran@example.org")


RESPONDENTS = 60


@dataclass
class Prepared:
    url: str
    open_round: int
    published_round: int
    tokens: dict[str, int] = field(default_factory=dict)
    """Each new invitation's link token, with its invitation id."""


def prepare(database_url: str, respondents: int = RESPONDENTS) -> Prepared:
    """The demo place, its accounts, and ``respondents`` new invitations in its open round,
    spread over its organisations (so every sector has people answering)."""
    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
        with write_session(engine) as session:
            summary = load_demo(session, SECRET)
            place = session.get(Place, summary.place_id)
            assert place is not None
            ensure_demo_accounts(session, place)
            session.commit()
        with write_session(engine) as session:
            # Oldest first, so the published round kept is the latest (the baseline, not the pilot).
            rounds = {
                r.status: r
                for r in session.exec(
                    select(AssessmentRound)
                    .where(AssessmentRound.place_id == summary.place_id)
                    .order_by(col(AssessmentRound.created_at))
                ).all()
            }
            organisations = session.exec(
                select(Organisation).where(Organisation.place_id == summary.place_id)
            ).all()
            prepared = Prepared(
                database_url,
                rounds[RoundStatus.OPEN].id or 0,
                rounds[RoundStatus.PUBLISHED].id or 0,
            )
            for number in range(respondents):
                invitation, token = invite(
                    session=session,
                    assessment_round=rounds[RoundStatus.OPEN],
                    organisation=organisations[number % len(organisations)],
                    invitee=InvitationBase(role_title=f"Burst respondent {number}"),
                    secret=SECRET,
                )
                prepared.tokens[token] = invitation.id or 0
        return prepared
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL to the server and everything it started (workers, PDF renderers)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def descendants(self) -> list[int]:
        """Every process the server started, read from /proc (no extra dependency)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
        found: list[int] = []
        waiting = [self.process.pid]
        while waiting:
            for child in children.get(waiting.pop(), []):
                found.append(child)
                waiting.append(child)
        return found


@contextmanager
def server(
    database_url: str, cache_dir: Path, workers: int = 1, jobs: str = "in-process"
) -> Iterator[Server]:
    """``placecheck serve`` in its own process group, as an operator runs it."""
    port = _free_port()
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    process, log = _start(command, database_url, cache_dir, jobs, f"server-{port}")
    running = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{running.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield running
    finally:
        _stop(running)


@contextmanager
def job_worker(database_url: str, cache_dir: Path) -> Iterator[Server]:
    """``placecheck worker`` in its own process group, taking jobs from procrastinate."""
    process, log = _start(["worker"], database_url, cache_dir, "procrastinate", "worker")
    running = Server("", process, log)
    try:
        deadline = time.monotonic() + 60
        while b"taking jobs" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield running
    finally:
        _stop(running)


def _start(
    arguments: list[str], database_url: str, cache_dir: Path, jobs: str, name: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = cache_dir.parent / f"{name}.log"
    environment = {
        **os.environ,
        "PLACECHECK_DATABASE_URL": database_url,
        "PLACECHECK_SECRET_KEY": SECRET,
        "PLACECHECK_REPORT_CACHE_DIR": str(cache_dir),
        "PLACECHECK_ENVIRONMENT": "development",
        "PLACECHECK_JOBS": jobs,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "placecheck"), *arguments],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def _stop(running: Server) -> None:
    if running.process.poll() is None:
        os.killpg(running.process.pid, signal.SIGTERM)
        try:
            running.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            running.kill()


CSRF_FIELD = 'name="csrf_token" value="'


def csrf_in(page: str) -> str:
    """The CSRF token of the first form on a page."""
    return page.split(CSRF_FIELD)[1].split('"')[0]


def post_sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    """Sign in through the form, as a browser does (the form's own CSRF token)."""
    token = csrf_in(client.get("/sign-in").text)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def signed_in(url: str, email: str, password: str, timeout: float = 300) -> httpx.Client:
    """A client signed in to a running server; the caller closes it."""
    client = httpx.Client(base_url=url, timeout=timeout)
    post_sign_in(client, email, password)
    return client


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 in milliseconds."""
    if len(samples) < 2:
        only = samples[0] * 1000 if samples else 0.0
        return only, only, only
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


FIGURES: list[list[str]] = []


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    """Kept for the end of the run, where ``make reliability`` prints every suite's figures."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    FIGURES.append(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
    for lines in FIGURES:
        for line in lines:
            terminalreporter.write_line(line)
        terminalreporter.write_line("")
