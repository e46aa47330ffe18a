"""The migrations must build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from app.core.migrations import current_revision, upgrade_to_head


def test_upgrade_head_on_an_empty_database_matches_the_models(empty_engine: Engine) -> None:
    upgrade_to_head(empty_engine)

    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
