"""network stories and editors: the library of what worked, reviewed before anyone else sees it

A place offers a short story from its workshop (Trusting place, Recommendation 22); the
network's editor publishes it or says why not. The editor's right is a flag on the user, as
the network reader's is.

Revision ID: b7e3d9f1a260
Revises: a4d8f2b6c951
Create Date: 2026-12-07 06:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b7e3d9f1a260"
down_revision: str | None = "a4d8f2b6c951"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_story",
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("condition_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("what_they_did", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("what_changed", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "published",
                "declined",
                name="storystatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("form_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("submitted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("editor_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
            name=op.f("fk_network_story_place_id_place"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["user.id"],
            name=op.f("fk_network_story_submitted_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_story")),
        sa.UniqueConstraint("form_key", name=op.f("uq_network_story_form_key")),
    )
    with op.batch_alter_table("network_story") as batch_op:
        batch_op.create_index(batch_op.f("ix_network_story_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_network_story_status"), ["status"], unique=False)

    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("edits_network", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("edits_network")

    with op.batch_alter_table("network_story") as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_story_status"))
        batch_op.drop_index(batch_op.f("ix_network_story_place_id"))

    op.drop_table("network_story")
