"""Running the Alembic migrations from code (the CLI and the tests share this)."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from app.core.paths import ALEMBIC_DIR, PROJECT_ROOT


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url is not None:
        # ConfigParser treats % as interpolation; URLs with escaped passwords contain it.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema up to date; running it again on an up-to-date database does nothing."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
