"""Reading one lead: its state, where it came from, and what happened to it."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rainmaker_pipeline.adapters.tables import (
    activities,
    deals,
    leads,
    sources,
    stage_history,
    touches,
)
from rainmaker_pipeline.domain.model import NotFound
from rainmaker_pipeline.domain.stages import Stage, allowed_next
from rainmaker_pipeline.service_layer.lead_state import ensure_visible


def lead_summary(session: Session, lead_id: str) -> dict[str, Any]:
    row = session.execute(select(leads).where(leads.c.lead_id == lead_id)).first()
    if row is None:
        raise NotFound(f"Lead {lead_id} is not known to the pipeline.")
    lead = dict(row._mapping)
    lead["erased"] = lead.pop("erased_at") is not None
    final = lead["merged_into"] or lead["erased"]
    lead["allowed_next_stages"] = [] if final else list(allowed_next(Stage(lead["stage"])))
    return lead


def get_lead(session: Session, lead_id: str, am_scope: str | None) -> dict[str, Any]:
    """The lead with its touches, stage history, activities and deals (oldest first)."""
    lead = lead_summary(session, lead_id)
    ensure_visible(lead_id, lead["am_id"], am_scope)
    lead["touches"] = _rows(
        session,
        select(touches, sources.c.name.label("source_name"))
        .outerjoin(
            sources,
            (sources.c.source_type == touches.c.source_type)
            & (sources.c.source_id == touches.c.source_id),
        )
        .where(touches.c.lead_id == lead_id)
        .order_by(touches.c.touched_at, touches.c.touch_id),
    )
    lead["stage_history"] = _rows(
        session,
        select(stage_history)
        .where(stage_history.c.lead_id == lead_id)
        .order_by(stage_history.c.at, stage_history.c.id),
    )
    lead["activities"] = _rows(
        session,
        select(activities)
        .where(activities.c.lead_id == lead_id)
        .order_by(activities.c.occurred_at, activities.c.activity_id),
    )
    lead["deals"] = _rows(
        session,
        select(deals).where(deals.c.lead_id == lead_id).order_by(deals.c.closed_at),
    )
    return lead


def _rows(session: Session, query: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in session.execute(query)]
