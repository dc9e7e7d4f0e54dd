"""Framework agreements: lots, applications, admissions and catalogue listings

Revision ID: 0012
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "framework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ocid", sa.String(length=80), nullable=True),
        sa.Column("buyer_org_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.DateTime(), nullable=False),
        sa.Column("end_date", sa.DateTime(), nullable=False),
        sa.Column("refresh_months", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("next_check_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_framework_period_ordered")),
        sa.ForeignKeyConstraint(["buyer_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ocid"),
    )
    op.create_index("ix_framework_buyer_org_id", "framework", ["buyer_org_id"])
    op.create_index("ix_framework_end_date", "framework", ["end_date"])
    op.create_index("ix_framework_next_check_at", "framework", ["next_check_at"])
    op.create_table(
        "framework_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["framework_id"], ["framework.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("framework_id", "local_id"),
    )
    op.create_index("ix_framework_lot_framework_id", "framework_lot", ["framework_id"])
    op.create_table(
        "framework_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "admitted", "rejected",
                name="applicationstatus", native_enum=False, length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status <> 'rejected' OR reason <> ''",
            name=op.f("ck_framework_application_rejection_has_reason"),
        ),
        sa.ForeignKeyConstraint(["framework_id"], ["framework.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["framework_lot.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"]),
        sa.PrimaryKeyConstraint("id"),
    )  # fmt: skip
    for column in ("framework_id", "lot_id", "supplier_id", "status"):
        op.create_index(f"ix_framework_application_{column}", "framework_application", [column])
    op.create_table(
        "framework_admission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        sa.Column("admitted_at", sa.DateTime(), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["framework_id"], ["framework.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["framework_lot.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("framework_id", "local_id"),
        sa.UniqueConstraint("lot_id", "supplier_id", name="one_admission_per_lot"),
    )
    for column in ("framework_id", "lot_id", "supplier_id"):
        op.create_index(f"ix_framework_admission_{column}", "framework_admission", [column])
    op.create_table(
        "framework_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("delivery_terms", sa.Text(), nullable=False),
        sa.Column("is_sme", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("unit_price > 0", name=op.f("ck_framework_listing_price_positive")),
        sa.ForeignKeyConstraint(["admission_id"], ["framework_admission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_framework_listing_admission_id", "framework_listing", ["admission_id"])
    op.create_index("ix_framework_listing_category", "framework_listing", ["category"])
    op.create_table(
        "framework_calloff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("direct", "mini_competition", name="calloffkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("buyer_org_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.ForeignKeyConstraint(["framework_id"], ["framework.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["framework_lot.id"]),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"]),
        sa.ForeignKeyConstraint(["listing_id"], ["framework_listing.id"]),
        sa.ForeignKeyConstraint(["buyer_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tender_id"),
    )
    for column in ("framework_id", "lot_id", "buyer_org_id"):
        op.create_index(f"ix_framework_calloff_{column}", "framework_calloff", [column])


def downgrade() -> None:
    op.drop_table("framework_calloff")
    op.drop_table("framework_listing")
    op.drop_table("framework_admission")
    op.drop_table("framework_application")
    op.drop_table("framework_lot")
    op.drop_table("framework")
