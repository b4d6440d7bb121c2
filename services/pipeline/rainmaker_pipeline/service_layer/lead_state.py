"""Loading a lead for a command, checking who may act on it, and moving its stage."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_pipeline.adapters.tables import leads, stage_history
from rainmaker_pipeline.domain.model import Conflict, LeadErased, NotFound, NotYourLead
from rainmaker_pipeline.domain.stages import Stage, check_transition, furthest
from rainmaker_pipeline.service_layer.commands import Actor

PRODUCER = "pipeline"


@dataclass(frozen=True)
class LeadState:
    lead_id: str
    stage: Stage
    furthest_stage: Stage
    am_id: str | None
    erased: bool
    merged_into: str | None
    owner_at: datetime | None = None


def find_lead(session: Session, lead_id: str, *, lock: bool = False) -> LeadState | None:
    query = select(
        leads.c.lead_id,
        leads.c.stage,
        leads.c.furthest_stage,
        leads.c.am_id,
        leads.c.erased_at,
        leads.c.merged_into,
        leads.c.owner_at,
    ).where(leads.c.lead_id == lead_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        return None
    return LeadState(
        lead_id=row.lead_id,
        stage=Stage(row.stage),
        furthest_stage=Stage(row.furthest_stage),
        am_id=row.am_id,
        erased=row.erased_at is not None,
        merged_into=row.merged_into,
        owner_at=row.owner_at,
    )


def lead_for_command(session: Session, lead_id: str, actor: Actor) -> LeadState:
    """The lead, locked, after checking the actor may change it."""
    lead = find_lead(session, lead_id, lock=True)
    if lead is None:
        raise NotFound(f"Lead {lead_id} is not known to the pipeline.")
    ensure_visible(lead.lead_id, lead.am_id, actor.am_id)
    if lead.merged_into:
        raise Conflict(f"Lead {lead_id} was merged into {lead.merged_into}; act on that lead.")
    if lead.erased:
        raise LeadErased(f"Lead {lead_id} was erased; it takes no further changes.")
    return lead


def ensure_visible(lead_id: str, owner: str | None, am_scope: str | None) -> None:
    """An account manager (`am_scope` set) sees only the leads assigned to them."""
    if am_scope is not None and owner != am_scope:
        raise NotYourLead(f"Lead {lead_id} is not assigned to you.")


def move_stage(
    session: Session,
    lead: LeadState,
    to_stage: Stage,
    *,
    by: str,
    at: datetime,
    reason: str | None = None,
    am_id: str | None = None,
    correlation_id: str | None = None,
) -> LeadState:
    """Apply a legal transition: the lead, its history and `lead.stage_changed`, together."""
    check_transition(lead.lead_id, lead.stage, to_stage)
    owner = am_id if am_id is not None else lead.am_id
    owner_at = at if owner != lead.am_id else lead.owner_at
    reached = furthest(lead.furthest_stage, to_stage)
    session.execute(
        update(leads)
        .where(leads.c.lead_id == lead.lead_id)
        .values(
            stage=to_stage, furthest_stage=reached, am_id=owner, owner_at=owner_at, updated_at=at
        )
    )
    session.execute(
        insert(stage_history),
        {
            "lead_id": lead.lead_id,
            "from_stage": lead.stage,
            "to_stage": to_stage,
            "at": at,
            "by": by,
            "reason": reason,
        },
    )
    _announce(session, lead, to_stage, owner, at, reason, correlation_id)
    return LeadState(
        lead.lead_id, to_stage, reached, owner, lead.erased, lead.merged_into, owner_at
    )


def hand_over(
    session: Session,
    lead: LeadState,
    am_id: str,
    *,
    at: datetime,
    announce: str | None = None,
    correlation_id: str | None = None,
) -> None:
    """Give a lead past `suspect` to another AM, keeping its stage.

    With `announce` (the reason), publishes `lead.stage_changed` with the same from and to
    stage and the new `am_id` (the contracts have no assignment event): matching then takes
    the lead out of the old owner's hands. A claim needs no announcement; it came from matching.
    """
    session.execute(
        update(leads)
        .where(leads.c.lead_id == lead.lead_id)
        .values(am_id=am_id, owner_at=at, updated_at=at)
    )
    if announce is not None:
        _announce(session, lead, lead.stage, am_id, at, announce, correlation_id)


def _announce(
    session: Session,
    lead: LeadState,
    to_stage: Stage,
    am_id: str | None,
    at: datetime,
    reason: str | None,
    correlation_id: str | None,
) -> None:
    add_event(
        session,
        "lead.stage_changed",
        {
            "lead_id": lead.lead_id,
            "from_stage": lead.stage.value,
            "to_stage": to_stage.value,
            "am_id": am_id,
            "changed_at": at.isoformat(),
            "reason": reason,
        },
        producer=PRODUCER,
        correlation_id=correlation_id,
    )
