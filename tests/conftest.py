"""Shared fixtures: a fresh database per test, on SQLite and (when available) PostgreSQL.

PostgreSQL comes from ``PLACECHECK_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway server
and sets it). Without it the PostgreSQL variants skip with a loud reason on a laptop, and fail
under ``CI=true``: a skipped suite is not a pass.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers the tables
from app.core.config import Environment, Settings
from app.core.db import create_db_engine
from app.main import create_app
from app.results.remembered import forget_all
from tests.support.collector import (  # noqa: F401 - the hooks that set the collector
    pytest_collection_finish,
    pytest_configure,
)
from tests.support.databases import (
    POSTGRES_ENV,
    drop_postgres_templates,
    fresh_postgres_database,
    require_dependency,
)
from tests.support.figures import (  # noqa: F401 - the hooks that print the figures
    pytest_runtest_logreport,
    pytest_runtest_makereport,
    pytest_terminal_summary,
)
from tests.support.servers import LiveServer, serving
from tests.support.workspace import Workspace, copy_workspace

# Closing or publishing a round would make its reports (seconds of rendering each) in every test
# that does so, and in the servers tests start; the tests of that feature turn it on.
os.environ["PLACECHECK_PREPARE_REPORTS_IN_ADVANCE"] = "false"


@pytest.fixture(autouse=True)
def _nothing_remembered_from_another_test() -> None:
    """Each test has a database of its own, where ids, and so fingerprints, repeat."""
    forget_all()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    require_dependency(bool(url), f"{POSTGRES_ENV} is not set, so the PostgreSQL tests cannot run")
    return url


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
def settings() -> Settings:
    return Settings(environment=Environment.TEST, database_url="sqlite://")


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on a SQLite file, as ``make run`` serves."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'live.db'}")
    SQLModel.metadata.create_all(engine)
    with serving(engine) as server:
        yield server
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_templates() -> Iterator[None]:
    """The template databases the workspace and prepared demo are copied from (PostgreSQL)."""
    yield
    drop_postgres_templates()


@pytest.fixture
def workspace(
    engine: Engine,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Workspace:
    """People with every role, the demo place and a second place, in this test's database."""
    return copy_workspace(engine, settings.secret, tmp_path_factory.getbasetemp())
