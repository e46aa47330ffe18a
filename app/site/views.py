"""Routes that render pages, plus the health check that load balancers call."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app.core.db import DatabaseUnavailableError, check_database
from app.core.errors import Problem, problem_response
from app.core.templating import templates
from app.deps import SessionDep

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request, session: SessionDep) -> JSONResponse:
    """200 only when the database answers, so a load balancer stops sending work otherwise."""
    try:
        check_database(session)
    except DatabaseUnavailableError as error:
        return problem_response(
            request, Problem(title="Database unavailable", status=503, detail=str(error))
        )
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "pages/home.html", {})


@router.get("/accessibility", response_class=HTMLResponse, include_in_schema=False)
def accessibility(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "pages/accessibility.html", {})


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
def privacy(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "pages/privacy.html", {})


@router.get("/help", response_class=HTMLResponse, include_in_schema=False)
def help_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "pages/help.html", {})
