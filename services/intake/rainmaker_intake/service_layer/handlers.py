"""The index of intake: what each of its queues reacts to."""

from typing import Any

from sqlalchemy.orm import Session

from rainmaker_bus import Handler
from rainmaker_contracts import Envelope
from rainmaker_intake.service_layer.importer import run_import


def import_requested(session: Session, _env: Envelope, data: dict[str, Any]) -> None:
    run_import(session, data["import_id"])


def deal_closed(session: Session, _env: Envelope, data: dict[str, Any]) -> None:
    """Won deals make their lead an existing customer (used by list-quality reports)."""
    # Recorded by the intake issue's customer flag; nothing to do at skeleton depth.


EVENT_HANDLERS: dict[str, dict[str, Handler]] = {
    "intake.imports": {"intake.import_requested": import_requested},
    "intake.events": {"deal.closed": deal_closed},
}
