"""The lead read-model fed by intake's events: leads, their sources and touches.

Handlers run in the consumer's transaction; every write is an upsert or insert-if-missing,
so a replayed or out-of-order event (a tag or claim before the lead's ingestion) is safe.
"""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from rainmaker_db.upserts import insert_missing, upsert
from rainmaker_pipeline.adapters.tables import leads, sources, touches
from rainmaker_pipeline.domain.merges import chain_end
from rainmaker_pipeline.domain.stages import Stage

_FIRST_TOUCH = uuid.UUID("6f1d9c52-5a0e-4f59-9a43-2f7b1c3e8d10")


def ensure_leads(session: Session, first_seen: Mapping[str, datetime]) -> None:
    """Insert a `suspect` placeholder for each lead id pipeline has not seen yet."""
    insert_missing(
        session,
        leads,
        [
            {
                "lead_id": lead_id,
                "stage": Stage.SUSPECT.value,
                "furthest_stage": Stage.SUSPECT.value,
                "tags": [],
                "created_at": at,
                "updated_at": at,
            }
            for lead_id, at in first_seen.items()
        ],
        ["lead_id"],
    )


def record_list(session: Session, data: dict[str, Any], at: datetime) -> None:
    """A list's metadata and price, from list.imported (each import of it repeats them)."""
    row = {
        "source_type": "rented_list",
        "source_id": data["list_id"],
        "name": data["name"],
        "vendor": data["vendor"],
        "cost_minor": data["cost_minor"],
        "currency": data["currency"],
        "purchased_on": data["purchased_on"],
        "updated_at": at,
    }
    update_cols = [c for c in row if c not in ("source_type", "source_id")]
    upsert(session, sources, [row], ["source_type", "source_id"], update_cols)


def ingest_leads(session: Session, ingested: list[dict[str, Any]]) -> None:
    """New leads enter as suspects, each with its first touch; a placeholder left by an
    earlier tag or claim gets its firmographics (unless the lead was erased meanwhile)."""
    ensure_leads(session, {lead["lead_id"]: lead["touched_at"] for lead in ingested})
    session.execute(
        update(leads)
        .where(leads.c.lead_id == bindparam("b_lead_id"), leads.c.erased_at.is_(None))
        .values(
            company=func.coalesce(leads.c.company, bindparam("b_company")),
            industry=func.coalesce(leads.c.industry, bindparam("b_industry")),
            region=func.coalesce(leads.c.region, bindparam("b_region")),
        ),
        [
            {
                "b_lead_id": lead["lead_id"],
                "b_company": lead["company"],
                "b_industry": lead["industry"],
                "b_region": lead["region"] or lead["country"],
            }
            for lead in ingested
        ],
    )
    add_touches(
        session,
        [
            {
                "touch_id": str(uuid.uuid5(_FIRST_TOUCH, _first_touch_key(lead))),
                "lead_id": lead["lead_id"],
                "source": lead["source"],
                "touched_at": lead["touched_at"],
            }
            for lead in ingested
        ],
    )


def _first_touch_key(lead: dict[str, Any]) -> str:
    source = lead["source"]
    return f"{lead['lead_id']}|{source['type']}|{source['id']}|{lead['touched_at'].isoformat()}"


def add_touches(session: Session, new: list[dict[str, Any]]) -> None:
    """Record touches (leads.touched: a known lead seen again through another source)."""
    if not new:
        return
    ensure_leads(session, {t["lead_id"]: t["touched_at"] for t in new})
    # A lead merged before its touches arrived: they count for its survivor (an undone merge
    # gives them back by `original_lead_id`).
    merged = set(
        session.execute(
            select(leads.c.lead_id).where(
                leads.c.lead_id.in_({t["lead_id"] for t in new}), leads.c.merged_into.is_not(None)
            )
        ).scalars()
    )
    owner = {i: root_of(session, i) for i in merged}
    insert_missing(
        session,
        touches,
        [
            {
                "touch_id": t["touch_id"],
                "lead_id": owner.get(t["lead_id"], t["lead_id"]),
                "original_lead_id": t["lead_id"],
                "source_type": t["source"]["type"],
                "source_id": t["source"]["id"],
                "touched_at": t["touched_at"],
            }
            for t in new
        ],
        ["touch_id"],
    )
    _remember_sources(session, (t["source"] for t in new), max(t["touched_at"] for t in new))


def root_of(session: Session, lead_id: str) -> str:
    """The lead at the end of `lead_id`'s chain of merges (itself when not merged)."""
    query = select(leads.c.merged_into).where(leads.c.lead_id == bindparam("b_lead_id"))
    return chain_end(lead_id, lambda i: session.execute(query, {"b_lead_id": i}).scalar())


def _remember_sources(session: Session, seen: Iterable[dict[str, Any]], at: datetime) -> None:
    by_key = {(s["type"], s["id"]): s.get("name") for s in seen}
    rows = [
        {"source_type": t, "source_id": i, "name": name, "cost_minor": 0, "updated_at": at}
        for (t, i), name in by_key.items()
    ]
    insert_missing(session, sources, rows, ["source_type", "source_id"])
    named = [
        {"b_type": r["source_type"], "b_id": r["source_id"], "b_name": r["name"]}
        for r in rows
        if r["name"]
    ]
    if named:
        session.execute(
            update(sources)
            .where(
                sources.c.source_type == bindparam("b_type"),
                sources.c.source_id == bindparam("b_id"),
                sources.c.name.is_(None),
            )
            .values(name=bindparam("b_name")),
            named,
        )
