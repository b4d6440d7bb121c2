"""Contacts in the database, as the dedup sees them: candidates by blocking key, inserts."""

import struct
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from rainmaker_db.bulk import in_batch, insert_plain, insert_values, member_of, rows_where_in
from rainmaker_intake.adapters.tables import CONTACT_NO_SEQUENCE, contact_keys, contacts
from rainmaker_intake.domain.blocking import block_keys, key_hash
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.domain.similarity import pack, profile

# Columns shared by NormalisedContact and the contacts table.
CONTACT_FIELDS = tuple(f.name for f in fields(NormalisedContact) if f.name != "row_number")
_COLUMNS = [contacts.c[name] for name in CONTACT_FIELDS]
_FIELD_VALUES = attrgetter(*CONTACT_FIELDS)
# A new contact's row as insert_contacts builds it (merged_into: NULL).
_INSERTED = ("lead_id", "contact_no", *CONTACT_FIELDS, "match_profile", "key_hashes",
             "is_customer", "created_at", "updated_at")  # fmt: skip


def to_contact(row: Any) -> NormalisedContact:
    values = {name: getattr(row, name) for name in CONTACT_FIELDS}
    values["attributes"] = values["attributes"] or {}
    return NormalisedContact(row_number=0, **values)


class Candidate(NamedTuple):
    packed: str  # its match profile (similarity.pack)
    hashes: set[int]  # the asked-for key hashes it has


class DbCandidates:
    """Existing live contacts sharing a blocking key with any row of a chunk, as packed match
    profiles (one query per ~900 keys); the full contact is loaded only for a match."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def fetch(self, key_hashes: Iterable[int]) -> dict[str, Candidate]:
        """lead_id -> Candidate, for every live contact sharing one of the keys."""
        shared: dict[int, set[int]] = {}
        found_keys = rows_where_in(
            self.session,
            contact_keys,
            ("key_hash", "contact_no"),
            "key_hash",
            sorted(set(key_hashes)),
        )
        for key, contact_no in found_keys:
            shared.setdefault(contact_no, set()).add(key)
        # Then by contact_no, and merged contacts dropped here rather than in SQL: with
        # `merged_into IS NULL` in the query SQLite walked the merged_into index, i.e. every
        # live contact, so each chunk got slower as the table grew. Only the stored profile
        # is read: candidates outnumber matches by far once the table holds millions.
        # Oldest first, whatever order the database answers in: of two candidates that rank
        # alike, the dedup keeps the first (dedup.DedupIndex).
        found: dict[str, Candidate] = {}
        columns = ("contact_no", "lead_id", "merged_into", "match_profile")
        rows = rows_where_in(self.session, contacts, columns, "contact_no", sorted(shared))
        for contact_no, lead_id, merged_into, match_profile in sorted(rows, key=itemgetter(0)):
            if merged_into is None:
                packed = match_profile or _fold_stored(self.session, lead_id)
                found[lead_id] = Candidate(packed, shared[contact_no])
        return found


def _fold_stored(session: Session, lead_id: str) -> str:
    """The profile of a contact stored before profiles were (migration 0002): fold it now."""
    contact = load_contact(session, lead_id)
    return pack(profile(contact)) if contact is not None else ""


def load_contact(session: Session, lead_id: str) -> NormalisedContact | None:
    row = session.execute(select(*_COLUMNS).where(contacts.c.lead_id == lead_id)).first()
    return to_contact(row) if row is not None else None


def load_contacts(session: Session, lead_ids: Iterable[str]) -> dict[str, NormalisedContact]:
    """Whole contacts by id (those that exist), a few queries for any number."""
    wanted = sorted(set(lead_ids))
    found: dict[str, NormalisedContact] = {}
    step = in_batch(session)
    for start in range(0, len(wanted), step):
        rows = session.execute(
            select(contacts.c.lead_id, *_COLUMNS).where(
                member_of(session, contacts.c.lead_id, wanted[start : start + step])
            )
        )
        found.update((row.lead_id, to_contact(row)) for row in rows)
    return found


def insert_contacts(
    session: Session, new: Sequence[tuple[str, NormalisedContact, Keyed]], now: datetime
) -> None:
    """Insert (lead_id, contact, its Keyed) rows: contacts with their match profiles, then
    their blocking keys."""
    if not new:
        return
    numbers = allocate_contact_nos(session, len(new))
    rows = [
        (lead_id, no, *_FIELD_VALUES(c), k.packed, pack_hashes(k.hashes), False, now, now)
        for (lead_id, c, k), no in zip(new, numbers, strict=True)
    ]
    insert_values(session, contacts, _INSERTED, rows)
    pairs = zip(numbers, new, strict=True)
    insert_keys(session, [(no, keyed.hashes) for no, (_, _, keyed) in pairs])


def allocate_contact_nos(session: Session, n: int) -> list[int]:
    """`n` new contact numbers, for rows inserted in this same transaction."""
    if session.get_bind().dialect.name == "postgresql":
        query = text(f"SELECT nextval('{CONTACT_NO_SEQUENCE}') FROM generate_series(1, :n)")
        return list(session.scalars(query, {"n": n}))
    # SQLite: writers BEGIN IMMEDIATE (rainmaker_db.engine), so no one else can insert
    # between this read and the caller's insert.
    top = session.scalar(select(func.coalesce(func.max(contacts.c.contact_no), 0)))
    return list(range(int(top or 0) + 1, int(top or 0) + 1 + n))


def insert_keys(session: Session, hashed: Sequence[tuple[int, Iterable[int]]]) -> None:
    """Blocking keys as (contact_no, key hashes): ~8 rows a contact, straight to the driver."""
    # In hash order: neighbouring keys land on the same pages of the (random) key index.
    # Sorted by the hash alone: comparing tuples took twice as long (160k keys a chunk).
    rows = [(h, no) for no, hashes in hashed for h in hashes]
    rows.sort(key=itemgetter(0))
    insert_plain(session, contact_keys, ("key_hash", "contact_no"), rows)


def apply_blanks(current: NormalisedContact, seen: NormalisedContact) -> dict[str, Any]:
    """Copy fields that are blank on `current` from a new sighting, never overwriting; returns
    what was filled (attributes: only those this sighting added), which an unmerge gives back."""
    filled = {
        name: getattr(seen, name)
        for name in CONTACT_FIELDS
        if name != "attributes"
        and getattr(current, name) in (None, "")
        and getattr(seen, name) not in (None, "")
    }
    for name, value in filled.items():
        setattr(current, name, value)
    extra = {k: v for k, v in seen.attributes.items() if k not in current.attributes}
    if extra:
        current.attributes = {**current.attributes, **extra}
        filled["attributes"] = extra
    return filled


def fill_blanks(
    session: Session,
    lead_id: str,
    current: NormalisedContact,
    seen: NormalisedContact,
    now: datetime,
) -> dict[str, Any]:
    """`apply_blanks` to a stored contact, and store it: its fields, its match profile and
    the blocking keys the filled fields add."""
    filled = apply_blanks(current, seen)
    if not filled:
        return filled
    # A copy: `filled` is what the decision records (and an unmerge gives back).
    values = {**filled, "attributes": current.attributes} if "attributes" in filled else {**filled}
    # The keys before, from the contact with the filled fields blank again: folding every
    # matched contact up front cost a quarter of settling a chunk's matches.
    fields_filled: dict[str, Any] = {name: None for name in filled if name != "attributes"}
    if fields_filled:  # attributes alone add no key
        before = block_keys(replace(current, **fields_filled))
        added = {key_hash(k) for k in block_keys(current) - before}
        values.update(_add_keys(session, lead_id, added))
    session.execute(
        update(contacts)
        .where(contacts.c.lead_id == lead_id)
        .values(**values, match_profile=pack(profile(current)), updated_at=now)
    )
    return filled


def pack_hashes(hashes: Iterable[int]) -> bytes:
    """Key hashes as stored on their contact (contacts.key_hashes): 8 bytes each."""
    values = tuple(hashes)
    return struct.pack(f"<{len(values)}q", *values)


def unpack_hashes(packed: bytes | None) -> tuple[int, ...]:
    if not packed:
        return ()
    return struct.unpack(f"<{len(packed) // 8}q", packed)


def delete_keys(
    session: Session, contact_no: int, packed: bytes | None, contact: NormalisedContact
) -> None:
    """Remove a contact's blocking keys: all it ever had, as listed on it, and (should a row
    written some other way list none) those of the contact as it is."""
    hashes = sorted(set(unpack_hashes(packed)) | set(Keyed.of(contact).hashes))
    step = in_batch(session)
    for start in range(0, len(hashes), step):
        session.execute(
            delete(contact_keys).where(
                contact_keys.c.contact_no == contact_no,
                member_of(session, contact_keys.c.key_hash, hashes[start : start + step]),
            )
        )


def refresh_profile(session: Session, lead_id: str) -> None:
    """Re-fold a contact whose fields were changed in SQL (an unmerge takes values back, and
    may fill one again from another row): its profile, and the keys it lacks (those it no
    longer needs stay listed: a spare candidate costs one comparison)."""
    contact = load_contact(session, lead_id)
    if contact is None:
        return
    values = {
        "match_profile": pack(profile(contact)),
        **_add_keys(session, lead_id, Keyed.of(contact).hashes),
    }
    session.execute(update(contacts).where(contacts.c.lead_id == lead_id).values(**values))


def _add_keys(session: Session, lead_id: str, hashes: Iterable[int]) -> dict[str, bytes]:
    """Store the key hashes the contact does not list yet (one from an earlier state of it is
    there already: the pair is the key table's primary key); the contact's new `key_hashes`,
    or nothing when none was missing."""
    held = session.execute(
        select(contacts.c.contact_no, contacts.c.key_hashes).where(contacts.c.lead_id == lead_id)
    ).first()
    if held is None:
        return {}
    listed = unpack_hashes(held.key_hashes)
    fresh = set(hashes).difference(listed)
    if not fresh:
        return {}
    insert_keys(session, [(held.contact_no, fresh)])
    return {"key_hashes": pack_hashes((*listed, *sorted(fresh)))}
