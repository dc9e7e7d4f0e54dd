"""business case delivery monitoring: delivery plan and go-live, progress reports, reminders

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-23 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "business_case_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("planned_go_live", sa.Date(), nullable=False),
        sa.Column("planned_completion", sa.Date(), nullable=False),
        sa.Column("planned_by_id", sa.Integer(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("go_live_on", sa.Date(), nullable=True),
        sa.Column("go_live_by_id", sa.Integer(), nullable=True),
        sa.Column("go_live_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "planned_completion >= planned_go_live",
            name=op.f("ck_business_case_delivery_completion_after_go_live"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["business_case.id"], ondelete="CASCADE",
            name=op.f("fk_business_case_delivery_case_id_business_case"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_by_id"], ["user_account.id"],
            name=op.f("fk_business_case_delivery_planned_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["go_live_by_id"], ["user_account.id"],
            name=op.f("fk_business_case_delivery_go_live_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_delivery")),
        sa.UniqueConstraint("case_id", name=op.f("uq_business_case_delivery_case_id")),
    )
    op.create_table(
        "business_case_progress_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("actual_cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("forecast_cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("forecast_go_live", sa.Date(), nullable=False),
        sa.Column("forecast_completion", sa.Date(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("benefits", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("submitted", "acknowledged", name="reportstatus", native_enum=False,
                    length=16),
            nullable=False,
        ),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("finance_comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "period_end > period_start",
            name=op.f("ck_business_case_progress_report_period_positive"),
        ),
        sa.CheckConstraint(
            "actual_cost >= 0", name=op.f("ck_business_case_progress_report_actual_cost_nonneg")
        ),
        sa.CheckConstraint(
            "forecast_cost >= 0",
            name=op.f("ck_business_case_progress_report_forecast_cost_nonneg"),
        ),
        sa.CheckConstraint(
            "forecast_completion >= forecast_go_live",
            name=op.f("ck_business_case_progress_report_forecast_order"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["business_case.id"],
            name=op.f("fk_business_case_progress_report_case_id_business_case"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["user_account.id"],
            name=op.f("fk_business_case_progress_report_submitted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["user_account.id"],
            name=op.f("fk_business_case_progress_report_acknowledged_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_progress_report")),
        sa.UniqueConstraint("case_id", "period_end", name="uq_business_case_progress_period"),
    )
    with op.batch_alter_table("business_case_progress_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_case_progress_report_case_id"), ["case_id"], unique=False
        )
    op.create_table(
        "business_case_progress_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["business_case.id"], ondelete="CASCADE",
            name=op.f("fk_business_case_progress_reminder_case_id_business_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_progress_reminder")),
        sa.UniqueConstraint(
            "case_id", "period_end", "kind", name="uq_business_case_progress_reminder"
        ),
    )
    with op.batch_alter_table("business_case_progress_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_case_progress_reminder_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("business_case_progress_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_case_progress_reminder_case_id"))
    op.drop_table("business_case_progress_reminder")
    with op.batch_alter_table("business_case_progress_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_case_progress_report_case_id"))
    op.drop_table("business_case_progress_report")
    op.drop_table("business_case_delivery")
