"""signed-in browsers: each session names its browser, for the list on Your account

A person sees where they are signed in ('Firefox on Windows', and when) and can sign out
everywhere else. Only that short name is kept: no address and no full user agent. Sessions
that exist already have none and are listed as 'A browser'.

Revision ID: a8c2f6d4e917
Revises: f5b3d8e1a742
Create Date: 2026-12-07 03:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a8c2f6d4e917"
down_revision: str | None = "f5b3d8e1a742"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.add_column(
            sa.Column("browser", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_column("browser")
