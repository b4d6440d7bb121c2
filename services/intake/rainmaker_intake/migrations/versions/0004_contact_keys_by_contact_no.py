"""contact_keys keyed by (key_hash, contact_no): contacts get a small integer id

The blocking-key index holds ~8 rows a contact in random order. With the 36-character lead
id in a rowid table plus two indexes, each key inserted touched three B-trees and the index
outgrew the page cache early: a micro-benchmark of 600,000 contacts (8 keys each, 5,000 a
transaction, probes included) took 44.7-50.1 s; keyed (key_hash, contact_no) WITHOUT ROWID,
31.8-37.1 s, at 170 MB instead of 570 MB.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEQUENCE = "contact_no_seq"  # PostgreSQL only; SQLite allocates max + 1 under its write lock


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("contacts", sa.Column("contact_no", sa.BigInteger(), nullable=True))
        op.execute(f"CREATE SEQUENCE {SEQUENCE}")
        op.execute(f"UPDATE contacts SET contact_no = nextval('{SEQUENCE}')")
        op.alter_column("contacts", "contact_no", nullable=False)
    else:
        # SQLite adds a NOT NULL column only with a default, and making it NOT NULL later
        # would rebuild contacts, which the foreign keys of touches refuse.
        op.add_column(
            "contacts",
            sa.Column("contact_no", sa.BigInteger(), nullable=False, server_default="0"),
        )
        op.execute("UPDATE contacts SET contact_no = rowid")
    op.create_index(op.f("ix_contacts_contact_no"), "contacts", ["contact_no"], unique=True)

    op.create_table(
        "contact_keys_new",
        sa.Column("key_hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("contact_no", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("key_hash", "contact_no"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO contact_keys_new (key_hash, contact_no) "
        "SELECT DISTINCT k.key_hash, c.contact_no FROM contact_keys k "
        "JOIN contacts c ON c.lead_id = k.lead_id"
    )
    op.drop_table("contact_keys")
    op.rename_table("contact_keys_new", "contact_keys")
    op.create_index(op.f("ix_contact_keys_contact_no"), "contact_keys", ["contact_no"])


def downgrade() -> None:
    op.create_table(
        "contact_keys_old",
        sa.Column("key_hash", sa.BigInteger(), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["contacts.lead_id"]),
    )
    op.execute(
        "INSERT INTO contact_keys_old (key_hash, lead_id) "
        "SELECT k.key_hash, c.lead_id FROM contact_keys k "
        "JOIN contacts c ON c.contact_no = k.contact_no"
    )
    op.drop_index(op.f("ix_contact_keys_contact_no"), table_name="contact_keys")
    op.drop_table("contact_keys")
    op.rename_table("contact_keys_old", "contact_keys")
    with op.batch_alter_table("contact_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_keys_key_hash"), ["key_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_keys_lead_id"), ["lead_id"], unique=False)
    op.drop_index(op.f("ix_contacts_contact_no"), table_name="contacts")
    op.drop_column("contacts", "contact_no")  # SQLite >= 3.35: no rebuild
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SEQUENCE {SEQUENCE}")
