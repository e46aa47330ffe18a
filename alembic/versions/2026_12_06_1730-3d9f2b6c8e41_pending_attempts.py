"""pending attempts: a guess takes its place in the count before its password is checked

Checking first and counting after let forty wrong passwords sent at once all be checked. Each
attempt now takes its place first, marked pending until its check ends (a wrong password keeps
it, a right one gives it back), and attempts that find the count full of pending places wait
for them rather than being refused.

Revision ID: 3d9f2b6c8e41
Revises: 9a4c2e7d1f58
Create Date: 2026-12-06 17:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3d9f2b6c8e41"
down_revision: str | None = "9a4c2e7d1f58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("failed_attempt") as batch_op:
        batch_op.add_column(
            sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("failed_attempt") as batch_op:
        batch_op.drop_column("pending")
