"""Merge links in the leads read-model: a merged lead points at its survivor.

A survivor's group is itself plus every lead merged into it, directly or through a chain;
tags are computed over the group and held by the survivor at the end of the chain (root).
"""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rainmaker_db.upserts import insert_missing
from rainmaker_tagging.adapters.tables import leads, undone_merges
from rainmaker_tagging.domain.model import MergeCycle

MAX_MERGE_DEPTH = 100


def roots_of(session: Session, lead_ids: Collection[str]) -> dict[str, str]:
    """Each lead's survivor at the end of its chain of merges (itself when not merged)."""
    parent: dict[str, str] = {}
    frontier = set(lead_ids)
    for _ in range(MAX_MERGE_DEPTH):
        if not frontier:
            break
        rows = session.execute(
            select(leads.c.lead_id, leads.c.merged_into).where(
                leads.c.lead_id.in_(frontier), leads.c.merged_into.is_not(None)
            )
        )
        step = {r.lead_id: r.merged_into for r in rows}
        parent.update(step)
        frontier = set(step.values()) - set(parent)
    else:
        raise MergeCycle("merges are nested deeper than allowed")
    roots = {}
    for lead_id in lead_ids:
        node, seen = lead_id, {lead_id}
        while node in parent:
            node = parent[node]
            if node in seen:
                raise MergeCycle(f"lead {lead_id} is in a cycle of merges")
            seen.add(node)
        roots[lead_id] = node
    return roots


def groups_of(session: Session, roots: Collection[str]) -> dict[str, list[str]]:
    """Each root with the leads merged into it, directly or not: [root, *members sorted]."""
    root_of = {r: r for r in roots}
    frontier = set(roots)
    for _ in range(MAX_MERGE_DEPTH):
        if not frontier:
            break
        rows = session.execute(
            select(leads.c.lead_id, leads.c.merged_into).where(leads.c.merged_into.in_(frontier))
        ).all()
        frontier = set()
        for row in rows:
            if row.lead_id not in root_of:
                root_of[row.lead_id] = root_of[row.merged_into]
                frontier.add(row.lead_id)
    else:
        raise MergeCycle("merges are nested deeper than allowed")
    groups: dict[str, list[str]] = {r: [] for r in roots}
    for member, root in root_of.items():
        if member != root:
            groups[root].append(member)
    return {root: [root, *sorted(members)] for root, members in groups.items()}


def set_merged_into(
    session: Session, merged_id: str, survivor_id: str | None, now: datetime
) -> None:
    session.execute(
        update(leads)
        .where(leads.c.lead_id == merged_id)
        .values(merged_into=survivor_id, updated_at=now)
    )


def record_undone(session: Session, merge_ids: Collection[str], now: datetime) -> None:
    """Remember these merges as undone; one already recorded (a redelivered undo) is kept."""
    rows = [{"merge_id": i, "undone_at": now} for i in sorted(set(merge_ids))]
    insert_missing(session, undone_merges, rows, ["merge_id"])


def undone(session: Session, merge_ids: Collection[str]) -> set[str]:
    rows = session.execute(
        select(undone_merges.c.merge_id).where(undone_merges.c.merge_id.in_(merge_ids))
    )
    return set(rows.scalars())


def roots_after(session: Session, after: str, limit: int) -> list[str]:
    """The next `limit` unmerged leads in lead_id order (keyset pagination for re-tagging)."""
    rows = session.execute(
        select(leads.c.lead_id)
        .where(leads.c.merged_into.is_(None), leads.c.lead_id > after)
        .order_by(leads.c.lead_id)
        .limit(limit)
    )
    return list(rows.scalars())
