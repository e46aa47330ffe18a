"""passwords chosen by their owner: an account whose password someone else set must choose one

An administrator made an account and passed its temporary password on by hand, and nothing
made its owner change it. Accounts made that way (on the Users page or with ``placecheck users
create``) now open only their own page until their owner chooses a password. Accounts that
exist already are left as they are: nobody can tell now who chose their passwords.

Revision ID: f5b3d8e1a742
Revises: e2a9c4b7d516
Create Date: 2026-12-07 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5b3d8e1a742"
down_revision: str | None = "e2a9c4b7d516"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_choose_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("must_choose_password")
