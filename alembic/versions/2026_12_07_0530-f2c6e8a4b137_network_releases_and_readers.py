"""network releases and readers: the network's figures as released, and who reads them

A release holds what network pages show until the next (the groups the gate passed, their
bands and named places) and which shared rounds each shown group held, so that later releases
are checked against it. A network reader (LGA staff, a region, an integrated care system) is
given the right by an administrator.

Revision ID: f2c6e8a4b137
Revises: e8b2c4f6a913
Create Date: 2026-12-07 05:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "f2c6e8a4b137"
down_revision: str | None = "e8b2c4f6a913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("minimum_places", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_release")),
    )
    with op.batch_alter_table("network_release") as batch_op:
        batch_op.create_index(batch_op.f("ix_network_release_version"), ["version"], unique=False)

    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("reads_network", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("reads_network")

    with op.batch_alter_table("network_release") as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_release_version"))

    op.drop_table("network_release")
