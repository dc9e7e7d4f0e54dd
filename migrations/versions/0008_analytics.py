"""analytics: per-record facts, supplier links, state and year tokens (derived data)

Revision ID: 0008
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_fact",
        sa.Column("ocid", sa.String(length=160), nullable=False),
        sa.Column("record_updated_at", sa.DateTime(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("buyer_id", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("ocid", name=op.f("pk_analytics_fact")),
    )
    with op.batch_alter_table("analytics_fact") as batch:
        batch.create_index(batch.f("ix_analytics_fact_buyer_id"), ["buyer_id"])
        batch.create_index(batch.f("ix_analytics_fact_record_updated_at"), ["record_updated_at"])
        batch.create_index(batch.f("ix_analytics_fact_year"), ["year"])
    op.create_table(
        "analytics_party",
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("ocid", sa.String(length=160), nullable=False),
        sa.PrimaryKeyConstraint("party_id", "ocid", name=op.f("pk_analytics_party")),
    )
    with op.batch_alter_table("analytics_party") as batch:
        batch.create_index(batch.f("ix_analytics_party_ocid"), ["ocid"])
    op.create_table(
        "analytics_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.Column("facts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_state")),
    )

    op.create_table(
        "analytics_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_analytics_year")),
    )


def downgrade() -> None:
    op.drop_table("analytics_year")
    op.drop_table("analytics_state")
    op.drop_table("analytics_party")
    op.drop_table("analytics_fact")
