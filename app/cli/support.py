"""Helpers shared by the command-line modules: one-line failures, settings, a checked engine."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.core.config import Settings, get_settings
from app.core.db import (
    DatabaseConfigError,
    DatabaseUnavailableError,
    check_database,
    create_db_engine,
    describe,
)
from app.demo.place import DEMO_SLUG
from app.models import AssessmentRound, Place


def fail(message: str) -> NoReturn:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        reasons = "; ".join(
            str(problem["msg"]).removeprefix("Value error, ") for problem in error.errors()
        )
        fail(f"invalid settings: {reasons}")


@contextmanager
def reachable_engine(settings: Settings) -> Iterator[Engine]:
    """An engine that has answered a query, or a one-line failure."""
    try:
        engine = create_db_engine(settings.database_url)
    except DatabaseConfigError as error:
        fail(str(error))
    try:
        check_database(engine)
        yield engine
    except DatabaseUnavailableError as error:
        fail(str(error))
    except SQLAlchemyError as error:
        fail(f"database error on {describe(engine.url)}: {str(error).splitlines()[0]}")
    finally:
        engine.dispose()


def find_round(*, session: Session, reference: str) -> AssessmentRound | None:
    """A round by id, or 'demo': the demo place's latest round."""
    if reference == "demo":
        return session.exec(
            select(AssessmentRound)
            .join(Place, col(AssessmentRound.place_id) == col(Place.id))
            .where(Place.slug == DEMO_SLUG)
            .order_by(col(AssessmentRound.created_at).desc())
        ).first()
    if reference.isdigit():
        return session.get(AssessmentRound, int(reference))
    return None
