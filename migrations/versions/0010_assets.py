"""ICT asset register: assets, their history, renewal alerts

Revision ID: 0010
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "hardware",
                "softwareLicence",
                "saasSubscription",
                "service",
                "telecom",
                name="assetcategory",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("supplier_name", sa.String(length=300), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("local_id", sa.String(length=40), nullable=True),
        sa.Column("item_local_id", sa.String(length=40), nullable=False),
        sa.Column("business_case_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("licence_count", sa.Integer(), nullable=True),
        sa.Column("seats_used", sa.Integer(), nullable=True),
        sa.Column("support_level", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "active",
                "renewalDue",
                "renewed",
                "retired",
                "disposed",
                name="assetstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "contract", "manual", "import", name="assetsource", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "licence_count IS NULL OR licence_count >= 0", name=op.f("ck_asset_licences_nonneg")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_asset_quantity_positive")),
        sa.CheckConstraint(
            "seats_used IS NULL OR licence_count IS NULL OR seats_used <= licence_count",
            name=op.f("ck_asset_seats_within_licences"),
        ),
        sa.CheckConstraint(
            "seats_used IS NULL OR seats_used >= 0", name=op.f("ck_asset_seats_nonneg")
        ),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_asset_end_after_start"),
        ),
        sa.CheckConstraint(
            "unit_cost IS NULL OR unit_cost >= 0", name=op.f("ck_asset_unit_cost_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["business_case_id"],
            ["business_case.id"],
            name=op.f("fk_asset_business_case_id_business_case"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_asset_contract_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["organisation.id"], name=op.f("fk_asset_owner_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_asset_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
        sa.UniqueConstraint("contract_id", "local_id", name=op.f("uq_asset_contract_id")),
    )
    op.create_index(op.f("ix_asset_business_case_id"), "asset", ["business_case_id"], unique=False)
    op.create_index(op.f("ix_asset_contract_id"), "asset", ["contract_id"], unique=False)
    op.create_index("ix_asset_owner_end", "asset", ["owner_org_id", "end_date"], unique=False)
    op.create_index("ix_asset_end_status", "asset", ["end_date", "status"], unique=False)
    op.create_index("ix_asset_supplier_end", "asset", ["supplier_id", "end_date"], unique=False)
    op.create_table(
        "asset_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_asset_alert_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisation.id"],
            name=op.f("fk_asset_alert_owner_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_alert")),
        sa.UniqueConstraint(
            "asset_id", "days_before", "end_date", name=op.f("uq_asset_alert_asset_id")
        ),
    )
    op.create_index(op.f("ix_asset_alert_asset_id"), "asset_alert", ["asset_id"], unique=False)
    op.create_index(op.f("ix_asset_alert_created_at"), "asset_alert", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_asset_alert_owner_org_id"), "asset_alert", ["owner_org_id"], unique=False
    )
    op.create_table(
        "asset_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_asset_event_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["user_account.id"], name=op.f("fk_asset_event_by_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_event")),
    )
    op.create_index(op.f("ix_asset_event_asset_id"), "asset_event", ["asset_id"], unique=False)


def downgrade() -> None:
    op.drop_table("asset_event")
    op.drop_table("asset_alert")
    op.drop_table("asset")
