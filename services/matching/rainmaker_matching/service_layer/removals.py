"""Leads leaving the index without a deal: merged into a duplicate, or erased on request.

Both leave a tombstone row, so events that arrive later cannot bring the lead back; an undone
merge restores the lead to what it would be without the merge. Undone merge ids are kept, as
an undo can overtake its merge on the bus (the merge's retry comes later) and the late merge
must then change nothing.
"""

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from rainmaker_matching.adapters import repository as repo
from rainmaker_matching.adapters.tables import closed_deals, prospect_tags, prospects
from rainmaker_matching.domain.model import ProspectStatus
from rainmaker_matching.service_layer.index import FIRMOGRAPHICS


def merge(session: Session, merge_id: str, survivor_id: str, merged_id: str, now: datetime) -> None:
    """The merged lead leaves the index (its row stays, so an unmerge can bring it back)."""
    if repo.merge_undone(session, merge_id):  # its undo got here first
        return
    if repo.ensure_prospects(session, [merged_id], now)[merged_id] == ProspectStatus.ERASED:
        return
    session.execute(
        update(prospects)
        .where(prospects.c.lead_id == merged_id)
        .values(status=ProspectStatus.MERGED, merged_into=survivor_id, updated_at=now)
    )


def unmerge(session: Session, merge_id: str, merged_id: str, now: datetime) -> None:
    """An undone merge: the lead comes back as it would be without the merge."""
    repo.record_undone_merge(session, merge_id, now)  # before the merge, if that comes late
    row = repo.get_prospect(session, merged_id)
    if row is None or row.status != ProspectStatus.MERGED:
        return
    if session.execute(
        select(closed_deals.c.deal_id).where(closed_deals.c.lead_id == merged_id).limit(1)
    ).first():
        status = ProspectStatus.CLOSED  # as a closed deal left it (see profiles)
    elif row.claimed_by is not None:  # a claim, or an owner pipeline gave it
        status = ProspectStatus.CLAIMED
    else:
        status = ProspectStatus.AVAILABLE
    session.execute(
        update(prospects)
        .where(prospects.c.lead_id == merged_id)
        .values(status=status, merged_into=None, updated_at=now)
    )


def erase(session: Session, lead_id: str, now: datetime) -> None:
    """Keep only a tombstone: no firmographics, no tags, no link from deals."""
    repo.ensure_prospects(session, [lead_id], now)
    session.execute(
        update(prospects)
        .where(prospects.c.lead_id == lead_id)
        .values(
            status=ProspectStatus.ERASED,
            **dict.fromkeys((*FIRMOGRAPHICS, "source_type", "source_id", "merged_into")),
            updated_at=now,
        )
    )
    session.execute(delete(prospect_tags).where(prospect_tags.c.lead_id == lead_id))
    session.execute(
        update(closed_deals).where(closed_deals.c.lead_id == lead_id).values(lead_id=None)
    )
