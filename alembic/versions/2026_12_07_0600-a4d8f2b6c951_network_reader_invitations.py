"""network reader invitations: an account invitation need not be to a place

An administrator invites a network reader (LGA staff, a region, an integrated care system) by
e-mail, as facilitators invite people to their place; such an invitation names no place.

Revision ID: a4d8f2b6c951
Revises: f2c6e8a4b137
Create Date: 2026-12-07 06:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4d8f2b6c951"
down_revision: str | None = "f2c6e8a4b137"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_invitation") as batch_op:
        batch_op.alter_column("place_id", existing_type=sa.INTEGER(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("account_invitation") as batch_op:
        batch_op.alter_column("place_id", existing_type=sa.INTEGER(), nullable=False)
