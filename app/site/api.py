"""Routes of the JSON API (version 1)."""

import logging

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.core.db import DatabaseUnavailableError, check_database
from app.core.errors import DATABASE_DOWN, PROBLEM_RESPONSES
from app.deps import SessionDep, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)
log = logging.getLogger(__name__)


class Status(BaseModel):
    service: str = Field(examples=["placecheck"])
    version: str = Field(examples=["0.1.0"])
    database: str = Field(description="'ok' or why the database cannot be reached.")


@router.get("/status", summary="Service and database status", tags=["service"])
def read_status(session: SessionDep) -> Status:
    from importlib.metadata import version

    try:
        check_database(session)
        database = "ok"
    except DatabaseUnavailableError as error:
        log.error("Status: %s", error)
        database = DATABASE_DOWN
    return Status(service="placecheck", version=version("placecheck"), database=database)
