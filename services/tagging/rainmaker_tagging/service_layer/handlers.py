"""The index of tagging: what its queue reacts to.

Each handler updates the read-model, then re-tags the affected survivors (which publishes
leads.tagged). They run inside the consumer's transaction and never commit. Events about
erased leads change nothing; events ahead of leads.ingested create placeholder leads.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rainmaker_bus import Handler
from rainmaker_contracts import Envelope
from rainmaker_tagging.adapters import merges as mg
from rainmaker_tagging.adapters import read_model as rm
from rainmaker_tagging.domain.model import MergeCycle
from rainmaker_tagging.service_layer.retag import retag


def _correlation(env: Envelope) -> str:
    return env.correlation_id or env.id


def leads_ingested(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    gone = rm.erased(session, [lead["lead_id"] for lead in data["leads"]])
    texts: dict[str, dict[str, str | None]] = {}
    sources = []
    for lead in data["leads"]:
        if lead["lead_id"] in gone:
            continue
        texts[lead["lead_id"]] = {f: lead.get(f) for f in rm.TEXT_FIELDS}
        source = lead["source"]
        sources.append(
            {
                "lead_id": lead["lead_id"],
                "source_type": source["type"],
                "source_id": source["id"],
                "source_name": source.get("name"),
                "tags": sorted(set(lead["tags"])),
            }
        )
    rm.upsert_leads(session, texts, now)
    # Adds to what the source asserted before: a touch by the same source may have been handled
    # first (this ingest retried through a back-off queue), and its tags must not be lost.
    rm.upsert_sources(session, sources, now, add_tags=True)
    retag(session, list(texts), correlation_id=_correlation(env))


def leads_touched(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    """A known lead seen again: the source's tags (a list's, a referrer's interests) join its
    sources, fields the sighting filled in join its text, and a referrer's notes are kept like
    an activity's notes (beside the lead's own, not over them)."""
    now = datetime.now(UTC)
    touches = data["touches"]
    gone = rm.erased(session, [t["lead_id"] for t in touches])
    touches = [t for t in touches if t["lead_id"] not in gone]
    if not touches:
        return
    rm.ensure_leads(session, {t["lead_id"] for t in touches}, now)
    # One lead may be touched several times in a message (two rows of a file matching it),
    # each filling other blanks: keep every touch's, the first where two filled the same.
    fields = [f for f in rm.TEXT_FIELDS if f != "notes"]
    texts: dict[str, dict[str, str | None]] = {}
    for t in touches:
        if any(t["filled"].get(f) for f in rm.TEXT_FIELDS):
            text = texts.setdefault(t["lead_id"], dict.fromkeys(fields))
            for f in text:
                text[f] = text[f] or t["filled"].get(f)
    rm.upsert_leads(session, texts, now)
    sources = [
        {"lead_id": t["lead_id"], "source_type": t["source"]["type"],
         "source_id": t["source"]["id"], "source_name": t["source"].get("name"),
         "tags": sorted(set(t["tags"]))}
        for t in touches
    ]  # fmt: skip
    rm.upsert_sources(session, sources, now, add_tags=True)
    for t in touches:
        if t["notes"] and t["notes"].strip():
            rm.add_activity_note(session, {"activity_id": t["touch_id"], "lead_id": t["lead_id"],
                                           "kind": "touch", "notes": t["notes"],
                                           "occurred_at": t["touched_at"]})  # fmt: skip
    retag(session, sorted({t["lead_id"] for t in touches}), correlation_id=_correlation(env))


def leads_merged(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    """A merge links the merged lead to its survivor (its tags move there); undone unlinks.

    An undo can be handled before its merge (the merge's first attempt failed and waits in a
    back-off queue), so undone merge ids are remembered and a merge already undone is skipped.
    """
    now = datetime.now(UTC)
    merges = data["merges"]
    mg.record_undone(session, [m["merge_id"] for m in merges if m["undone"]], now)
    undone = mg.undone(session, [m["merge_id"] for m in merges if not m["undone"]])
    affected: set[str] = set()
    for merge in merges:
        if not merge["undone"] and merge["merge_id"] in undone:
            continue
        survivor, merged = merge["survivor_id"], merge["merged_id"]
        if rm.erased(session, [survivor, merged]):
            continue
        rm.ensure_leads(session, [survivor, merged], now)
        if merge["undone"]:
            if rm.existing(session, [merged])[merged]["merged_into"] == survivor:
                mg.set_merged_into(session, merged, None, now)
            affected.update((survivor, merged))
            continue
        if survivor == merged or mg.roots_of(session, [survivor])[survivor] == merged:
            raise MergeCycle(f"merging {merged} into {survivor} would make a cycle")
        mg.set_merged_into(session, merged, survivor, now)
        affected.add(survivor)
    retag(session, sorted(affected), correlation_id=_correlation(env))


def activity_logged(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    lead_id = data["lead_id"]
    if not data["notes"].strip() or rm.erased(session, [lead_id]):
        return
    rm.ensure_leads(session, [lead_id], datetime.now(UTC))
    rm.add_activity_note(
        session,
        {
            "activity_id": data["activity_id"],
            "lead_id": lead_id,
            "kind": data["kind"],
            "notes": data["notes"],
            "occurred_at": data["occurred_at"],
        },
    )
    retag(session, [lead_id], correlation_id=_correlation(env))


def lead_erased(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    """Erase the lead and the leads merged into it; re-tag the survivor it was merged into."""
    lead_id = data["lead_id"]
    root = mg.roots_of(session, [lead_id])[lead_id]
    group = mg.groups_of(session, [lead_id])[lead_id]
    rm.erase(session, group, datetime.now(UTC))
    if root != lead_id:
        retag(session, [root], correlation_id=_correlation(env))


EVENT_HANDLERS: dict[str, dict[str, Handler]] = {
    "tagging.events": {
        "leads.ingested": leads_ingested,
        "leads.touched": leads_touched,
        "leads.merged": leads_merged,
        "activity.logged": activity_logged,
        "lead.erased": lead_erased,
    },
}
