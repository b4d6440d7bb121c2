"""The index of pipeline: what its queue reacts to.

Each handler runs inside the consumer's transaction (with the inbox row): it never commits,
and its writes are upserts, so a replayed or early event does no harm.
"""

from typing import Any

from sqlalchemy.orm import Session

from rainmaker_bus import Handler
from rainmaker_contracts import Envelope
from rainmaker_pipeline.service_layer import lead_events, readmodel


def list_imported(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    readmodel.record_list(session, data, env.occurred_at)


def leads_ingested(session: Session, _env: Envelope, data: dict[str, Any]) -> None:
    readmodel.ingest_leads(session, data["leads"])


def leads_touched(session: Session, _env: Envelope, data: dict[str, Any]) -> None:
    readmodel.add_touches(session, data["touches"])


def leads_merged(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    lead_events.merge_leads(session, data["merges"], env.occurred_at)


def leads_tagged(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    lead_events.store_tags(session, data["leads"], env.occurred_at)


def prospect_claimed(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    lead_events.record_claim(session, data, env.correlation_id)


def lead_erased(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    lead_events.erase_lead(session, data["lead_id"], env.occurred_at)


EVENT_HANDLERS: dict[str, dict[str, Handler]] = {
    "pipeline.events": {
        "list.imported": list_imported,
        "leads.ingested": leads_ingested,
        "leads.touched": leads_touched,
        "leads.merged": leads_merged,
        "leads.tagged": leads_tagged,
        "prospect.claimed": prospect_claimed,
        "lead.erased": lead_erased,
    },
}
