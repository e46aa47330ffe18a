"""report jobs, round reminders and a place's data contact: reports prepared in the background,
a reminder sent a set number of days before a round's closing date, and whom a place's
respondents ask about their data (printed in the privacy notice they read)

Revision ID: 752a5bb9210e
Revises: 6e7b6a4187f3
Create Date: 2026-11-30 07:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "752a5bb9210e"
down_revision: str | None = "6e7b6a4187f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "refused",
                "failed",
                name="jobstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_report_job_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["user.id"],
            name=op.f("fk_report_job_requested_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_round.id"],
            name=op.f("fk_report_job_round_id_assessment_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job")),
    )
    with op.batch_alter_table("report_job") as batch_op:
        batch_op.create_index(batch_op.f("ix_report_job_round_id"), ["round_id"], unique=False)
        batch_op.create_index(
            "ix_report_job_status_created", ["status", "created_at"], unique=False
        )

    with op.batch_alter_table("place") as batch_op:
        batch_op.add_column(
            sa.Column("data_contact", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )

    with op.batch_alter_table("assessment_round") as batch_op:
        batch_op.add_column(sa.Column("remind_days_before", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminder_sent_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_assessment_round_remind_days_before_in_range"),
            "remind_days_before BETWEEN 1 AND 28",
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_round") as batch_op:
        batch_op.drop_constraint(
            op.f("ck_assessment_round_remind_days_before_in_range"), type_="check"
        )
        batch_op.drop_column("reminder_sent_on")
        batch_op.drop_column("remind_days_before")

    with op.batch_alter_table("place") as batch_op:
        batch_op.drop_column("data_contact")

    with op.batch_alter_table("report_job") as batch_op:
        batch_op.drop_index("ix_report_job_status_created")
        batch_op.drop_index(batch_op.f("ix_report_job_round_id"))

    op.drop_table("report_job")
