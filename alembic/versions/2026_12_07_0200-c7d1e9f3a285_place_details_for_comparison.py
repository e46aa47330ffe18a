"""place details for comparison: region, type of area and rural and urban class

The network compares a place with others like it, as LG Inform groups councils: by region, by
type of area and by the ONS Rural Urban Classification of local authority districts. Each is
set on the place's details page and may be left unset.

Revision ID: c7d1e9f3a285
Revises: b4e8d2a6c913
Create Date: 2026-12-07 02:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7d1e9f3a285"
down_revision: str | None = "b4e8d2a6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHOICES = {
    "region": (
        "region",
        (
            "north-east",
            "north-west",
            "yorkshire-and-the-humber",
            "east-midlands",
            "west-midlands",
            "east-of-england",
            "london",
            "south-east",
            "south-west",
        ),
    ),
    "area_type": (
        "areatype",
        ("county", "unitary", "metropolitan", "london-borough", "district", "combined-authority"),
    ),
    "rural_urban": (
        "ruralurban",
        (
            "mainly-rural",
            "largely-rural",
            "urban-with-significant-rural",
            "urban-with-city-and-town",
            "urban-with-minor-conurbation",
            "urban-with-major-conurbation",
        ),
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("place") as batch_op:
        for column, (name, values) in CHOICES.items():
            batch_op.add_column(
                sa.Column(
                    column,
                    sa.Enum(
                        *values, name=name, native_enum=False, create_constraint=True, length=40
                    ),
                    nullable=True,
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("place") as batch_op:
        for column, (name, _) in CHOICES.items():
            batch_op.drop_constraint(op.f(f"ck_place_{name}"), type_="check")
            batch_op.drop_column(column)
