"""failed attempts counted in the database, shared by every worker

Sign-in and bad-link limits were counted in each worker's memory: with several workers the
limit multiplied, the counts were never forgotten, and a restart cleared them. Nothing to carry
over: counts held in memory before this upgrade are simply gone.

Revision ID: e60f2a4bd213
Revises: 3c7a9e15d2b4
Create Date: 2026-11-30 01:23:02+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e60f2a4bd213"
down_revision: str | None = "3c7a9e15d2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "failed_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_attempt")),
    )
    with op.batch_alter_table("failed_attempt") as batch_op:
        batch_op.create_index(
            "ix_failed_attempt_scope_key_time", ["scope", "key_hash", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("failed_attempt") as batch_op:
        batch_op.drop_index("ix_failed_attempt_scope_key_time")
    op.drop_table("failed_attempt")
