"""Ingest a batch of normalised sightings from one source: suppress, de-duplicate, store, announce.

Shared by list imports (one chunk at a time) and referrals. For each sighting, in order:
  1. suppressed email/domain or an erased person → counted, never stored;
  2. the same person earlier in this file (this chunk, or a lead this import touched) → a
     touch on that lead;
  3. an existing contact (candidates by blocking key from the database) → a touch on it,
     and its blank fields filled from the row (never overwriting);
  4. else a new contact.
Every duplicate decision is recorded with its rule and score. Events go to the outbox in the
caller's transaction: `leads.ingested` for new leads, `leads.touched` for touches.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rainmaker_bus import add_events
from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE
from rainmaker_db.bulk import in_batch, member_of
from rainmaker_db.ids import new_id
from rainmaker_intake.adapters import contact_store as store
from rainmaker_intake.adapters.suppression_store import blocked
from rainmaker_intake.adapters.tables import contact_keys, customers, decisions, touches
from rainmaker_intake.domain.blocking import block_keys, key_hash
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import DedupIndex, Keyed

PRODUCER = "intake"


@dataclass(frozen=True)
class SourceRef:
    type: str
    id: str
    name: str | None = None

    def wire(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name}


@dataclass
class Sighting:
    contact: NormalisedContact
    original: dict[str, str] = field(default_factory=dict)
    notes: str | None = None
    tags: tuple[str, ...] = ()


@dataclass
class Outcome:
    accepted: int = 0
    duplicates_in_file: int = 0
    duplicates_existing: int = 0
    suppressed: int = 0
    existing_customers: int = 0
    owned_by_source: Counter[str] = field(default_factory=Counter)
    lead_ids: list[str | None] = field(default_factory=list)  # per sighting; None: suppressed
    kinds: list[str] = field(default_factory=list)  # per sighting: new|in_file|existing|suppressed


def ingest(
    session: Session,
    sightings: list[Sighting],
    source: SourceRef,
    *,
    now: datetime,
    import_id: str | None = None,
    correlation_id: str | None = None,
) -> Outcome:
    out = Outcome()
    reasons = blocked(session, [s.contact for s in sightings])
    # Folded once, asked of both indexes. (Not in the import's helper process: unpickling a
    # folded row cost the worker as much as folding it.)
    keyed = [Keyed.of(s.contact) for s in sightings]
    wanted = (h for ky, r in zip(keyed, reasons, strict=True) if not r for h in ky.hashes)
    existing = store.DbCandidates(session).fetch(wanted)
    db_index = DedupIndex()
    for lead_id, packed in existing.items():
        db_index.add_packed(lead_id, packed)
    loaded: dict[str, NormalisedContact] = {}  # existing contacts matched: whole, to fill in
    # Earlier chunks of this import are in the database already: a match there is "in file"
    # when this import touched that lead. Memory stays bounded by the chunk, not the file.
    ours = _touched_by(session, import_id, list(existing)) if import_id else set()
    chunk_index = DedupIndex()
    new: list[tuple[str, NormalisedContact, Keyed]] = []
    new_by_id: dict[str, NormalisedContact] = {}
    touch_rows: list[dict[str, Any]] = []
    decision_rows: list[dict[str, Any]] = []
    ingested: list[dict[str, Any]] = []
    touched: list[dict[str, Any]] = []
    matched_existing: list[str] = []

    for sighting, why, row in zip(sightings, reasons, keyed, strict=True):
        contact = sighting.contact
        if why:
            out.suppressed += 1
            out.lead_ids.append(None)
            out.kinds.append("suppressed")
            continue
        kind, found = "in_file", chunk_index.find_keyed(row)
        if found is None:
            found = db_index.find_keyed(row)
            kind = "in_file" if found is not None and found[0] in ours else "existing"
        touch_id = new_id()
        if found is None:
            lead_id = new_id()
            new.append((lead_id, contact, row))
            new_by_id[lead_id] = contact
            out.accepted += 1
            ingested.append(_wire_lead(lead_id, contact, sighting, source, now))
        else:
            lead_id, decision = found
            filled: dict[str, Any] = {}
            current = new_by_id.get(lead_id)
            if current is None and lead_id in existing:
                if lead_id not in loaded:
                    found_contact = store.load_contact(session, lead_id)
                    if found_contact is not None:
                        loaded[lead_id] = found_contact
                current = loaded.get(lead_id)
                if current is not None:
                    filled = _fill(session, lead_id, current, contact, now)
            decision_rows.append(
                {
                    "import_id": import_id,
                    "row_number": contact.row_number,
                    "lead_id": lead_id,
                    "merged_id": new_id(),
                    "touch_id": touch_id,
                    "kind": kind,
                    "rule": decision.rule,
                    "score": decision.score,
                    "filled": filled or None,
                    "decided_at": now,
                }
            )
            if kind == "in_file":
                out.duplicates_in_file += 1
            else:
                out.duplicates_existing += 1
                matched_existing.append(lead_id)
            touched.append(
                {
                    "touch_id": touch_id,
                    "lead_id": lead_id,
                    "source": source.wire(),
                    "touched_at": now.isoformat(),
                }
            )
        chunk_index.add_keyed(lead_id, row)
        out.lead_ids.append(lead_id)
        out.kinds.append("new" if found is None else kind)
        touch_rows.append(
            {
                "touch_id": touch_id,
                "lead_id": lead_id,
                "source_type": source.type,
                "source_id": source.id,
                "source_name": source.name,
                "import_id": import_id,
                "row_number": contact.row_number or None,
                "original": sighting.original or None,
                "notes": sighting.notes,
                "touched_at": now,
            }
        )

    store.insert_contacts(session, new, now)
    if touch_rows:
        session.execute(insert(touches), touch_rows)
    if decision_rows:
        session.execute(insert(decisions), decision_rows)
    _count_owned(session, matched_existing, out)
    _announce(session, ingested, touched, import_id, correlation_id or import_id)
    return out


def _touched_by(session: Session, import_id: str, lead_ids: list[str]) -> set[str]:
    found: set[str] = set()
    step = in_batch(session)
    for start in range(0, len(lead_ids), step):
        part = lead_ids[start : start + step]
        # By lead (a few touches each), filtered by import here: with `import_id = ?` in the
        # query the planner may walk every touch of this import, which grows with the file.
        rows = session.execute(
            select(touches.c.lead_id, touches.c.import_id).where(
                member_of(session, touches.c.lead_id, part)
            )
        )
        found.update(r.lead_id for r in rows if r.import_id == import_id)
    return found


def _fill(
    session: Session,
    lead_id: str,
    current: NormalisedContact,
    seen: NormalisedContact,
    now: datetime,
) -> dict[str, Any]:
    """Fill the survivor's blanks from the row; returns what was filled (for an unmerge)."""
    before = block_keys(current)
    had = set(current.attributes)
    changes = store.fill_blanks(session, lead_id, current, seen, now)
    added = {key_hash(k) for k in block_keys(current) - before} if changes else set()
    if added:
        session.execute(insert(contact_keys), [{"key_hash": h, "lead_id": lead_id} for h in added])
    if "attributes" in changes:  # only the attributes this row added: an unmerge takes them back
        new_attributes = {k: v for k, v in changes["attributes"].items() if k not in had}
        changes = {**changes, "attributes": new_attributes}
    return changes


def _count_owned(session: Session, lead_ids: list[str], out: Outcome) -> None:
    """Rows we already owned: by the source that first brought each in, and customers."""
    if not lead_ids:
        return
    ids = sorted(set(lead_ids))
    first = (
        select(touches.c.lead_id, func.min(touches.c.touched_at).label("first_at"))
        .where(touches.c.lead_id.in_(ids))
        .group_by(touches.c.lead_id)
        .subquery()
    )
    rows = session.execute(
        select(touches.c.lead_id, touches.c.source_type, touches.c.source_id).join(
            first,
            (first.c.lead_id == touches.c.lead_id) & (first.c.first_at == touches.c.touched_at),
        )
    )
    source_of = {r.lead_id: f"{r.source_type}:{r.source_id}" for r in rows}
    for lead_id in lead_ids:
        out.owned_by_source[source_of.get(lead_id, "unknown")] += 1
    customer_ids = set(
        session.scalars(select(customers.c.lead_id).where(customers.c.lead_id.in_(ids)))
    )
    out.existing_customers += sum(1 for lead_id in lead_ids if lead_id in customer_ids)


def _wire_lead(
    lead_id: str, c: NormalisedContact, sighting: Sighting, source: SourceRef, now: datetime
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "source": source.wire(),
        "touched_at": now.isoformat(),
        "email": c.email,
        "phone": c.phone,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "company": c.company,
        "job_title": c.job_title,
        "industry": c.industry,
        "website_domain": c.website_domain,
        "city": c.city,
        "region": c.region,
        "country": c.country,
        "postcode": c.postcode,
        "employees": c.employees,
        "notes": sighting.notes or c.notes,
        "attributes": c.attributes,
        "tags": list(sighting.tags),
    }


def _announce(
    session: Session,
    ingested: list[dict[str, Any]],
    touched: list[dict[str, Any]],
    import_id: str | None,
    correlation_id: str | None,
) -> None:
    for start in range(0, len(ingested), MAX_LEADS_PER_MESSAGE):
        add_events(
            session,
            "leads.ingested",
            [{"import_id": import_id, "leads": ingested[start : start + MAX_LEADS_PER_MESSAGE]}],
            producer=PRODUCER,
            correlation_id=correlation_id,
        )
    for start in range(0, len(touched), MAX_LEADS_PER_MESSAGE):
        add_events(
            session,
            "leads.touched",
            [{"touches": touched[start : start + MAX_LEADS_PER_MESSAGE]}],
            producer=PRODUCER,
            correlation_id=correlation_id,
        )
