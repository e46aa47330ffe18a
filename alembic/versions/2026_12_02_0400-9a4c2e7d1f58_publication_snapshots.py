"""publication snapshots: what forum members read is stored when a round is published

Viewers' pages and PDFs were computed from live answers, so erasing, revoking or importing one
person in a published round changed what viewers saw, and comparing the two versions recovered
that person's answers. A publication now stores the figures a reader may see, already gated and
rounded. Versions published before this have none: the scheduled check fills it in while the
round's answers are still those it was published from (``app.results.snapshots``).

Revision ID: 9a4c2e7d1f58
Revises: 4b8f1d2c6e37
Create Date: 2026-12-02 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4c2e7d1f58"
down_revision: str | None = "4b8f1d2c6e37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publication") as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publication") as batch_op:
        batch_op.drop_column("snapshot")
