"""The migrations must build exactly the schema the models describe, on both databases."""

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from app.core.db import write_session
from app.core.migrations import current_revision, ours, run_migrations, upgrade_to_head
from app.demo.place import load_demo
from app.models import Answer, Publication


def test_upgrade_head_on_an_empty_database_matches_the_models(empty_engine: Engine) -> None:
    upgrade_to_head(empty_engine)

    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": ours}
        )
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []
    assert set(inspect(empty_engine).get_table_names()) >= {
        "place",
        "organisation",
        "assessment_round",
        "invitation",
        "answer",
        "user",
        "place_membership",
        "audit_event",
    }


def test_a_second_upgrade_is_a_no_op(empty_engine: Engine) -> None:
    upgrade_to_head(empty_engine)
    revision = current_revision(empty_engine)

    upgrade_to_head(empty_engine)

    assert revision is not None
    assert current_revision(empty_engine) == revision


def test_the_migrations_create_every_check_constraint_the_models_declare(
    empty_engine: Engine,
) -> None:
    """compare_metadata does not look at CHECK constraints, so compare their names here."""
    upgrade_to_head(empty_engine)
    inspector = inspect(empty_engine)

    for table in SQLModel.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        created = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert created == declared, table.name


def test_the_database_refuses_a_status_a_threshold_or_a_level_out_of_range(
    empty_engine: Engine,
) -> None:
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as connection:
        connection.execute(
            text(
                "INSERT INTO place (name, slug, description, created_at) "
                "VALUES ('P', 'p', '', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO questionnaire_snapshot VALUES ('h', 'q', '1', '{}', CURRENT_TIMESTAMP)"
            )
        )
        connection.commit()
    bad_rows = [
        "('t', 1, 'h', 'finished', 3)",  # not a status
        "('t', 1, 'h', 'open', 1)",  # a threshold that would show individuals
    ]
    for row in bad_rows:
        with empty_engine.connect() as connection, pytest.raises(IntegrityError):
            connection.execute(
                text(
                    "INSERT INTO assessment_round "
                    "(title, place_id, questionnaire_hash, status, anonymity_threshold, "
                    "created_at) "
                    f"VALUES {row[:-1]}, CURRENT_TIMESTAMP)"
                )
            )


def test_rounds_published_before_publications_were_kept_get_the_same_record_as_now(
    empty_engine: Engine,
) -> None:
    """The migration writes the answer digest out in SQL; it must agree with the code's, or
    every round published before the upgrade would refuse to be published again unchanged."""
    upgrade_to_head(empty_engine)
    with write_session(empty_engine) as session:
        load_demo(session, "test-secret")
        recorded = {p.round_id: p.contributions for p in session.exec(select(Publication)).all()}
        answers = len(session.exec(select(Answer)).all())
    assert recorded

    run_migrations(empty_engine, lambda config: command.downgrade(config, "e60f2a4bd213"))
    upgrade_to_head(empty_engine)

    with Session(empty_engine) as session:
        backfilled = {p.round_id: p.contributions for p in session.exec(select(Publication)).all()}
        assert len(session.exec(select(Answer)).all()) == answers
    # Everyone published is recorded as they were; the backfill reads the live answers, so the
    # demo pilot's paper questionnaire that came back after publication is the one more.
    before, after = _without_ratings(recorded), _without_ratings(backfilled)
    assert before.keys() == after.keys()
    for round_id, people in before.items():
        assert {person: after[round_id][person] for person in people} == people
    assert sum(len(after[r]) - len(before[r]) for r in before) == 1


def _without_ratings(records: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """What each person rated is not known to the migration (it is filled in with the
    snapshot, while the answers are still those published)."""
    return {
        round_id: {
            person: {k: v for k, v in parts.items() if k != "rated"}
            for person, parts in contributions.items()
        }
        for round_id, contributions in records.items()
    }


def test_changing_a_table_on_sqlite_keeps_the_rows_that_refer_to_it(empty_engine: Engine) -> None:
    """Rebuilding ``invitation`` (as SQLite migrations do) once deleted every answer by cascade."""
    upgrade_to_head(empty_engine)
    with write_session(empty_engine) as session:
        load_demo(session, "test-secret")
        before = len(session.exec(select(Answer)).all())

    run_migrations(empty_engine, lambda config: command.downgrade(config, "3c7a9e15d2b4"))
    upgrade_to_head(empty_engine)

    with Session(empty_engine) as session:
        assert len(session.exec(select(Answer)).all()) == before > 0
    with empty_engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
