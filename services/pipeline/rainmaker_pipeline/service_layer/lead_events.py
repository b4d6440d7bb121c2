"""What other services tell pipeline about leads: merges, tags, claims and erasure."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from rainmaker_db.upserts import insert_missing
from rainmaker_pipeline.adapters.tables import (
    activities,
    deals,
    leads,
    stage_history,
    touches,
    undone_merges,
)
from rainmaker_pipeline.domain.stages import OPEN_STAGES, Stage
from rainmaker_pipeline.service_layer.lead_state import find_lead, hand_over, move_stage
from rainmaker_pipeline.service_layer.readmodel import ensure_leads, root_of

_MOVABLE = (touches, activities, deals)  # what follows a lead into its survivor


def merge_leads(session: Session, merges: list[dict[str, Any]], at: datetime) -> None:
    """Move touches, activities and deals to the survivor; an undone merge moves back what
    was first recorded for the merged lead. The survivor keeps its own stage.

    A merge whose undo was handled first (the merge was being retried) is not applied."""
    for merge in merges:
        if merge["undone"]:
            _undo_merge(session, merge, at)
        elif not _was_undone(session, merge["merge_id"]):
            _merge(session, merge, at)


def _merge(session: Session, merge: dict[str, Any], at: datetime) -> None:
    survivor, merged = merge["survivor_id"], merge["merged_id"]
    ensure_leads(session, {survivor: at, merged: at})
    # The survivor may itself have been merged meanwhile: what moves goes to the end of
    # its chain, the lead the reports count (the link below still names the survivor).
    root = root_of(session, survivor)
    for table in _MOVABLE:
        session.execute(update(table).where(table.c.lead_id == merged).values(lead_id=root))
    owner = session.execute(select(leads.c.am_id).where(leads.c.lead_id == merged)).scalar()
    session.execute(
        update(leads)
        .where(leads.c.lead_id == root)
        .values(am_id=func.coalesce(leads.c.am_id, owner), updated_at=at)
    )
    session.execute(
        update(leads).where(leads.c.lead_id == merged).values(merged_into=survivor, updated_at=at)
    )


def _undo_merge(session: Session, merge: dict[str, Any], at: datetime) -> None:
    survivor, merged = merge["survivor_id"], merge["merged_id"]
    # Remembered so that the merge, should a retry bring it after its undo, is not applied.
    insert_missing(
        session, undone_merges, [{"merge_id": merge["merge_id"], "undone_at": at}], ["merge_id"]
    )
    ensure_leads(session, {survivor: at, merged: at})
    for table in _MOVABLE:
        session.execute(
            update(table)
            .where(table.c.original_lead_id == merged, table.c.lead_id != merged)
            .values(lead_id=merged)
        )
    session.execute(
        update(leads)
        .where(leads.c.lead_id == merged, leads.c.merged_into == survivor)
        .values(merged_into=None, updated_at=at)
    )


def _was_undone(session: Session, merge_id: str) -> bool:
    query = select(undone_merges.c.merge_id).where(undone_merges.c.merge_id == merge_id)
    return session.execute(query).first() is not None


def store_tags(session: Session, tagged: list[dict[str, Any]], at: datetime) -> None:
    """Replace each lead's tags with its complete current set (leads.tagged is not a delta),
    computed at `at`, unless the set held was computed later (this one came late, on a retry)."""
    ensure_leads(session, {lead["lead_id"]: at for lead in tagged})
    session.execute(
        update(leads)
        .where(
            leads.c.lead_id == bindparam("b_lead_id"),
            leads.c.erased_at.is_(None),
            or_(leads.c.tags_at.is_(None), leads.c.tags_at <= at),
        )
        .values(tags=bindparam("b_tags"), tags_at=at, updated_at=at),
        [
            {
                "b_lead_id": lead["lead_id"],
                "b_tags": [
                    {"tag": t["tag"], "confidence": t["confidence"], "origin": t["origin"]}
                    for t in lead["tags"]
                ],
            }
            for lead in tagged
        ],
    )


def record_claim(session: Session, claim: dict[str, Any], correlation_id: str | None) -> None:
    """The claiming AM owns the lead from now on; a suspect becomes their prospect.

    Closed, discarded, erased or merged leads are left alone (matching only offers open ones),
    and so is a lead an admin assigned after the claim was made: the later owner wins, here
    and in matching, whichever event arrives first.
    """
    lead_id, am_id, at = claim["lead_id"], claim["am_id"], claim["claimed_at"]
    ensure_leads(session, {lead_id: at})
    lead = find_lead(session, lead_id, lock=True)
    if lead is None or lead.erased or lead.merged_into:
        return
    if lead.stage is Stage.SUSPECT:
        move_stage(
            session,
            lead,
            Stage.PROSPECT,
            by="matching",
            at=at,
            reason=f"claimed by {am_id} (claim {claim['claim_id']})",
            am_id=am_id,
            correlation_id=correlation_id,
        )
    elif (lead.stage in OPEN_STAGES or lead.stage is Stage.NURTURE) and lead.am_id != am_id:
        if lead.owner_at is not None and lead.owner_at > at:
            return  # an admin gave it to another AM after this claim; matching learns that too
        hand_over(session, lead, am_id, at=at)


def erase_lead(session: Session, lead_id: str, at: datetime) -> None:
    """Forget the person: company, tags, activity notes and stage reasons go; the lead's
    stage, touches and deal values stay as anonymous figures for the reports."""
    ensure_leads(session, {lead_id: at})
    session.execute(update(leads).where(leads.c.lead_id == lead_id).values(company=None, tags=[]))
    session.execute(
        update(leads)
        .where(leads.c.lead_id == lead_id, leads.c.erased_at.is_(None))
        .values(erased_at=at, updated_at=at)
    )
    session.execute(
        update(activities)
        .where((activities.c.lead_id == lead_id) | (activities.c.original_lead_id == lead_id))
        .values(notes="")
    )
    session.execute(
        update(stage_history).where(stage_history.c.lead_id == lead_id).values(reason=None)
    )
