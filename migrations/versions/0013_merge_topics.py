"""merge the topic branches of the second session into one head

Revision ID: 0013
Revises: 0003, 0005, 0006, 0007, 0008, 0010, 0011, 0012
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | Sequence[str] | None = (
    "0003",
    "0005",
    "0006",
    "0007",
    "0008",
    "0010",
    "0011",
    "0012",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
