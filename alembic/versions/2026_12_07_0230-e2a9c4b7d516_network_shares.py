"""network shares: a published round's results joining the network of places, by choice

A place's facilitator chooses, per published round, whether its results join the network and,
separately, whether other places may see its name and contact it. The row is the choice;
deleting it (the choice withdrawn, or the publication) takes the round out of the network.

Revision ID: e2a9c4b7d516
Revises: c7d1e9f3a285
Create Date: 2026-12-07 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e2a9c4b7d516"
down_revision: str | None = "c7d1e9f3a285"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_share",
        sa.Column(
            "visibility",
            sa.Enum(
                "named",
                "unnamed",
                name="peervisibility",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_round.id"],
            name=op.f("fk_network_share_round_id_assessment_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_share")),
    )
    with op.batch_alter_table("network_share") as batch_op:
        batch_op.create_index(batch_op.f("ix_network_share_round_id"), ["round_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("network_share") as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_share_round_id"))
    op.drop_table("network_share")
