"""The application factory: ``uvicorn --factory app.main:create_app``."""

import logging
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from app.accounts import (
    account_views,
    admin_views,
    join_views,
    organisation_views,
    people_views,
)
from app.accounts import views as sign_in_views
from app.accounts.access import (
    PASSWORD_CHOICE_PAGE,
    TWO_FACTOR_PAGE,
    PasswordChoiceRequiredError,
    SignInRequiredError,
    TwoFactorRequiredError,
)
from app.core.config import Environment, JobRunner, Settings, get_settings
from app.core.db import create_db_engine
from app.core.errors import install_error_handlers
from app.core.paths import STATIC_DIR
from app.core.registry import registry_for
from app.core.security.body_limit import LimitBodies
from app.core.security.headers import SecurityHeaders
from app.core.warm_up import warm_up
from app.data import views as data_views
from app.invitations import views as invitation_views
from app.jobs.runners import report_queue
from app.jobs.tasks import JobResources, render_service, report_maker
from app.network import story_views as network_story_views
from app.network import views as network_views
from app.places import views as place_views
from app.responses import api as respondent_api
from app.responses import views as respondent_views
from app.results import views as result_views
from app.rounds import views as round_views
from app.site import api as site_api
from app.site import views as site_views
from app.workshop import views as workshop_views
from reports.pdf.service import PdfService

log = logging.getLogger("placecheck")

ROUTERS = [
    site_views.router,
    site_api.router,
    respondent_views.router,
    respondent_api.router,
    sign_in_views.router,
    place_views.router,
    round_views.router,
    invitation_views.router,
    result_views.router,
    workshop_views.router,
    data_views.router,
    admin_views.router,
    account_views.router,
    people_views.router,
    join_views.router,
    organisation_views.router,
    network_views.router,
    network_story_views.router,
]


def _warm(pdf_service: PdfService) -> None:
    """Start the render processes beside the first requests; if they cannot start now (the
    server stopping already), the first report starts them."""
    started = time.perf_counter()
    try:
        processes = pdf_service.warm()
    except (BrokenProcessPool, CancelledError, RuntimeError) as error:
        log.warning("Render processes not started in advance: %s", error)
        return
    log.info("%s render processes ready in %.1f s", len(processes), time.perf_counter() - started)


READY = "Placecheck is ready: open the address above in your browser."
"""Said once the app can answer, not before (it said it was running ten seconds early)."""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and engine, the server reads the env."""
    settings = settings or get_settings()
    owns_engine = engine is None
    engine = engine or create_db_engine(settings.database_url)

    pdf_service = render_service(settings)
    resources = JobResources(
        engine=engine,
        settings=settings,
        make=report_maker(engine, pdf_service),
    )
    queue = report_queue(settings, resources, workers=pdf_service.workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Not in tests, where each test builds its own app and would pay for every page.
        if settings.environment is not Environment.TEST:
            if settings.jobs is JobRunner.IN_PROCESS:  # otherwise workers make the reports
                threading.Thread(target=_warm, args=(pdf_service,), daemon=True).start()
            started = time.perf_counter()
            routes, templates = warm_up(app)
            log.info(
                "Built %s routes and compiled %s templates in %.1f s",
                routes,
                templates,
                time.perf_counter() - started,
            )
        queue.start()
        log.info("%s", READY)
        yield
        queue.stop()
        pdf_service.shutdown()
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="Placecheck API",
        summary="Self-assessment of readiness for place-based working.",
        version="1",
        debug=settings.debug,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.report_queue = queue
    app.state.pdf_service = pdf_service
    app.state.registry = registry_for(settings)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LimitBodies)
    install_error_handlers(app)
    app.add_exception_handler(SignInRequiredError, _to_sign_in)
    app.add_exception_handler(PasswordChoiceRequiredError, _to_choose_a_password)
    app.add_exception_handler(TwoFactorRequiredError, _to_set_up_a_code)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _to_choose_a_password(request: Request, exc: Exception) -> Response:
    del request, exc
    return RedirectResponse(PASSWORD_CHOICE_PAGE, status_code=303)


async def _to_set_up_a_code(request: Request, exc: Exception) -> Response:
    del request, exc
    return RedirectResponse(TWO_FACTOR_PAGE, status_code=303)


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    return RedirectResponse(f"/sign-in?next={quote(exc.next_path)}", status_code=303)
