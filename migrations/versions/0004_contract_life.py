"""contract life: documents, amendments, milestones, payments

Revision ID: 0004
Revises: 0002
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common(table: str) -> list[Any]:
    """id, contract_id and local_id, unique per contract, as every table here has them."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f(f"fk_{table}_contract_id_contract")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("contract_id", "local_id", name=op.f(f"uq_{table}_contract_id")),
    ]


def _by_user(table: str, column: str = "by_user_id") -> list[Any]:
    return [
        sa.Column(column, sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            [column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "contract_amendment",
        *_common("contract_amendment"),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("new_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("old_period_end", sa.DateTime(), nullable=True),
        sa.Column("new_period_end", sa.DateTime(), nullable=True),
        sa.Column("amends_release_id", sa.String(length=120), nullable=True),
        sa.Column("release_id", sa.String(length=120), nullable=True),
        *_by_user("contract_amendment"),
        sa.CheckConstraint("rationale <> ''", name=op.f("ck_contract_amendment_rationale_given")),
    )
    op.create_table(
        "contract_document",
        *_common("contract_document"),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("date_published", sa.DateTime(), nullable=False),
        *_by_user("contract_document", "added_by_user_id"),
    )
    op.create_table(
        "contract_milestone",
        *_common("contract_milestone"),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "met",
                "notMet",
                "partiallyMet",
                name="milestonestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("date_met", sa.DateTime(), nullable=True),
        sa.Column("date_modified", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_by_user("contract_milestone"),
    )
    op.create_table(
        "contract_payment",
        *_common("contract_payment"),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        *_by_user("contract_payment"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_contract_payment_amount_positive")),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["contract_milestone.id"],
            name=op.f("fk_contract_payment_milestone_id_contract_milestone"),
        ),
    )
    for table in ("contract_amendment", "contract_document", "contract_milestone"):
        op.create_index(op.f(f"ix_{table}_contract_id"), table, ["contract_id"], unique=False)
    op.create_index(
        op.f("ix_contract_milestone_due_date"), "contract_milestone", ["due_date"], unique=False
    )
    op.create_index(
        op.f("ix_contract_milestone_status"), "contract_milestone", ["status"], unique=False
    )
    op.create_index(
        op.f("ix_contract_payment_contract_id"), "contract_payment", ["contract_id"], unique=False
    )


def downgrade() -> None:
    for table in (
        "contract_payment",
        "contract_milestone",
        "contract_document",
        "contract_amendment",
    ):
        op.drop_table(table)
