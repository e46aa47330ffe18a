"""The workspace (``tests.support.workspace``) with a facilitator or a viewer signed in."""

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
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, "fran@example.org")


@pytest.fixture
def viewer(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, "vic@example.org")
