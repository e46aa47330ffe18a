"""The workspace (``tests.support.workspace``) with one of its people signed in: the demo
place's facilitator or viewer, an administrator, or Fenmoor's facilitator (an outsider to the
demo place; Fenmoor does not share with the network)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Settings
from app.main import create_app
from tests.support.pages import sign_in
from tests.support.workspace import Workspace


@pytest.fixture
def facilitator(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    yield from _signed_in(settings, engine, "fran@example.org")


@pytest.fixture
def viewer(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    yield from _signed_in(settings, engine, "vic@example.org")


@pytest.fixture
def admin(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    yield from _signed_in(settings, engine, "admin@example.org")


@pytest.fixture
def outsider(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    yield from _signed_in(settings, engine, "sam@example.org")


def _signed_in(settings: Settings, engine: Engine, email: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, email)
