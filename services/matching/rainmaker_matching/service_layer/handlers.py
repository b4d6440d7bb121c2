"""The index of matching: what its queue reacts to.

Handlers run inside the consumer's transaction (the inbox row commits with their effect), so
they never commit and depend only on the event and the database. Time stamps of our own rows
come from the envelope, which keeps a redelivery's effect identical.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rainmaker_bus import Handler
from rainmaker_contracts import Envelope
from rainmaker_matching.service_layer import index, profiles, removals


def _at(env: Envelope) -> datetime:
    return env.occurred_at.astimezone(UTC)


def account_manager_upserted(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    profiles.upsert_account_manager(session, data, _at(env))


def leads_ingested(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    index.ingest_leads(session, data["leads"], _at(env))


def leads_tagged(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    index.replace_tags(session, data["leads"], _at(env))


def leads_merged(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    for m in data["merges"]:
        if m["undone"]:
            removals.unmerge(session, m["merge_id"], m["merged_id"], _at(env))
        else:
            removals.merge(session, m["merge_id"], m["survivor_id"], m["merged_id"], _at(env))


def lead_stage_changed(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    index.change_stage(
        session, data["lead_id"], data["to_stage"], data["changed_at"], _at(env), data["am_id"]
    )


def deal_closed(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    profiles.record_closed_deal(session, data, _at(env))


def lead_erased(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    removals.erase(session, data["lead_id"], _at(env))


EVENT_HANDLERS: dict[str, dict[str, Handler]] = {
    "matching.events": {
        "account_manager.upserted": account_manager_upserted,
        "leads.ingested": leads_ingested,
        "leads.tagged": leads_tagged,
        "leads.merged": leads_merged,
        "lead.stage_changed": lead_stage_changed,
        "deal.closed": deal_closed,
        "lead.erased": lead_erased,
    }
}
