"""undone_merges: merges intake undid, so a merge retried after its undo is not applied

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undone_merges",
        sa.Column("merge_id", sa.String(length=64), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("merge_id"),
    )


def downgrade() -> None:
    op.drop_table("undone_merges")
