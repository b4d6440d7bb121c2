"""Ingest a batch of normalised sightings from one source: suppress, de-duplicate, store, announce.

Shared by list imports (one chunk at a time) and referrals. For each sighting, in order:
  1. suppressed email/domain or an erased person → counted, never stored;
  2. the same person earlier in this file (this chunk, or a lead this import touched) → a
     touch on that lead, unless another existing contact matches better (`_better`);
  3. an existing contact (candidates by blocking key from the database) → a touch on it;
  4. else a new contact.
A duplicate (2 or 3) fills the survivor's blank fields from its row, never overwriting; the
matches are settled after the chunk's loop, in file order (see `_settle`). Every duplicate
decision is recorded with its rule, score and what it filled. Events go to the outbox in the
caller's transaction: `leads.ingested` for new leads (as filled), `leads.touched` for
touches.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rainmaker_db import json_text
from rainmaker_db.bulk import in_batch, insert_rows, insert_values, member_of, rows_where_in
from rainmaker_db.ids import new_ids
from rainmaker_intake.adapters import contact_store as store
from rainmaker_intake.adapters.suppression_store import blocked
from rainmaker_intake.adapters.tables import customers, decisions, touches
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import DEFAULT, DedupConfig, DedupIndex, Keyed, Match
from rainmaker_intake.service_layer.lead_events import (
    FILLED_FIELDS,
    LeadHeads,
    announce,
    wire_lead,
)

# Written as JSON text (insert_values as_is): None goes in as JSON null, as the JSON column
# itself would write it.
_JSON_NULL = json_text(None)
# A touch row as a sighting's loop builds it: one tuple a row, not a dict (1M rows an import).
TOUCH_COLUMNS = ("touch_id", "lead_id", "source_type", "source_id", "source_name", "import_id",
                 "row_number", "original", "notes", "touched_at", "default_region")  # fmt: skip


LIST_SOURCE = "rented_list"  # the source type of a list's touches (a referral's: its kind)


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
    # The row's values as the file had them, as JSON text (rainmaker_db.json_text): made by
    # the helper process of a large import, which pickles one string instead of a dict.
    original: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    keyed: Keyed | None = None  # folded for matching ahead of time, or here
    # Its own fields as leads.ingested carries them, checked and serialised by the helper
    # (`lead_events.own_fields`): a new lead's event is then put together from bytes.
    wire: bytes | None = None


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
    config: DedupConfig = DEFAULT,
    region: str | None = None,
) -> Outcome:
    """`region`: a referral batch's default_region, kept on its touches for an unmerge (a
    list's is on the list)."""
    out = Outcome()
    # Folded once (by the helper process of a large import), asked of both indexes.
    keyed = [s.keyed or Keyed.of(s.contact) for s in sightings]
    reasons = blocked(session, [s.contact for s in sightings], keyed)
    wanted = (h for ky, r in zip(keyed, reasons, strict=True) if not r for h in ky.hashes)
    existing = store.DbCandidates(session).fetch(wanted)
    db_index = DedupIndex(config)
    for lead_id, candidate in existing.items():
        db_index.add_packed(lead_id, candidate.packed, candidate.hashes)
    chunk_index = DedupIndex(config)
    new: list[tuple[str, NormalisedContact, Keyed]] = []
    new_by_id: dict[str, NormalisedContact] = {}
    sighting_of: dict[str, Sighting] = {}
    touch_rows: list[tuple[Any, ...]] = []  # in TOUCH_COLUMNS order
    decision_rows: list[dict[str, Any]] = []
    touched: list[dict[str, Any]] = []
    merges: list[_Merge] = []

    ids = iter(new_ids(2 * len(sightings)))  # a touch, and a lead or a merge, per sighting
    for sighting, why, row in zip(sightings, reasons, keyed, strict=True):
        contact = sighting.contact
        if why:
            out.suppressed += 1
            out.lead_ids.append(None)
            out.kinds.append("suppressed")
            continue
        found, in_db = _better(chunk_index.find_keyed(row), db_index.find_keyed(row))
        touch_id = next(ids)
        if found is None:
            lead_id = next(ids)
            new.append((lead_id, contact, row))
            new_by_id[lead_id] = contact
            sighting_of[lead_id] = sighting
            out.accepted += 1
            out.kinds.append("new")
        else:
            lead_id, decision = found
            merges.append(_Merge(len(out.kinds), len(decision_rows), lead_id, contact, in_db))
            out.kinds.append("in_file")  # a match in the database may still be ours: below
            decision_rows.append(
                {
                    "import_id": import_id,
                    "row_number": contact.row_number,
                    "lead_id": lead_id,
                    "merged_id": next(ids),
                    "touch_id": touch_id,
                    "kind": "in_file",
                    "rule": decision.rule,
                    "score": decision.score,
                    "filled": None,
                    "decided_at": now,
                }
            )
            touched.append(
                {
                    "touch_id": touch_id,
                    "lead_id": lead_id,
                    "source": source.wire(),
                    "touched_at": now.isoformat(),
                    "tags": list(sighting.tags),
                    "notes": sighting.notes or contact.notes,
                    "filled": {},  # known once the matches are settled
                }
            )
        chunk_index.add_keyed(lead_id, row)
        out.lead_ids.append(lead_id)
        touch_rows.append(
            (
                touch_id,
                lead_id,
                source.type,
                source.id,
                source.name,
                import_id,
                contact.row_number or None,
                sighting.original or _JSON_NULL,
                sighting.notes,
                now,
                region,
            )
        )

    refilled = _settle(session, merges, decision_rows, new_by_id, set(existing), import_id, now)
    matched_existing = [r["lead_id"] for r in decision_rows if r["kind"] == "existing"]
    out.duplicates_existing += len(matched_existing)
    out.duplicates_in_file += len(decision_rows) - len(matched_existing)
    for m, touch in zip(merges, touched, strict=True):
        out.kinds[m.at] = decision_rows[m.decision]["kind"]
        filled = decision_rows[m.decision]["filled"] or {}
        touch["filled"] = {k: v for k, v in filled.items() if k in FILLED_FIELDS}
    if refilled:  # a new contact filled in by its own duplicates is stored (and keyed) as filled
        new = [(i, c, Keyed.of(c) if i in refilled else k) for i, c, k in new]
    heads = LeadHeads(source, now)
    ingested = [
        heads.lead(i, s, s.wire)
        if (s := sighting_of[i]).wire is not None and i not in refilled
        else wire_lead(i, c, s, source, now)
        for i, c, _ in new
    ]
    store.insert_contacts(session, new, now)
    insert_values(session, touches, TOUCH_COLUMNS, touch_rows, as_is=("original",))
    insert_rows(session, decisions, decision_rows)
    _count_owned(session, matched_existing, out)
    announce(session, ingested, touched, import_id, correlation_id or import_id)
    return out


def _better(in_file: Match | None, stored: Match | None) -> tuple[Match | None, bool]:
    """The row's match, and whether it came from the database: the earlier row of this file,
    unless a different stored contact ranks higher (the same e-mail address, where the row
    matched the earlier one by name and company: that lead would take the address too). One
    lead both ways is a match in the file, under the stronger of the two decisions."""
    if stored is None:
        return in_file, False
    if in_file is None:
        return stored, True
    if in_file[0] == stored[0]:
        return max(in_file, stored, key=lambda m: m[1].rank), False
    if stored[1].rank > in_file[1].rank:
        return stored, True
    return in_file, False


class _Merge(NamedTuple):
    """A sighting that matched a lead: settled (classified, filled in) after the loop."""

    at: int  # the sighting's place in the chunk (Outcome.kinds)
    decision: int  # its row in decision_rows
    lead_id: str
    seen: NormalisedContact
    in_db: bool  # matched a contact stored before this chunk


def _settle(
    session: Session,
    merges: list[_Merge],
    decision_rows: list[dict[str, Any]],
    new_by_id: dict[str, NormalisedContact],
    stored_ids: set[str],
    import_id: str | None,
    now: datetime,
) -> set[str]:
    """Classify each match and fill the survivor's blanks from it, in file order; returns the
    new leads of this chunk that were filled in (their keys must be recomputed)."""
    # Earlier chunks of this import are in the database already: a match there is "in file"
    # when this import touched that lead. Only matched leads are asked about, in one go, as
    # are the stored contacts to fill in: candidates outnumber matches by far.
    in_db = sorted({m.lead_id for m in merges if m.in_db})
    ours = _touched_by(session, import_id, in_db) if import_id else set()
    stored = store.load_contacts(session, {m.lead_id for m in merges} & stored_ids)
    refilled: set[str] = set()
    for m in merges:
        row = decision_rows[m.decision]
        if m.in_db and m.lead_id not in ours:
            row["kind"] = "existing"
            # Touched by this import now: a later row of the chunk that reaches it through
            # the database is in the file, as it would be in the next chunk.
            ours.add(m.lead_id)
        filled: dict[str, Any] = {}
        if m.lead_id in new_by_id:  # not stored yet: filled here, stored as filled
            filled = store.apply_blanks(new_by_id[m.lead_id], m.seen)
            if filled:
                refilled.add(m.lead_id)
        elif m.lead_id in stored:
            filled = store.fill_blanks(session, m.lead_id, stored[m.lead_id], m.seen, now)
        row["filled"] = filled or None
    return refilled


def _touched_by(session: Session, import_id: str, lead_ids: list[str]) -> set[str]:
    # By lead (a few touches each), filtered by import here: with `import_id = ?` in the
    # query the planner may walk every touch of this import, which grows with the file.
    rows = rows_where_in(session, touches, ("lead_id", "import_id"), "lead_id", lead_ids)
    return {lead_id for lead_id, touched_by in rows if touched_by == import_id}


def _count_owned(session: Session, lead_ids: list[str], out: Outcome) -> None:
    """Rows we already owned: by the source that first brought each in, and customers."""
    if not lead_ids:
        return
    ids = sorted(set(lead_ids))
    source_of: dict[str, str] = {}
    step = in_batch(session)  # a chunk may match thousands: under the driver's parameter limit
    for start in range(0, len(ids), step):
        some = ids[start : start + step]
        first = (
            select(touches.c.lead_id, func.min(touches.c.touched_at).label("first_at"))
            .where(member_of(session, touches.c.lead_id, some))
            .group_by(touches.c.lead_id)
            .subquery()
        )
        rows = session.execute(
            select(touches.c.lead_id, touches.c.source_type, touches.c.source_id).join(
                first,
                (first.c.lead_id == touches.c.lead_id) & (first.c.first_at == touches.c.touched_at),
            )
        )
        source_of.update((r.lead_id, f"{r.source_type}:{r.source_id}") for r in rows)
    customer_ids = {c for (c,) in rows_where_in(session, customers, ("lead_id",), "lead_id", ids)}
    for lead_id in lead_ids:
        out.owned_by_source[source_of.get(lead_id, "unknown")] += 1
    out.existing_customers += sum(1 for lead_id in lead_ids if lead_id in customer_ids)
