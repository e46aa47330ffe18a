"""The reliability suites: a real server in its own processes (``placecheck serve``, one or two
workers), a database prepared with the demo and sixty more invitations, and figures printed as
a table. Everything runs on loopback and is bounded in requests and time. What they share is in
``tests.support`` (``servers``, ``demo``, ``figures``)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Settings
from app.main import create_app
from tests.support.pages import sign_in


@pytest.fixture
def facilitator(
    settings: Settings, engine: Engine, request: pytest.FixtureRequest
) -> Iterator[TestClient]:
    """The demo place's facilitator, signed in, in a copy of the workspace tests' demo."""
    request.getfixturevalue("workspace")
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, "fran@example.org")
