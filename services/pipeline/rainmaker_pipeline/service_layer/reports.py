"""The source ROI report: costs per source, and leads credited to the source by attribution.

Money is never converted: costs and deals in another currency than the report's are left
out and counted in `other_currency`, so a mixed-currency book is visible, not misreported.
Touches stream in lead order, so memory grows with the number of rows, not of leads.
"""

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from rainmaker_pipeline.adapters.tables import costs, deals, leads, sources, touches
from rainmaker_pipeline.domain.attribution import (
    Attribution,
    GroupBy,
    SourceInfo,
    Touch,
    credited_touch,
    ensure_available,
    group_of,
)
from rainmaker_pipeline.domain.merges import chain_end
from rainmaker_pipeline.domain.model import DealOutcome
from rainmaker_pipeline.domain.roi import LeadOutcome, RoiTable
from rainmaker_pipeline.domain.stages import Stage, furthest

COLUMNS = (
    "group",
    "label",
    "cost_minor",
    "leads",
    "contacted",
    "opportunities",
    "won",
    "revenue_minor",
    "won_deals_other_currency",
    "cost_per_lead_minor",
    "cost_per_won_minor",
    "roi",
)


def source_report(
    session: Session, attribution: Attribution, group_by: GroupBy, currency: str
) -> dict[str, Any]:
    ensure_available(attribution)
    known = {(r.source_type, r.source_id): r for r in session.execute(select(sources))}

    def group(source_type: str, source_id: str) -> tuple[str, str] | None:
        row = known.get((source_type, source_id))
        info = SourceInfo(source_type, source_id, row.name, row.vendor) if row else None
        return group_of(group_by, info or SourceInfo(source_type, source_id))

    table = RoiTable()
    other = {"costs": 0, "deals": 0}
    spend = [(r.source_type, r.source_id, r.currency, r.cost_minor, 1) for r in known.values()]
    spend += [
        (r.source_type, r.source_id, r.currency, int(r.amount), r.entries)
        for r in session.execute(
            select(
                costs.c.source_type,
                costs.c.source_id,
                costs.c.currency,
                func.sum(costs.c.amount_minor).label("amount"),
                func.count().label("entries"),
            ).group_by(costs.c.source_type, costs.c.source_id, costs.c.currency)
        )
    ]
    # Only what a row of this report would have held counts as left out for its currency.
    for source_type, source_id, cost_currency, amount, entries in spend:
        if not amount or (row_key := group(source_type, source_id)) is None:
            continue
        if cost_currency != currency:
            other["costs"] += entries
        else:
            table.add_cost(*row_key, amount)
    merged_reach = _merged_reach(session)
    for lead_rows in _touches_by_lead(session, currency):
        touch = credited_touch(
            attribution,
            [
                Touch(r.touch_id, r.source_type, r.source_id, r.touched_at)
                for r in _before_close(lead_rows)
            ],
        )
        if (row_key := group(touch.source_type, touch.source_id)) is not None:
            first = lead_rows[0]
            # A won deal makes the lead won even when it came with a merged lead and the
            # survivor kept an earlier stage: revenue never shows without its won lead.
            won = first.stage == Stage.WON or bool(first.won_deals)
            reached = Stage(first.furthest_stage)
            if (brought := merged_reach.get(first.lead_id)) is not None:
                reached = furthest(reached, brought)
            if won:
                reached = furthest(reached, Stage.WON)
            elsewhere = int(first.other_deals or 0)
            table.add_lead(*row_key, LeadOutcome(reached, won, int(first.revenue or 0), elsewhere))
            other["deals"] += elsewhere
    return {
        "attribution": attribution.value,
        "group_by": group_by.value,
        "currency": currency,
        "rows": [{c: getattr(row, c) for c in COLUMNS} for row in table.sorted_rows()],
        "other_currency": other,
    }


_WON = deals.c.outcome == DealOutcome.WON.value


def _merged_reach(session: Session) -> dict[str, Stage]:
    """The furthest stage the leads merged into each live lead (directly or down a chain)
    reached: the person got that far, though the survivor keeps its own stage."""
    rows = session.execute(
        select(leads.c.lead_id, leads.c.merged_into, leads.c.furthest_stage).where(
            leads.c.merged_into.is_not(None)
        )
    ).all()
    into = {r.lead_id: r.merged_into for r in rows}
    reach: dict[str, Stage] = {}
    for r in rows:
        root = chain_end(r.lead_id, into.get)
        stage = Stage(r.furthest_stage)
        reach[root] = furthest(reach[root], stage) if root in reach else stage
    return reach


def _before_close(lead_rows: list[Any]) -> list[Any]:
    """The touches that can have won (or lost) a closed lead's deals: those up to its last
    deal's close. A source that touched it after the deal did not win it (the last-touch
    model credited such a touch with the revenue). All of them if none came before."""
    closed = lead_rows[0].last_closed_at
    before = [r for r in lead_rows if r.touched_at <= closed] if closed is not None else []
    return before or lead_rows


def _touches_by_lead(session: Session, currency: str) -> Iterator[list[Any]]:
    """Each live lead's touches with its stage, its won deals and their revenue in
    `currency` (and how many won deals are in another) and when its last deal closed,
    streamed lead by lead."""
    in_currency = deals.c.currency == currency
    revenue = (
        select(
            deals.c.lead_id,
            func.sum(case((in_currency, deals.c.value_minor), else_=0)).label("revenue"),
            func.count().label("won_deals"),
            func.count(case((~in_currency, 1))).label("other_deals"),
        )
        .where(_WON)
        .group_by(deals.c.lead_id)
        .subquery()
    )
    closes = (
        select(deals.c.lead_id, func.max(deals.c.closed_at).label("last_closed_at"))
        .group_by(deals.c.lead_id)
        .subquery()
    )
    stream = session.execute(
        select(
            touches.c.lead_id,
            touches.c.touch_id,
            touches.c.source_type,
            touches.c.source_id,
            touches.c.touched_at,
            leads.c.stage,
            leads.c.furthest_stage,
            revenue.c.revenue,
            revenue.c.won_deals,
            revenue.c.other_deals,
            closes.c.last_closed_at,
        )
        .join(leads, leads.c.lead_id == touches.c.lead_id)
        .outerjoin(revenue, revenue.c.lead_id == touches.c.lead_id)
        .outerjoin(closes, closes.c.lead_id == touches.c.lead_id)
        .where(leads.c.merged_into.is_(None))
        .order_by(touches.c.lead_id, touches.c.touched_at, touches.c.touch_id)
        .execution_options(yield_per=2000)
    )
    for _lead_id, rows in groupby(stream, key=lambda r: r.lead_id):
        yield list(rows)
