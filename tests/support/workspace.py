"""The workspace the workspace and reliability tests start from: people with every role, the
demo place and a second place, built once per backend and copied into each test's database."""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col, select

from app.accounts.service import create_user
from app.core.db import (
    UnitOfWork,
    create_db_engine,
    has_written,
    write_session,
)
from app.demo.place import load_demo
from app.enums import MembershipRole, RoundStatus
from app.models import AssessmentRound, Place, PlaceCreate, PlaceMembership, UserCreate
from app.places.service import create_place
from tests.support.databases import copy_postgres_template, new_postgres_template
from tests.support.pages import PASSWORD


@dataclass(frozen=True)
class Workspace:
    place_slug: str
    other_slug: str
    current_round: int
    previous_round: int
    other_round: int


def people_and_places(engine: Engine, secret: str) -> Workspace:
    """The demo place, four people in different roles, and a second place (about 3 s)."""
    with write_session(engine) as session:
        load_demo(session, secret)
        place = session.exec(select(Place).where(Place.slug == "kestrel-vale")).one()
        admin = create_user(
            session=session,
            details=UserCreate(
                email="admin@example.org",
                display_name="Ada Admin",
                password=PASSWORD,
                is_administrator=True,
            ),
        )
        facilitator = create_user(
            session=session,
            details=UserCreate(
                email="fran@example.org",
                display_name="Fran Facilitator",
                password=PASSWORD,
                is_administrator=False,
                may_create_places=True,
            ),
        )
        viewer = create_user(
            session=session,
            details=UserCreate(
                email="vic@example.org",
                display_name="Vic Viewer",
                password=PASSWORD,
                is_administrator=False,
            ),
        )
        stranger = create_user(
            session=session,
            details=UserCreate(
                email="sam@example.org",
                display_name="Sam Elsewhere",
                password=PASSWORD,
                is_administrator=False,
            ),
        )
        assert place.id and facilitator.id and viewer.id and admin.id
        session.add(PlaceMembership(user_id=facilitator.id, place_id=place.id))
        session.add(
            PlaceMembership(user_id=viewer.id, place_id=place.id, role=MembershipRole.VIEWER)
        )
        other = create_place(session=session, creator=stranger, details=PlaceCreate(name="Fenmoor"))
        other_round = AssessmentRound(
            place_id=other.id or 0,
            title="Fenmoor first round",
            questionnaire_hash=session.exec(select(AssessmentRound)).first().questionnaire_hash,  # type: ignore[union-attr]
            status=RoundStatus.OPEN,
        )
        session.add(other_round)
        session.commit()
        rounds = session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.place_id == place.id)
            .order_by(col(AssessmentRound.created_at).desc())
        ).all()
        current = next(r for r in rounds if r.status is RoundStatus.OPEN)
        previous = next(r for r in rounds if r.status is RoundStatus.PUBLISHED)
        return Workspace(
            "kestrel-vale", other.slug, current.id or 0, previous.id or 0, other_round.id or 0
        )


_TEMPLATES: dict[str, tuple[str, Workspace]] = {}
"""Each backend's finished workspace, built once per test session: a SQLite file, or a
PostgreSQL database that each test's database is created from."""


def workspace_template(engine: Engine, secret: str, tmp: Path) -> tuple[str, Workspace]:
    backend = engine.dialect.name
    key = f"{backend}:{secret}"
    if key not in _TEMPLATES:
        if backend == "sqlite":
            path = str(tmp / "workspace-template.db")
            template = create_db_engine(f"sqlite:///{path}")
        else:
            path = new_postgres_template()
            template = create_db_engine(path)
        SQLModel.metadata.create_all(template)
        _TEMPLATES[key] = (path, people_and_places(template, secret))
        template.dispose()
    return _TEMPLATES[key]


def copy_workspace(engine: Engine, secret: str, tmp: Path) -> Workspace:
    """The workspace template copied into ``engine``'s database: the same data every time,
    without loading the demo again for each test."""
    source, built = workspace_template(engine, secret, tmp)
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as template, engine.connect() as connection:
            template.backup(connection.connection.driver_connection)  # type: ignore[arg-type]
    else:
        engine.dispose()
        copy_postgres_template(source, engine.url.render_as_string(hide_password=False))
    return built


def round_of(engine: Engine, round_id: int) -> AssessmentRound:
    """The round as stored now, read in a session of its own."""
    with Session(engine) as session:
        found = session.get(AssessmentRound, round_id)
        assert found is not None
        return found


def fail_commits(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Every commit of a change fails as a locked SQLite would; returns a function that lets
    commits through again."""
    finish = UnitOfWork.finish

    def failing(work: UnitOfWork) -> None:
        if has_written(work.session):
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        finish(work)

    monkeypatch.setattr(UnitOfWork, "finish", failing)
    return lambda: monkeypatch.setattr(UnitOfWork, "finish", finish)
