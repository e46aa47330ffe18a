"""quotes keep their partner: a chosen comment names the organisation it came from

A quote in a published round's reports was attributed by reaching back through the answer it
came from to the respondent's invitation, so what forum members read of a published round read
live answers. The partner is now kept on the quote when it is chosen (filled in here for the
quotes already chosen), and what a published round's readers see reads no answer at all.

Revision ID: b4e8d2a6c913
Revises: 7c1e5a9d3b20
Create Date: 2026-12-07 01:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4e8d2a6c913"
down_revision: str | None = "7c1e5a9d3b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_quote") as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE evidence_quote SET organisation_id = ("
        " SELECT invitation.organisation_id FROM answer"
        " JOIN invitation ON invitation.id = answer.invitation_id"
        " WHERE answer.id = evidence_quote.answer_id)"
    )
    with op.batch_alter_table("evidence_quote") as batch_op:
        batch_op.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_quote_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_quote_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_quote") as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_quote_organisation_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_quote_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_column("organisation_id")
