"""Shared fixtures: a fresh database per test, on SQLite and (when available) PostgreSQL.

PostgreSQL comes from ``PLACECHECK_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway server
and sets it). Without it the PostgreSQL variants skip with a loud reason on a laptop, and fail
under ``CI=true``: a skipped suite is not a pass.
"""

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers the tables
from app.core.config import Environment, Settings
from app.core.db import create_db_engine, parse_database_url
from app.main import create_app
from app.results.remembered import forget_all

POSTGRES_ENV = "PLACECHECK_TEST_POSTGRES_URL"
# Closing or publishing a round would make its reports (seconds of rendering each) in every test
# that does so, and in the servers tests start; the tests of that feature turn it on.
os.environ["PLACECHECK_PREPARE_REPORTS_IN_ADVANCE"] = "false"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_dependency(available: bool, reason: str) -> None:
    """Skip locally with the reason; in CI a missing dependency is a failure, not a skip."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


@pytest.fixture(autouse=True)
def _nothing_remembered_from_another_test() -> None:
    """Each test has a database of its own, where ids, and so fingerprints, repeat."""
    forget_all()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    require_dependency(bool(url), f"{POSTGRES_ENV} is not set, so the PostgreSQL tests cannot run")
    return url


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A brand-new, empty database on the PostgreSQL server at ``server_url``, dropped after."""
    server = parse_database_url(server_url)
    name = f"placecheck_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database for one test."""
    with fresh_postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """An empty database on each backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'placecheck.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(empty_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A database with the current schema, on each backend."""
    SQLModel.metadata.create_all(empty_engine)
    return empty_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url="sqlite://",
        report_cache_dir=tmp_path_factory.mktemp("report-cache"),
    )


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, engine=engine)) as test_client:
        yield test_client


@dataclass
class LiveServer:
    url: str
    engine: Engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(engine: Engine, report_cache_dir: Path) -> Iterator[LiveServer]:
    """A real server (uvicorn, on loopback) over ``engine``, for browsers and load tests."""
    settings = Settings(
        environment=Environment.TEST,
        database_url=engine.url.render_as_string(hide_password=False),
        report_cache_dir=report_cache_dir,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings=settings, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", engine)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on a SQLite file, as ``make run`` serves."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'live.db'}")
    SQLModel.metadata.create_all(engine)
    with serving(engine, tmp_path / "report-cache") as server:
        yield server
    engine.dispose()
