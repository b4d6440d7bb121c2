"""contacts list their own blocking keys; contact_keys loses its index by contact_no

contact_keys was indexed by contact_no only to delete a contact's keys (erasure) and to see
which keys a contact already held (filled blanks). That second B-tree took ~40% of the time of
inserting keys: a micro-benchmark of 5.4M keys in 20,000-contact transactions took 13.8-19.2 s
to insert with it, 8.3-10.2 s without. Each contact now lists its key hashes
(`contacts.key_hashes`, 8 bytes each, see contact_store.pack_hashes), and its keys are deleted
by primary key from that list.

Every contact's list is filled from contact_keys (the index is still there to read them by
contact), in batches of contacts; then the index goes. Downgrade puts the index back and drops
the column.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 19:40:00
"""

import struct

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.add_column("contacts", sa.Column("key_hashes", sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    after = 0
    while True:
        numbers = (
            conn.execute(
                text(
                    "SELECT contact_no FROM contacts WHERE contact_no > :after "
                    "ORDER BY contact_no LIMIT :n"
                ),
                {"after": after, "n": BATCH},
            )
            .scalars()
            .all()
        )
        if not numbers:
            break
        held: dict[int, list[int]] = {no: [] for no in numbers}
        span = {"lo": numbers[0], "hi": numbers[-1]}
        keys = conn.execute(
            text(
                "SELECT contact_no, key_hash FROM contact_keys "
                "WHERE contact_no BETWEEN :lo AND :hi ORDER BY contact_no, key_hash"
            ),
            span,
        )
        for no, key in keys:
            if no in held:  # a key of no contact (none should exist) is not listed
                held[no].append(key)
        conn.execute(
            text("UPDATE contacts SET key_hashes = :packed WHERE contact_no = :no"),
            [
                {"no": no, "packed": struct.pack(f"<{len(hashes)}q", *hashes)}
                for no, hashes in held.items()
            ],
        )
        after = numbers[-1]
    op.drop_index("ix_contact_keys_contact_no", table_name="contact_keys")


def downgrade() -> None:
    op.create_index("ix_contact_keys_contact_no", "contact_keys", ["contact_no"])
    op.drop_column("contacts", "key_hashes")  # SQLite >= 3.35: no rebuild
