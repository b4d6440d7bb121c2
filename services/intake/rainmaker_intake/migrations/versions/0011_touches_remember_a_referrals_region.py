"""touches remember the region a referral's phone number was read in

`touches.default_region`: the `default_region` of the referral batch that made the touch,
so that an unmerge reads the row's national phone number again as it was read then. A
list's touches leave it empty: their list has it. Schema only: touches from before have
none, and an unmerge reads them without a region, as it did.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 07:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_region", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.drop_column("default_region")
