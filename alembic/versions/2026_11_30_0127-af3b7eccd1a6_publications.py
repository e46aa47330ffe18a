"""publications: what each published version of a round's results was computed from

Withdrawing a published round, letting one more person answer and publishing again let a reader
recover that person's ratings by comparing the two versions. Each publication now records who
contributed, in which groups, and a digest of their answers, so that publishing again can be
refused while the versions differ by fewer than k people in any group.

Rounds already published get their publication recorded here, from their answers as they stand,
with the same digest as ``scoring.differencing`` (written out, so this file never changes).

Revision ID: af3b7eccd1a6
Revises: e60f2a4bd213
Create Date: 2026-11-30 01:27:00+00:00
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "af3b7eccd1a6"
down_revision: str | None = "e60f2a4bd213"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPT_OUTS = {"dont_know": "dont_know", "not_applicable": "not_applicable"}


def upgrade() -> None:
    publication = op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_round.id"],
            name=op.f("fk_publication_round_id_assessment_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
    )
    with op.batch_alter_table("publication") as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_round_id"), ["round_id"], unique=False)
    _record_published_rounds(publication)


def _record_published_rounds(publication: sa.Table) -> None:
    connection = op.get_bind()
    rounds = connection.execute(
        sa.text("SELECT id FROM assessment_round WHERE status = 'published'")
    ).scalars()
    for round_id in list(rounds):
        people = connection.execute(
            sa.text(
                "SELECT i.id, o.name, o.sector FROM invitation i "
                "JOIN organisation o ON o.id = i.organisation_id "
                "WHERE i.round_id = :round AND i.status = 'submitted'"
            ),
            {"round": round_id},
        ).all()
        answers: dict[int, dict[str, object]] = defaultdict(dict)
        for invitation_id, item_id, kind, level in connection.execute(
            sa.text(
                "SELECT a.invitation_id, a.item_id, a.kind, a.level FROM answer a "
                "JOIN invitation i ON i.id = a.invitation_id "
                "WHERE i.round_id = :round AND i.status = 'submitted'"
            ),
            {"round": round_id},
        ):
            if kind == "level" and level is not None:
                answers[invitation_id][item_id] = level
            elif kind in OPT_OUTS:
                answers[invitation_id][item_id] = OPT_OUTS[kind]
        contributions = {
            f"invitation-{invitation_id}": {
                "sector": sector,
                "organisation": name,
                "answers": hashlib.sha256(
                    "\n".join(
                        f"{item}={value}" for item, value in sorted(answers[invitation_id].items())
                    ).encode()
                ).hexdigest(),
            }
            for invitation_id, name, sector in people
        }
        connection.execute(
            publication.insert().values(
                round_id=round_id, published_at=datetime.now(UTC), contributions=contributions
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("publication") as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_round_id"))
    op.drop_table("publication")
