"""evaluation scores and award complaints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("related_lot", sa.String(length=40), nullable=False),
        sa.Column("evaluator_user_id", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("technical", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "quality IS NULL OR (quality >= 0 AND quality <= 100)",
            name=op.f("ck_evaluation_score_quality_on_scale"),
        ),
        sa.CheckConstraint(
            "technical IS NULL OR (technical >= 0 AND technical <= 100)",
            name=op.f("ck_evaluation_score_technical_on_scale"),
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["bid.id"], name=op.f("fk_evaluation_score_bid_id_bid")
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_user_id"],
            ["user_account.id"],
            name=op.f("fk_evaluation_score_evaluator_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_score")),
        sa.UniqueConstraint(
            "bid_id", "related_lot", "evaluator_user_id", name=op.f("uq_evaluation_score_bid_id")
        ),
    )
    with op.batch_alter_table("evaluation_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_score_bid_id"), ["bid_id"], unique=False)

    op.create_table(
        "award_complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "upheld",
                "rejected",
                name="complaintstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status = 'pending' OR resolution <> ''",
            name=op.f("ck_award_complaint_resolved_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["award_id"], ["award.id"], name=op.f("fk_award_complaint_award_id_award")
        ),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_award_complaint_bid_id_bid")),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_award_complaint_filed_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_award_complaint_resolved_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_award_complaint_supplier_id_supplier")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tender.id"], name=op.f("fk_award_complaint_tender_id_tender")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_complaint")),
        sa.UniqueConstraint("tender_id", "local_id", name=op.f("uq_award_complaint_tender_id")),
    )
    with op.batch_alter_table("award_complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_complaint_award_id"), ["award_id"])
        batch_op.create_index(batch_op.f("ix_award_complaint_status"), ["status"])
        batch_op.create_index(batch_op.f("ix_award_complaint_supplier_id"), ["supplier_id"])
        batch_op.create_index(batch_op.f("ix_award_complaint_tender_id"), ["tender_id"])


def downgrade() -> None:
    op.drop_table("award_complaint")
    op.drop_table("evaluation_score")
