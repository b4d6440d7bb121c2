"""Pipeline's tables (it owns them; no other service reads them).

Every timestamp goes through `UtcDateTime`: stored in UTC, read back timezone-aware (SQLite
would otherwise hand back naive datetimes). Money is integer minor units plus ISO currency.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pipeline stores UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value
        return result.replace(tzinfo=UTC) if result.tzinfo is None else result.astimezone(UTC)


metadata = MetaData()

account_managers = Table(
    "account_managers",
    metadata,
    Column("am_id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("email", String(320), unique=True),
    Column("capacity", Integer, nullable=False),
    Column("territory_tags", JSON, nullable=False, default=list),
    Column("specialty_tags", JSON, nullable=False, default=list),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The read-model of leads: what pipeline needs from intake, tagging and matching events.
leads = Table(
    "leads",
    metadata,
    Column("lead_id", String(64), primary_key=True),
    Column("stage", String(20), nullable=False),
    # The furthest funnel stage ever reached (side exits do not move it): "contacted" etc.
    Column("furthest_stage", String(20), nullable=False),
    Column("am_id", String(64), index=True),
    # When `am_id` last changed hands (an assignment or a claim): a claim made before an
    # admin's later assignment arrives late and must not take the lead back.
    Column("owner_at", UtcDateTime),
    Column("company", String(300)),
    Column("industry", String(200)),
    Column("region", String(200)),
    Column("tags", JSON, nullable=False, default=list),
    # When tagging computed `tags` (leads.tagged's occurred_at): an older set that arrives
    # late (a retry) does not replace a newer one.
    Column("tags_at", UtcDateTime),
    Column("merged_into", String(64)),
    Column("erased_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

touches = Table(
    "touches",
    metadata,
    Column("touch_id", String(64), primary_key=True),
    Column("lead_id", String(64), nullable=False, index=True),
    # The lead the touch was first recorded for: a merge moves `lead_id`, an unmerge moves back.
    Column("original_lead_id", String(64), nullable=False, index=True),
    Column("source_type", String(30), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("touched_at", UtcDateTime, nullable=False),
)

# What is known about each source: lists from list.imported, names of referrers and events
# from the touches that mention them. The list price is the list's cost.
sources = Table(
    "sources",
    metadata,
    Column("source_type", String(30), primary_key=True),
    Column("source_id", String(200), primary_key=True),
    Column("name", String(300)),
    Column("vendor", String(300)),
    Column("cost_minor", BigInteger, nullable=False, default=0),
    Column("currency", String(3)),
    Column("purchased_on", Date),
    Column("updated_at", UtcDateTime, nullable=False),
)

stage_history = Table(
    "stage_history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("lead_id", String(64), nullable=False),
    Column("from_stage", String(20)),
    Column("to_stage", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text),
)
Index("ix_stage_history_lead", stage_history.c.lead_id, stage_history.c.at)

activities = Table(
    "activities",
    metadata,
    Column("activity_id", String(64), primary_key=True),
    Column("lead_id", String(64), nullable=False, index=True),
    Column("original_lead_id", String(64), nullable=False, index=True),
    Column("am_id", String(64)),
    Column("kind", String(20), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

deals = Table(
    "deals",
    metadata,
    Column("deal_id", String(64), primary_key=True),
    Column("lead_id", String(64), nullable=False, index=True),
    Column("original_lead_id", String(64), nullable=False, index=True),
    Column("am_id", String(64)),
    Column("outcome", String(10), nullable=False),
    Column("value_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("product", String(300)),
    Column("closed_at", UtcDateTime, nullable=False),
)

# Spend on a source beyond a list's price: an event's stand, a referral programme's bonuses.
costs = Table(
    "costs",
    metadata,
    Column("cost_id", String(64), primary_key=True),
    Column("source_type", String(30), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("period", String(10)),
    Column("note", Text),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_costs_source", costs.c.source_type, costs.c.source_id)

# Merges intake has undone (`leads.merged` with `undone: true`). The bus retries with back-off,
# so an undo can be handled before its merge: the merge, when it comes, must not happen.
undone_merges = Table(
    "undone_merges",
    metadata,
    Column("merge_id", String(64), primary_key=True),
    Column("undone_at", UtcDateTime, nullable=False),
)
