"""Keeping the prospect index in step with intake, tagging and pipeline events.

Every function is an upsert (a redelivery changes nothing) and tolerates events that overtake
each other: a lead first heard of through tags, a stage or a deal gets a placeholder row that
leads.ingested completes later; tombstones (merged, erased) keep late events from reviving it.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from rainmaker_matching.adapters import repository as repo
from rainmaker_matching.adapters.tables import prospect_tags, prospects
from rainmaker_matching.domain.model import TOMBSTONES, ProspectStatus, Tag

FIRMOGRAPHICS = ("company", "industry", "region", "country", "employees")


def _tag_rows(lead_id: str, tags: Iterable[Tag]) -> list[dict[str, Any]]:
    best: dict[str, Tag] = {}
    for t in tags:  # the same tag twice: keep the surer one
        if t.tag not in best or t.confidence > best[t.tag].confidence:
            best[t.tag] = t
    return [
        {"lead_id": lead_id, "tag": t.tag, "confidence": t.confidence, "origin": t.origin}
        for t in best.values()
    ]


def ingest_leads(session: Session, leads: Sequence[Mapping[str, Any]], now: datetime) -> None:
    """Index new leads; their source's own tags are their first tags."""
    by_id = {lead["lead_id"]: lead for lead in leads}
    statuses = repo.ensure_prospects(session, list(by_id), now)
    live = {i: lead for i, lead in by_id.items() if statuses[i] not in TOMBSTONES}
    if not live:
        return
    # Fill, never blank: a placeholder gets everything, a known lead keeps its first source.
    session.execute(
        update(prospects)
        .where(prospects.c.lead_id == bindparam("b_lead_id"))
        .values(
            {
                **{c: func.coalesce(bindparam(f"b_{c}"), prospects.c[c]) for c in FIRMOGRAPHICS},
                "source_type": func.coalesce(prospects.c.source_type, bindparam("b_source_type")),
                "source_id": func.coalesce(prospects.c.source_id, bindparam("b_source_id")),
                "ingested_at": func.coalesce(prospects.c.ingested_at, bindparam("b_ingested_at")),
                "updated_at": now,
            }
        ),
        [
            {
                "b_lead_id": i,
                **{f"b_{c}": lead.get(c) for c in FIRMOGRAPHICS},
                "b_source_type": lead["source"]["type"],
                "b_source_id": lead["source"]["id"],
                "b_ingested_at": lead["touched_at"].astimezone(UTC),
            }
            for i, lead in live.items()
        ],
    )
    tagged = set(
        session.execute(
            select(prospect_tags.c.lead_id).where(prospect_tags.c.lead_id.in_(list(live)))
        ).scalars()
    )
    rows = [
        row
        for i, lead in live.items()
        if i not in tagged
        for row in _tag_rows(i, (Tag(t, 1.0, "list") for t in lead.get("tags", ())))
    ]
    if rows:
        session.execute(insert(prospect_tags), rows)


def replace_tags(session: Session, leads: Sequence[Mapping[str, Any]], now: datetime) -> None:
    """leads.tagged carries each lead's complete tag set, computed at `now` (the event's
    time): it replaces what we hold, unless what we hold was computed later (this set came
    late, on a retry)."""
    by_id = {lead["lead_id"]: lead for lead in leads}
    statuses = repo.ensure_prospects(session, list(by_id), now)
    newer = set(
        session.execute(
            select(prospects.c.lead_id).where(
                prospects.c.lead_id.in_(list(by_id)), prospects.c.tags_at > now
            )
        ).scalars()
    )
    live = [i for i in by_id if statuses[i] != ProspectStatus.ERASED and i not in newer]
    if not live:
        return
    session.execute(update(prospects).where(prospects.c.lead_id.in_(live)).values(tags_at=now))
    session.execute(delete(prospect_tags).where(prospect_tags.c.lead_id.in_(live)))
    rows = [
        row
        for i in live
        for row in _tag_rows(
            i, (Tag(t["tag"], t["confidence"], t["origin"]) for t in by_id[i]["tags"])
        )
    ]
    if rows:
        session.execute(insert(prospect_tags), rows)


def change_stage(
    session: Session,
    lead_id: str,
    to_stage: str,
    changed_at: datetime,
    now: datetime,
    am_id: str | None = None,
) -> None:
    """Record the lead's stage; an older stage change arriving late does not win.

    A lead that pipeline gives an owner (`am_id`, e.g. an admin's assignment) is that AM's
    from now on: it leaves every other AM's list and cannot be claimed from under them. An
    admin's reassignment also takes a claimed lead from its claimer, unless the claim is the
    later of the two (pipeline decides the same way, so both end with the same owner)."""
    repo.ensure_prospects(session, [lead_id], now)
    changed_at = changed_at.astimezone(UTC)
    session.execute(
        update(prospects)
        .where(
            prospects.c.lead_id == lead_id,
            or_(prospects.c.stage_changed_at.is_(None), prospects.c.stage_changed_at <= changed_at),
        )
        .values(stage=to_stage, stage_changed_at=changed_at, updated_at=now)
    )
    if am_id is not None:
        # Closed and tombstoned rows stay as they are, and so does a newer claim.
        session.execute(
            update(prospects)
            .where(
                prospects.c.lead_id == lead_id,
                or_(
                    prospects.c.status == ProspectStatus.AVAILABLE,
                    and_(
                        prospects.c.status == ProspectStatus.CLAIMED,
                        prospects.c.claimed_by != am_id,
                        or_(prospects.c.claimed_at.is_(None), prospects.c.claimed_at < changed_at),
                    ),
                ),
            )
            .values(
                status=ProspectStatus.CLAIMED,
                claimed_by=am_id,
                claimed_at=changed_at,
                updated_at=now,
            )
        )
