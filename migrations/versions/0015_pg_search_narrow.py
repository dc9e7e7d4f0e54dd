"""PostgreSQL search: the shown fields apart from the matched and counted columns

``search_document`` keeps the words, facet and sort columns of each process (a narrow
row, read for every match); the JSONB of shown fields moves to ``search_shown``, read
only for the rows of a page.

Revision ID: 0015_pg_search_narrow
Revises: 0015_record_pending
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_pg_search_narrow"
down_revision: str | Sequence[str] | None = "0015_record_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORED = postgresql.JSONB().with_variant(sa.JSON(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "search_shown",
        sa.Column("ocid", sa.String(length=300), nullable=False),
        sa.Column("stored", STORED, nullable=False),
        sa.Column("record_updated", sa.DateTime()),
        sa.PrimaryKeyConstraint("ocid", name=op.f("pk_search_shown")),
    )
    op.execute(
        "INSERT INTO search_shown (ocid, stored, record_updated) "
        "SELECT ocid, stored, record_updated FROM search_document"
    )
    with op.batch_alter_table("search_document") as batch:
        batch.drop_column("stored")


def downgrade() -> None:
    with op.batch_alter_table("search_document") as batch:
        batch.add_column(sa.Column("stored", STORED))
    op.execute(
        "UPDATE search_document SET stored = "
        "(SELECT s.stored FROM search_shown s WHERE s.ocid = search_document.ocid)"
    )
    op.drop_table("search_shown")
