"""Search documents: an index per one-valued filter, newest first within each value

A filter on status, method, category, year, amount band or publisher, newest first
(the order of an estimated result's pages and of every date sort), walks its own
index instead of skipping through the whole date index for the value's documents.

Revision ID: 0016_pg_search_filters
Revises: 0015_pg_search_narrow
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_pg_search_filters"
down_revision: str | Sequence[str] | None = "0015_pg_search_narrow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTERS = ("status", "method", "category", "year", "amount_band", "publisher")


def upgrade() -> None:
    for column in FILTERS:
        op.create_index(
            f"ix_search_document_{column}_newest", "search_document", [column, "date_rank", "ocid"]
        )


def downgrade() -> None:
    for column in FILTERS:
        op.drop_index(f"ix_search_document_{column}_newest", table_name="search_document")
