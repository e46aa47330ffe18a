"""who may set up places: administrators, and people an administrator allows

Before, any account, a viewer included, could set up a place. Existing accounts start without
the right; administrators keep it through their role.

Revision ID: 3c7a9e15d2b4
Revises: 8d2f41c0b9e3
Create Date: 2026-11-23 23:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c7a9e15d2b4"
down_revision: str | None = "8d2f41c0b9e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("may_create_places", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("may_create_places")
