"""A server builds its routes and compiles its pages as it starts, not on its first visitors."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Environment, Settings
from app.core.warm_up import warm_up
from app.main import ROUTERS, create_app
from reports.templating import TEMPLATES_DIR


def test_warming_up_builds_every_route_and_compiles_every_page(
    settings: Settings, engine: Engine
) -> None:
    routes, templates = warm_up(create_app(settings=settings, engine=engine))

    assert routes == sum(len(router.routes) for router in ROUTERS)
    assert templates > len(list(TEMPLATES_DIR.rglob("*.html")))  # ours and GOV.UK Frontend's


def test_a_server_warms_up_as_it_starts_except_in_tests(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="placecheck")
    with TestClient(create_app(settings=settings, engine=engine)):
        assert "Built" not in caplog.text
    development = settings.model_copy(update={"environment": Environment.DEVELOPMENT})
    with TestClient(create_app(settings=development, engine=engine)):
        assert f"Built {sum(len(r.routes) for r in ROUTERS)} routes" in caplog.text
