"""The leads read-model: upserts from events, activity notes, and erasure.

Batched: every function takes many leads and issues a handful of statements, so a
1,000-lead message costs the same few round trips as a one-lead message.
"""

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from rainmaker_tagging.adapters.tables import (
    activity_notes,
    erased_leads,
    lead_sources,
    lead_tags,
    leads,
    training_examples,
)

TEXT_FIELDS = ("job_title", "company", "industry", "notes")


def erased(session: Session, lead_ids: Collection[str]) -> set[str]:
    rows = session.execute(
        select(erased_leads.c.lead_id).where(erased_leads.c.lead_id.in_(lead_ids))
    )
    return set(rows.scalars())


def existing(session: Session, lead_ids: Collection[str]) -> dict[str, dict[str, Any]]:
    rows = session.execute(select(leads).where(leads.c.lead_id.in_(lead_ids)))
    return {row.lead_id: dict(row._mapping) for row in rows}


def lock(session: Session, lead_ids: Collection[str]) -> None:
    """Row locks on these leads until commit (PostgreSQL; a SQLite writer holds the database).

    Two transactions re-tagging one lead then take turns, and the second reads what the first
    committed instead of publishing a "complete" tag set without it (READ COMMITTED)."""
    session.execute(
        select(leads.c.lead_id)
        .where(leads.c.lead_id.in_(sorted(lead_ids)))
        .order_by(leads.c.lead_id)
        .with_for_update()
    ).all()


def ensure_leads(session: Session, lead_ids: Collection[str], now: datetime) -> None:
    """Placeholder rows for leads heard of before their leads.ingested (out of order)."""
    missing = set(lead_ids) - set(existing(session, lead_ids))
    if missing:
        session.execute(insert(leads), [{"lead_id": i, "updated_at": now} for i in sorted(missing)])


def upsert_leads(
    session: Session, texts: Mapping[str, Mapping[str, str | None]], now: datetime
) -> None:
    """Store the text fields; a field the event leaves empty keeps what we had."""
    known = existing(session, list(texts))
    new = [
        {"lead_id": i, **{f: t.get(f) for f in TEXT_FIELDS}, "updated_at": now}
        for i, t in texts.items()
        if i not in known
    ]
    changed = [
        {"b_lead_id": i, **{f: t.get(f) or known[i][f] for f in TEXT_FIELDS}, "updated_at": now}
        for i, t in texts.items()
        if i in known
    ]
    if new:
        session.execute(insert(leads), new)
    if changed:
        session.execute(update(leads).where(leads.c.lead_id == bindparam("b_lead_id")), changed)


def upsert_sources(
    session: Session, rows: Iterable[dict[str, Any]], now: datetime, add_tags: bool = False
) -> None:
    """One row per (lead, source); a source seen again replaces its tags and name, or with
    `add_tags` adds its tags to those it asserted before (a referrer who refers someone again
    with other interests still asserts the first ones)."""
    by_key: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["lead_id"], r["source_type"], r["source_id"])
        if add_tags and key in by_key:
            r = {**r, "tags": sorted({*by_key[key]["tags"], *r["tags"]})}
        by_key[key] = r
    if not by_key:
        return
    lead_ids = {k[0] for k in by_key}
    held = {
        (r.lead_id, r.source_type, r.source_id): r.tags or []
        for r in session.execute(
            select(
                lead_sources.c.lead_id,
                lead_sources.c.source_type,
                lead_sources.c.source_id,
                lead_sources.c.tags,
            ).where(lead_sources.c.lead_id.in_(lead_ids))
        )
    }
    have = set(held)
    if add_tags:
        by_key = {
            k: {**r, "tags": sorted({*held.get(k, []), *r["tags"]})} for k, r in by_key.items()
        }
    new = [{**r, "updated_at": now} for k, r in by_key.items() if k not in have]
    changed = [
        {
            "b_lead_id": k[0],
            "b_type": k[1],
            "b_id": k[2],
            "source_name": r["source_name"],
            "tags": r["tags"],
            "updated_at": now,
        }
        for k, r in by_key.items()
        if k in have
    ]
    if new:
        session.execute(insert(lead_sources), new)
    if changed:
        session.execute(
            update(lead_sources).where(
                lead_sources.c.lead_id == bindparam("b_lead_id"),
                lead_sources.c.source_type == bindparam("b_type"),
                lead_sources.c.source_id == bindparam("b_id"),
            ),
            changed,
        )


def add_activity_note(session: Session, row: dict[str, Any]) -> None:
    found = session.execute(
        select(activity_notes.c.activity_id).where(
            activity_notes.c.activity_id == row["activity_id"]
        )
    ).first()
    if found is None:
        session.execute(insert(activity_notes), row)
    else:
        session.execute(
            update(activity_notes)
            .where(activity_notes.c.activity_id == row["activity_id"])
            .values(row)
        )


def erase(session: Session, lead_ids: Collection[str], now: datetime) -> None:
    """Delete everything tagging holds about these leads and remember they are gone."""
    ids = list(lead_ids)
    for table in (lead_sources, activity_notes, lead_tags, training_examples, leads):
        session.execute(delete(table).where(table.c.lead_id.in_(ids)))
    # Leads merged into an erased one are erased with it (the caller passes the whole group).
    new = set(ids) - erased(session, ids)
    if new:
        session.execute(
            insert(erased_leads), [{"lead_id": i, "erased_at": now} for i in sorted(new)]
        )
