"""paper sheets: a digest per imported paper questionnaire, so the same sheet is never added twice

Importing the same file of paper answers twice created every respondent twice. Sheets imported
before this upgrade have no digest and cannot be recognised; only later imports are checked.

Revision ID: 6e7b6a4187f3
Revises: af3b7eccd1a6
Create Date: 2026-11-30 01:29:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "6e7b6a4187f3"
down_revision: str | None = "af3b7eccd1a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch_op:
        batch_op.add_column(
            sa.Column(
                "paper_sheet_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.create_unique_constraint(
            "uq_invitation_paper_sheet", ["round_id", "paper_sheet_hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch_op:
        batch_op.drop_constraint("uq_invitation_paper_sheet", type_="unique")
        batch_op.drop_column("paper_sheet_hash")
