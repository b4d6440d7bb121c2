"""contacts: drop the email and phone indexes

Nothing queries contacts by email or phone (matching probes contact_keys, whose e:/p: keys
stand for them); on a 300,000-row import the two indexes cost a random index page per new
contact each.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:35:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_phone"))
        batch_op.drop_index(batch_op.f("ix_contacts_email"))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_contacts_phone"), ["phone"], unique=False)
