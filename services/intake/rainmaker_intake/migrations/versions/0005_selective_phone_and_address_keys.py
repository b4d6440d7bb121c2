"""contact_keys re-made: phone keys carry a name key, address keys a house number

Every rule but e-mail needs the names to agree, and the address rule the same house number,
so `p:<phone>` and `a:<place>:<name key>` became `p:<phone>:<name key>` and
`a:<place>:<house number>:<name key>` (see domain/blocking.py). A row's candidates are
fetched and compared one by one; at 1M contacts these keys give 5.4 candidate pairs a row
instead of 14.6, with the same decisions on bench/dedup.py's lists.

Stored keys are hashes, so they are made again from each contact's stored match profile
(folded from its fields where a profile is missing): every contact gets those of the new
scheme (merged ones too: an unmerge revives them); downgrade puts back those of the old one,
including to contacts that have none in the new scheme (a phone and no name). Erased people
have no contact row left. In batches of contacts: memory stays flat on a large table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:10:00
"""

import hashlib
from collections.abc import Callable

from alembic import op
from sqlalchemy import text

from rainmaker_intake.domain.blocking import name_key
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.similarity import Profile, profile, unpack

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 5000
# Fields a match profile is folded from, for a contact stored without one (before 0002).
_FOLDED = (
    "email", "phone", "first_name", "last_name", "company", "company_key", "website_domain",
    "street", "city", "postcode",
)  # fmt: skip


def key_hash(key: str) -> int:
    """The stored hash of revisions 0001-0006 (63 bits; 0007 shortened it), kept here."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


def upgrade() -> None:
    _rekey(keys_0005)


def downgrade() -> None:
    _rekey(_keys_before_0005)


def keys_0005(p: Profile) -> set[str]:
    """The scheme this revision writes, frozen here (0007 changed the code's, and its
    downgrade comes back to this one)."""
    keys: set[str] = set()
    if p.email:
        keys.add("e:" + p.email)
    names = {k for k in (name_key(p.first), name_key(p.formal), name_key(p.last)) if k}
    orgs = {o for o in (p.company, p.domain, p.email_domain) if o}
    place = (p.postcode or p.city) if p.street else ""
    for n in names:
        keys.update(f"o:{o}:{n}" for o in orgs)
        if place:
            keys.add(f"a:{place}:{p.house}:{n}")
        if p.phone:
            keys.add(f"p:{p.phone}:{n}")
    return keys


def _keys_before_0005(p: Profile) -> set[str]:
    """The scheme of revisions 0001-0004, kept here to undo this one."""
    keys: set[str] = set()
    if p.email:
        keys.add("e:" + p.email)
    if p.phone:
        keys.add("p:" + p.phone)
    names = {k for k in (name_key(p.first), name_key(p.formal), name_key(p.last)) if k}
    orgs = {o for o in (p.company, p.domain, p.email_domain) if o}
    place = p.postcode or p.city
    for n in names:
        keys.update(f"o:{o}:{n}" for o in orgs)
        if place:
            keys.add(f"a:{place}:{n}")
    return keys


def _rekey(keys_of: Callable[[Profile], set[str]]) -> None:
    conn = op.get_bind()
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
        span = {"lo": batch[0][0], "hi": batch[-1][0]}
        rows = [
            {"key_hash": h, "contact_no": no}
            for no, packed in batch
            for h in {key_hash(k) for k in keys_of(unpack(packed) if packed else _fold(no))}
        ]
        conn.execute(text("DELETE FROM contact_keys WHERE contact_no BETWEEN :lo AND :hi"), span)
        if rows:
            conn.execute(
                text(
                    "INSERT INTO contact_keys (key_hash, contact_no) "
                    "VALUES (:key_hash, :contact_no)"
                ),
                rows,
            )
        after = span["hi"]


def _fold(contact_no: int) -> Profile:
    row = op.get_bind().execute(
        text(f"SELECT {', '.join(_FOLDED)} FROM contacts WHERE contact_no = :no"),
        {"no": contact_no},
    )
    return profile(NormalisedContact(row_number=0, **row.one()._asdict()))
