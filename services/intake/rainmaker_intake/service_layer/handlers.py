"""The index of intake: what each of its queues reacts to."""

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_bus import Handler
from rainmaker_bus.jobs import GaveUpHandler, JobHandler
from rainmaker_contracts import Envelope
from rainmaker_db import Database
from rainmaker_intake.adapters.tables import contacts, customers
from rainmaker_intake.config import Settings
from rainmaker_intake.service_layer.importer import give_up, note_failure, run_import


def import_requested(db: Database, _env: Envelope, data: dict[str, Any]) -> None:
    """A resumable job: commits chunk by chunk (see importer.py). A failure is shown on the
    import (its `error`) and re-raised: the bus retries it, resuming after the checkpoint."""
    settings = Settings.from_env()  # per job: cheap, and a changed limit applies at once
    try:
        run_import(
            db,
            data["import_id"],
            settings.limits,
            settings.import_helper_min_bytes,
            settings.import_chunk_rows,
            settings.dedup,
        )
    except Exception as exc:
        note_failure(db, data["import_id"], f"{type(exc).__name__}: {exc}"[:2000])
        raise


def import_gave_up(db: Database, _env: Envelope, data: dict[str, Any], error: str) -> None:
    """The bus dead-lettered an import's job after its last attempt: show it as failed."""
    give_up(db, data["import_id"], error)


def deal_closed(session: Session, _env: Envelope, data: dict[str, Any]) -> None:
    """A won deal makes its lead an existing customer (list-quality reports count them)."""
    if data["outcome"] != "won":
        return
    lead_id = data["lead_id"]
    if session.execute(select(customers.c.lead_id).where(customers.c.lead_id == lead_id)).first():
        return
    # Intake minted every lead and keeps its contact until the person is erased: no contact
    # means erased (the deal's event came late), and erasure removed the customer row too.
    if session.execute(select(contacts.c.lead_id).where(contacts.c.lead_id == lead_id)).first():
        closed_at: datetime = data["closed_at"]
        session.execute(
            insert(customers).values(lead_id=lead_id, deal_id=data["deal_id"], won_at=closed_at)
        )
        session.execute(
            update(contacts).where(contacts.c.lead_id == lead_id).values(is_customer=True)
        )


JOB_HANDLERS: dict[str, dict[str, JobHandler]] = {
    "intake.imports": {"intake.import_requested": import_requested},
}
JOBS_GIVEN_UP: dict[str, dict[str, GaveUpHandler]] = {
    "intake.imports": {"intake.import_requested": import_gave_up},
}
EVENT_HANDLERS: dict[str, dict[str, Handler]] = {
    "intake.events": {"deal.closed": deal_closed},
}
