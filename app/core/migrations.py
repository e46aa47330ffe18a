"""Running the Alembic migrations from code (the CLI and the tests share this)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from app.core.paths import ALEMBIC_DIR, PROJECT_ROOT

JOB_QUEUE_PREFIX = "procrastinate"
"""The job library's own tables (``app.jobs.queue``): made by a migration from its schema, not
described by our models, so comparing the models with the database leaves them out."""


def ours(_object: object, name: str | None, type_: str, _reflected: bool, _other: object) -> bool:
    """Alembic's ``include_object``: every table but the job library's."""
    return not (type_ == "table" and (name or "").startswith(JOB_QUEUE_PREFIX))


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url is not None:
        # ConfigParser treats % as interpolation; URLs with escaped passwords contain it.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration run, with SQLite's foreign keys off while it runs.

    On SQLite, Alembic changes a table by copying it and dropping the old one; with foreign keys
    on, dropping ``invitation`` deletes every answer through ``ON DELETE CASCADE``. SQLite's own
    procedure for rebuilding a table turns them off first and checks them before committing,
    which is what happens here. The setting must change outside a transaction, on the driver's
    connection, and is restored for the pool afterwards.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver = connection.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration broke references: {broken[:5]}")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def run_migrations(engine: Engine, action: Callable[[Config], None]) -> None:
    config = alembic_config()
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        action(config)


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema up to date; running it again on an up-to-date database does nothing."""
    run_migrations(engine, lambda config: command.upgrade(config, "head"))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
