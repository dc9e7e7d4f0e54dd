"""OCDS import: other publishers' releases, and the publisher of an imported record

Revision ID: 0005
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ocds_imported_release",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ocid", sa.String(length=160), nullable=False),
        sa.Column("release_id", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("publisher_name", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_imported_release")),
        sa.UniqueConstraint("ocid", "release_id", name="uq_ocds_imported_release_ocid_release_id"),
    )
    with op.batch_alter_table("ocds_imported_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_imported_release_ocid"), ["ocid"], unique=False)
    with op.batch_alter_table("ocds_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publisher_name", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ocds_record", schema=None) as batch_op:
        batch_op.drop_column("publisher_name")
    with op.batch_alter_table("ocds_imported_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocds_imported_release_ocid"))
    op.drop_table("ocds_imported_release")
