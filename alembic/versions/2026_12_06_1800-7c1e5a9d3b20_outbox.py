"""outbox: e-mails written when a send is confirmed, so a repeated request sends nothing twice

Reloading the page after "E-mail a reminder to everyone" sent every reminder again. A send now
comes from a confirmation page with a one-time key; its messages are written here in the same
transaction, and a request with a key already used finds them and sends nothing.

Revision ID: 7c1e5a9d3b20
Revises: 3d9f2b6c8e41
Create Date: 2026-12-06 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c1e5a9d3b20"
down_revision: str | None = "3d9f2b6c8e41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("send_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reminder", sa.Boolean(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_outbox_message_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["user.id"],
            name=op.f("fk_outbox_message_requested_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_round.id"],
            name=op.f("fk_outbox_message_round_id_assessment_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint(
            "send_key", "invitation_id", name=op.f("uq_outbox_message_send_key_invitation_id")
        ),
    )
    for column in ("round_id", "invitation_id", "send_key"):
        op.create_index(
            op.f(f"ix_outbox_message_{column}"), "outbox_message", [column], unique=False
        )


def downgrade() -> None:
    for column in ("round_id", "invitation_id", "send_key"):
        op.drop_index(op.f(f"ix_outbox_message_{column}"), table_name="outbox_message")
    op.drop_table("outbox_message")
