"""check constraints on statuses, thresholds and levels

The database now refuses what the input models refuse: a status outside its enumeration, an
anonymity threshold below 2 (or above 20), a level outside 1–10 and a version below 1. On SQLite
each table is rebuilt (batch mode); existing rows already satisfy every constraint.

Revision ID: 5b1e0c4d7a21
Revises: dc83e7b39d60
Create Date: 2026-11-23 22:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b1e0c4d7a21"
down_revision: str | None = "dc83e7b39d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


SECTORS = (
    "local-authority",
    "nhs-icb",
    "nhs-provider",
    "primary-care",
    "police",
    "fire-and-rescue",
    "housing",
    "voluntary-and-community",
    "education",
    "dwp-employment",
    "probation-justice",
    "community-member",
    "other",
)

# (table, constraint name as the naming convention makes it, condition)
CHECKS = [
    ("organisation", "ck_organisation_sector", _one_of("sector", SECTORS)),
    (
        "assessment_round",
        "ck_assessment_round_roundstatus",
        _one_of("status", ("draft", "open", "closed", "published")),
    ),
    (
        "assessment_round",
        "ck_assessment_round_anonymity_threshold_in_range",
        "anonymity_threshold BETWEEN 2 AND 20",
    ),
    (
        "invitation",
        "ck_invitation_invitationstatus",
        _one_of("status", ("not-opened", "started", "submitted", "revoked")),
    ),
    (
        "answer",
        "ck_answer_answerkind",
        _one_of("kind", ("level", "dont_know", "not_applicable", "text")),
    ),
    ("answer", "ck_answer_level_in_range", "level BETWEEN 1 AND 10"),
    ("answer", "ck_answer_version_positive", "version >= 1"),
    (
        "condition_agreement",
        "ck_condition_agreement_agreed_level_in_range",
        "agreed_level BETWEEN 1 AND 10",
    ),
    (
        "action",
        "ck_action_actionstatus",
        _one_of("status", ("not-started", "in-progress", "done", "dropped")),
    ),
    (
        "place_membership",
        "ck_place_membership_membershiprole",
        _one_of("role", ("facilitator", "viewer")),
    ),
]


def upgrade() -> None:
    for table in dict.fromkeys(table for table, _, _ in CHECKS):
        with op.batch_alter_table(table) as batch_op:
            for _, name, condition in (c for c in CHECKS if c[0] == table):
                # The names are final already: op.f() stops the convention prefixing them again.
                batch_op.create_check_constraint(op.f(name), condition)


def downgrade() -> None:
    for table in dict.fromkeys(table for table, _, _ in CHECKS):
        with op.batch_alter_table(table) as batch_op:
            for _, name, _ in (c for c in CHECKS if c[0] == table):
                batch_op.drop_constraint(op.f(name), type_="check")
