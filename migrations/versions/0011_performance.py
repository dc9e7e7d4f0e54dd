"""Supplier performance: ratings and late-payment complaints

Revision ID: 0011
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
#: After the contract life tables: the ratings refer to contract milestones.
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AREAS = ("quality", "schedule", "cost_control", "management", "compliance")


def upgrade() -> None:
    op.create_table(
        "supplier_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("buyer_org_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        *(sa.Column(area, sa.Integer(), nullable=False) for area in AREAS),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "final", name="ratingstatus", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.Column("rated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("reply_due", sa.DateTime(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("replied_by_user_id", sa.Integer(), nullable=True),
        sa.Column("final_at", sa.DateTime(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("low", sa.Integer(), nullable=False),
        *(
            sa.CheckConstraint(
                f"{area} BETWEEN 0 AND 4", name=op.f(f"ck_supplier_rating_{area}_on_scale")
            )
            for area in AREAS
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_supplier_rating_contract_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["contract_milestone.id"],
            name=op.f("fk_supplier_rating_milestone_id_contract_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_supplier_rating_supplier_id_supplier")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_org_id"],
            ["organisation.id"],
            name=op.f("fk_supplier_rating_buyer_org_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["rated_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_supplier_rating_rated_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["replied_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_supplier_rating_replied_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_rating")),
    )
    op.create_index("ix_supplier_rating_contract_id", "supplier_rating", ["contract_id"])
    op.create_index("ix_supplier_rating_buyer_org_id", "supplier_rating", ["buyer_org_id"])
    op.create_index(
        "uq_rating_contract_milestone", "supplier_rating", ["contract_id", "milestone_id"],
        unique=True,
    )  # fmt: skip
    # Covers the supplier page's aggregates (see the model).
    op.create_index(
        "ix_rating_supplier_status",
        "supplier_rating",
        ["supplier_id", "status", "final_at", "total", "low", *AREAS],
    )
    op.create_index("ix_rating_status_due", "supplier_rating", ["status", "reply_due"])
    op.create_table(
        "late_payment_complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("buyer_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_date", sa.DateTime(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
            name=op.f("fk_late_payment_complaint_contract_id_contract"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_org_id"],
            ["organisation.id"],
            name=op.f("fk_late_payment_complaint_buyer_org_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier.id"],
            name=op.f("fk_late_payment_complaint_supplier_id_supplier"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_late_payment_complaint_filed_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_payment_complaint")),
    )
    for column in ("contract_id", "buyer_org_id", "supplier_id"):
        op.create_index(f"ix_late_payment_complaint_{column}", "late_payment_complaint", [column])


def downgrade() -> None:
    op.drop_table("late_payment_complaint")
    op.drop_table("supplier_rating")
