"""imports remember the worksheet they read

`imports.sheet`: the name of the XLSX worksheet the import reads (chosen by the upload's
`sheet`, else the first). Schema only: imports from before have none, and read the first
worksheet, as an import of an XLSX file without a sheet stored still does; CSV imports
have none.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sheet", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("sheet")
