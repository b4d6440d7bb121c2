"""leads.owner_at: when the lead last changed hands, so a claim older than an admin's
assignment does not take it back

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("owner_at")
