"""The database, for the commands that use it: a checked engine and finding a round."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.cli.support import fail
from app.core.config import Settings
from app.core.db import (
    DatabaseConfigError,
    DatabaseUnavailableError,
    check_database,
    create_db_engine,
    describe,
)
from app.demo.place import DEMO_SLUG
from app.models import AssessmentRound, Place


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
