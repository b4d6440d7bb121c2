"""Assigning a lead to an account manager (admins; AMs claim through matching)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rainmaker_pipeline.domain.model import CannotAssign, NotFound, UnknownAccountManager
from rainmaker_pipeline.domain.stages import OPEN_STAGES, Stage
from rainmaker_pipeline.service_layer import queries
from rainmaker_pipeline.service_layer.account_managers import get_account_manager
from rainmaker_pipeline.service_layer.commands import Actor, AssignLead
from rainmaker_pipeline.service_layer.lead_state import hand_over, lead_for_command, move_stage


def assign_lead(
    session: Session, cmd: AssignLead, actor: Actor, correlation_id: str | None = None
) -> dict[str, Any]:
    """Give the lead to an active account manager below capacity; a suspect becomes their
    prospect, a lead further on keeps its stage. Either way `lead.stage_changed` announces
    the new owner (from and to stage the same for a reassignment)."""
    lead = lead_for_command(session, cmd.lead_id, actor)
    try:
        am = get_account_manager(session, cmd.am_id)
    except NotFound:
        raise UnknownAccountManager(f"Account manager {cmd.am_id} does not exist.") from None
    if lead.am_id == cmd.am_id:
        return queries.lead_summary(session, cmd.lead_id)
    if not am["active"]:
        raise CannotAssign(f"Account manager {cmd.am_id} is inactive.")
    if lead.stage in OPEN_STAGES and am["open_leads"] >= am["capacity"]:
        raise CannotAssign(
            f"Account manager {cmd.am_id} is at capacity ({am['capacity']} open leads)."
        )
    now = datetime.now(UTC)
    if lead.stage is Stage.SUSPECT:
        move_stage(
            session,
            lead,
            Stage.PROSPECT,
            by=actor.by,
            at=now,
            reason=f"assigned to {cmd.am_id}",
            am_id=cmd.am_id,
            correlation_id=correlation_id,
        )
    else:
        hand_over(
            session,
            lead,
            cmd.am_id,
            at=now,
            announce=f"reassigned to {cmd.am_id}",
            correlation_id=correlation_id,
        )
    return queries.lead_summary(session, cmd.lead_id)
