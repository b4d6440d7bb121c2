"""Blocking keys re-made: one key per organisation stem, hashes of 31 bits (CRC-32)

- `o:` keys are made from organisation stems (domain/blocking.org_stem): "Acme Widgets",
  acme-widgets.com and @acmewidgets.de give one key where there were three. At 100k contacts
  6.95 keys a contact instead of 8.66, with the same decisions on bench/dedup.py's list.
- Hashes of 31 bits: SQLite stores such an integer in 4 bytes, not 8, so the key table, which
  each import chunk's commit rewrites nearly whole, is a quarter smaller (a micro-benchmark of
  5.4M keys: 101 -> 77 MB, commits 4.2-4.8 -> 3.2-3.5 s). CRC-32 instead of blake2b: a fifth
  of the time a key. A shared hash only brings in a candidate the rules then compare on its
  real values.

Every contact's keys (and its list, contacts.key_hashes) are made again from its stored match
profile (folded from its fields where none is stored), merged contacts included; downgrade
does the same with the scheme and hash of revisions 0005-0006, as 0005 keeps them. This
revision makes keys with the code's `profile_keys` and `key_hash`: a later change of either
must bring its own migration and freeze these here, as 0005 froze its own. Keys from an
earlier state of a contact (before blanks were filled, or an unmerge gave values back) are
not made again, as 0005 did not. In batches of contacts: memory stays flat on a large table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 20:00:00
"""

import importlib
import struct
from collections.abc import Callable

from alembic import op
from sqlalchemy import text

from rainmaker_intake.domain.blocking import key_hash, profile_keys
from rainmaker_intake.domain.similarity import Profile, unpack

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5000
# 0005 keeps the scheme and hash a downgrade returns to, and folds a contact stored without
# a profile: both are used from there rather than copied.
_0005 = importlib.import_module(
    "rainmaker_intake.migrations.versions.0005_selective_phone_and_address_keys"
)


def upgrade() -> None:
    _rekey(lambda p: {key_hash(k) for k in profile_keys(p)})


def downgrade() -> None:
    _rekey(lambda p: {_0005.key_hash(k) for k in _0005.keys_0005(p)})


def _rekey(hashes_of: Callable[[Profile], set[int]]) -> None:
    conn = op.get_bind()
    # contact_keys has no index by contact (0006): emptied at once, filled batch by batch.
    conn.execute(text("DELETE FROM contact_keys"))
    after = 0
    while True:
        batch = conn.execute(
            text(
                "SELECT contact_no, match_profile FROM contacts WHERE contact_no > :after "
                "ORDER BY contact_no LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not batch:
            return
        keys, lists = [], []
        for no, packed in batch:
            hashes = sorted(hashes_of(unpack(packed) if packed else _0005._fold(no)))
            keys.extend({"key_hash": h, "contact_no": no} for h in hashes)
            lists.append({"no": no, "packed": struct.pack(f"<{len(hashes)}q", *hashes)})
        if keys:
            conn.execute(
                text(
                    "INSERT INTO contact_keys (key_hash, contact_no) "
                    "VALUES (:key_hash, :contact_no)"
                ),
                keys,
            )
        conn.execute(text("UPDATE contacts SET key_hashes = :packed WHERE contact_no = :no"), lists)
        after = batch[-1][0]
