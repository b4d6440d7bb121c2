"""Contacts in the database, as the dedup sees them: candidates by blocking key, inserts."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_intake.adapters.tables import contact_keys, contacts
from rainmaker_intake.domain.contact import NormalisedContact

# Columns shared by NormalisedContact and the contacts table.
CONTACT_FIELDS = tuple(f.name for f in fields(NormalisedContact) if f.name != "row_number")
_COLUMNS = [contacts.c[name] for name in CONTACT_FIELDS]
# SQLite caps bound parameters per statement; stay well below it.
IN_CHUNK = 900


def key_hash(key: str) -> int:
    """A stable signed 63-bit hash (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


def to_contact(row: Any) -> NormalisedContact:
    values = {name: getattr(row, name) for name in CONTACT_FIELDS}
    values["attributes"] = values["attributes"] or {}
    return NormalisedContact(row_number=0, **values)


def contact_values(contact: NormalisedContact) -> dict[str, Any]:
    data = asdict(contact)
    data.pop("row_number")
    return data


class DbCandidates:
    """Existing live contacts sharing a blocking key with any row of a chunk (one query per
    ~900 keys), keyed by hash so each row can then ask for its own."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def fetch(self, keys: Iterable[str]) -> dict[str, NormalisedContact]:
        hashes = sorted({key_hash(k) for k in keys})
        found: dict[str, NormalisedContact] = {}
        for start in range(0, len(hashes), IN_CHUNK):
            part = hashes[start : start + IN_CHUNK]
            # A subquery, not DISTINCT over a join: PostgreSQL cannot compare JSON columns.
            ids = select(contact_keys.c.lead_id).where(contact_keys.c.key_hash.in_(part))
            rows = self.session.execute(
                select(contacts.c.lead_id, *_COLUMNS).where(
                    contacts.c.lead_id.in_(ids), contacts.c.merged_into.is_(None)
                )
            )
            for row in rows:
                found[row.lead_id] = to_contact(row)
        return found


def insert_contacts(
    session: Session, new: Sequence[tuple[str, NormalisedContact, set[str]]], now: datetime
) -> None:
    """Insert (lead_id, contact, blocking keys) rows in two executemany statements."""
    if not new:
        return
    session.execute(
        insert(contacts),
        [
            {
                "lead_id": lead_id,
                **contact_values(c),
                "is_customer": False,
                "created_at": now,
                "updated_at": now,
            }
            for lead_id, c, _ in new
        ],
    )
    key_rows = [
        {"key_hash": h, "lead_id": lead_id}
        for lead_id, _, keys in new
        for h in {key_hash(k) for k in keys}
    ]
    if key_rows:
        session.execute(insert(contact_keys), key_rows)


def fill_blanks(
    session: Session,
    lead_id: str,
    current: NormalisedContact,
    seen: NormalisedContact,
    now: datetime,
) -> dict[str, Any]:
    """Copy fields that are blank on the contact from a new sighting; never overwrite."""
    changes = {
        name: getattr(seen, name)
        for name in CONTACT_FIELDS
        if name != "attributes"
        and getattr(current, name) in (None, "")
        and getattr(seen, name) not in (None, "")
    }
    extra = {k: v for k, v in seen.attributes.items() if k not in current.attributes}
    if extra:
        changes["attributes"] = {**current.attributes, **extra}
    if changes:
        session.execute(
            update(contacts).where(contacts.c.lead_id == lead_id).values(**changes, updated_at=now)
        )
        for name, value in changes.items():
            setattr(current, name, value)
    return changes

