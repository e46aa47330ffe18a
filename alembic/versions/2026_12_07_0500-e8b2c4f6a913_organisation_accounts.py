"""organisation accounts: a person's OpenID Connect issuer and subject, bound to their account

Bound when they first sign in with their organisation's account through their invitation;
later sign-ins match on the issuer and subject, never on an e-mail claim.

Revision ID: e8b2c4f6a913
Revises: d3f7a1c5e829
Create Date: 2026-12-07 05:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e8b2c4f6a913"
down_revision: str | None = "d3f7a1c5e829"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_organisation_account_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_account")),
        sa.UniqueConstraint(
            "issuer", "subject", name=op.f("uq_organisation_account_issuer_subject")
        ),
    )
    with op.batch_alter_table("organisation_account") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_account_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation_account") as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_account_user_id"))

    op.drop_table("organisation_account")
