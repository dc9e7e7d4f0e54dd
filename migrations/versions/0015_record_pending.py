"""ocds_record.pending_releases: releases appended with a deferred compile

Revision ID: 0015_record_pending
Revises: 0014_pg_search
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_record_pending"
down_revision: str | Sequence[str] | None = "0014_pg_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ocds_record") as batch:
        batch.add_column(
            sa.Column("pending_releases", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_index(
        "ix_ocds_record_pending",
        "ocds_record",
        ["ocid"],
        postgresql_where=sa.text("pending_releases > 0"),
        sqlite_where=sa.text("pending_releases > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_ocds_record_pending", table_name="ocds_record")
    with op.batch_alter_table("ocds_record") as batch:
        batch.drop_column("pending_releases")
