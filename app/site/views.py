"""Routes that render pages, plus the health check that load balancers call."""

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app.core.db import DatabaseUnavailableError, check_database
from app.core.errors import DATABASE_DOWN, Problem, problem_response
from app.core.templating import templates
from app.deps import SessionDep, UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)
log = logging.getLogger(__name__)


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request, session: SessionDep) -> JSONResponse:
    """200 only when the database answers, so a load balancer stops sending work otherwise.
    Anyone may ask, so the answer never names the database; the operator's log does."""
    try:
        check_database(session)
    except DatabaseUnavailableError as error:
        log.error("Health check: %s", error)
        response = problem_response(
            request, Problem(title="Database unavailable", status=503, detail=DATABASE_DOWN)
        )
        response.headers["Retry-After"] = "60"
        return response
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "pages/home.html", {})


def _information_page(name: str) -> Callable[[Request], HTMLResponse]:
    def page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, f"pages/{name}.html", {})

    page.__name__ = f"{name}_page"
    return page


# Pages a public body must publish, and help: open to everyone, signed in or not.
for _name in ("accessibility", "privacy", "help"):
    router.add_api_route(
        f"/{_name}",
        _information_page(_name),
        methods=["GET"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
