"""account invitations: a person asked by e-mail to join a place, through a one-time link

A facilitator (or an administrator) invites someone with a role in the place; the link works
once, until it expires, and only for the address it was sent to. The row keeps the link's nonce
(so it can be copied again while it waits) and the one-time key of the form that made it (so a
form sent twice makes one invitation and one e-mail).

Revision ID: d3f7a1c5e829
Revises: b9d4e2f7c613
Create Date: 2026-12-07 04:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d3f7a1c5e829"
down_revision: str | None = "b9d4e2f7c613"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_invitation",
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "facilitator",
                "viewer",
                name="membershiprole",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("link_nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("form_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invited_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_user_id"],
            ["user.id"],
            name=op.f("fk_account_invitation_invited_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
            name=op.f("fk_account_invitation_place_id_place"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_invitation")),
        sa.UniqueConstraint("form_key", name=op.f("uq_account_invitation_form_key")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_invitation_token_hash")),
    )
    with op.batch_alter_table("account_invitation") as batch_op:
        batch_op.create_index(batch_op.f("ix_account_invitation_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_account_invitation_place_id"), ["place_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("account_invitation") as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_invitation_place_id"))
        batch_op.drop_index(batch_op.f("ix_account_invitation_email"))

    op.drop_table("account_invitation")
