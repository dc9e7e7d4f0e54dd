"""PostgreSQL full-text search backend: search_document (tsvector + GIN) and search_state

Revision ID: 0014_pg_search
Revises: 0013
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_pg_search"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRINGS = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Accent folding of documents and queries (the backend's tsvector is built on it).
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table(
        "search_document",
        sa.Column("ocid", sa.String(length=300), nullable=False),
        sa.Column("stored", postgresql.JSONB().with_variant(sa.JSON(), "sqlite"), nullable=False),
        sa.Column("words", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite")),
        sa.Column("buyer", sa.Text()),
        sa.Column("buyer_id", sa.Text()),
        sa.Column("supplier", STRINGS, nullable=False),
        sa.Column("supplier_ids", STRINGS, nullable=False),
        sa.Column("status", sa.Text()),
        sa.Column("method", sa.Text()),
        sa.Column("category", sa.Text()),
        sa.Column("year", sa.Text()),
        sa.Column("amount_band", sa.Text()),
        sa.Column("flag", STRINGS, nullable=False),
        sa.Column("publisher", sa.Text()),
        sa.Column("date", sa.DateTime()),
        sa.Column("amount", sa.Float()),
        sa.Column("date_rank", sa.Float()),
        sa.Column("amount_rank", sa.Float()),
        sa.Column("record_updated", sa.DateTime()),
        sa.PrimaryKeyConstraint("ocid", name=op.f("pk_search_document")),
    )
    op.create_index(
        "ix_search_document_words", "search_document", ["words"], postgresql_using="gin"
    )
    for column in ("date", "date_rank", "amount", "amount_rank"):
        op.create_index(f"ix_search_document_{column}", "search_document", [column, "ocid"])
    op.create_index("ix_search_document_buyer_id", "search_document", ["buyer_id"])
    op.create_index("ix_search_document_buyer", "search_document", ["buyer"])
    for column in ("supplier", "flag"):
        op.create_index(
            f"ix_search_document_{column}", "search_document", [column], postgresql_using="gin"
        )
    op.create_index(
        "ix_search_document_supplier_ids",
        "search_document",
        ["supplier_ids"],
        postgresql_using="gin",
    )
    op.create_table(
        "search_state",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_search_state")),
    )


def downgrade() -> None:
    op.drop_table("search_state")
    op.drop_table("search_document")
