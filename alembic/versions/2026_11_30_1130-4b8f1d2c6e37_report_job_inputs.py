"""report job inputs: the fingerprint of what a report was made from, so that a report already
made is handed over again instead of being made again

Revision ID: 4b8f1d2c6e37
Revises: 0c5e2d7f9a14
Create Date: 2026-11-30 11:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4b8f1d2c6e37"
down_revision: str | None = "0c5e2d7f9a14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_job") as batch_op:
        batch_op.add_column(
            sa.Column("inputs", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("report_job") as batch_op:
        batch_op.drop_column("inputs")
