"""procrastinate's job queue (PostgreSQL only): the tables, types and functions of the job
library that runs reports and scheduled checks on worker processes (``app.jobs.queue``).

The SQL is procrastinate's own ``schema.sql`` for the version pinned in requirements.lock
(3.10.0). Upgrading procrastinate past a schema change needs a new migration applying its
delta files (``procrastinate/sql/migrations``), as its documentation describes. On SQLite there
is nothing to do: jobs run in the app's own process there.

Revision ID: 0c5e2d7f9a14
Revises: 752a5bb9210e
Create Date: 2026-11-30 11:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0c5e2d7f9a14"
down_revision: str | None = "752a5bb9210e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_script(sql: str) -> None:
    # The raw driver cursor: no parameters, so psycopg runs the script as it is (SQLAlchemy's
    # text() would read every ":name" in the functions' bodies as a bind parameter).
    cursor = op.get_bind().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run_script(
        """
        DO $$
        DECLARE item record;
        BEGIN
          FOR item IN SELECT tablename FROM pg_tables
                      WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%'
          LOOP EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename); END LOOP;
          FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
          LOOP EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature); END LOOP;
          FOR item IN SELECT t.typname FROM pg_type t
                      JOIN pg_namespace n ON n.oid = t.typnamespace
                      WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                        AND t.typtype IN ('c', 'e')
          LOOP EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname); END LOOP;
        END $$;
        """
    )
