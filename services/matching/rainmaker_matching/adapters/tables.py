"""Matching's tables (it owns them; no other service reads them).

The prospect index is a read-model built from other services' events; `claims` is matching's
own truth. `claims.lead_id` is UNIQUE: two account managers can never hold the same prospect,
whatever the processes do, on SQLite and PostgreSQL alike.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

account_managers = Table(
    "account_managers",
    metadata,
    Column("am_id", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("territory_tags", JSON, nullable=False, default=list),
    Column("specialty_tags", JSON, nullable=False, default=list),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per lead we have heard of. A row whose `ingested_at` is NULL is a placeholder made
# by an event that overtook leads.ingested; `erased` and `merged` rows are tombstones that
# keep late events from bringing a lead back.
prospects = Table(
    "prospects",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("status", String(20), nullable=False),  # available|claimed|closed|merged|erased
    Column("company", String(300)),
    Column("industry", String(200)),
    Column("region", String(200)),
    Column("country", String(100)),
    Column("employees", Integer),
    Column("source_type", String(30)),
    Column("source_id", String(200)),
    Column("stage", String(20)),  # NULL until pipeline announces one (a new lead: suspect)
    Column("stage_changed_at", DateTime(timezone=True)),
    Column("claimed_by", String(100)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("merged_into", String(36)),
    Column("ingested_at", DateTime(timezone=True)),
    # When tagging computed the tag set held (leads.tagged's occurred_at): an older set that
    # arrives late (a retry) does not replace a newer one.
    Column("tags_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_prospects_status_ingested", prospects.c.status, prospects.c.ingested_at)

prospect_tags = Table(
    "prospect_tags",
    metadata,
    Column(
        "lead_id",
        String(36),
        ForeignKey("prospects.lead_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag", String(200), primary_key=True),
    Column("confidence", Float, nullable=False),
    Column("origin", String(20), nullable=False),
)
Index("ix_prospect_tags_tag", prospect_tags.c.tag)

# Every closed deal (won and lost; the AM profile reads the won ones), with the prospect's
# tags as they were at close time. `lead_id` is cleared when the lead is erased.
closed_deals = Table(
    "closed_deals",
    metadata,
    Column("deal_id", String(36), primary_key=True),
    Column("lead_id", String(36), index=True),
    Column("am_id", String(100), index=True),
    Column("outcome", String(10), nullable=False),
    Column("value_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tags", JSON, nullable=False, default=list),  # [{tag, confidence, origin}]
    Column("closed_at", DateTime(timezone=True), nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("claim_id", String(36), primary_key=True),
    Column("lead_id", String(36), nullable=False),
    Column("am_id", String(100), nullable=False, index=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("lead_id", name="uq_claims_lead_id"),
)

# Merges intake has undone (leads.merged with `undone: true`), by merge_id. An undo can
# overtake its merge (the merge's first attempt failed and waits for a retry); the late merge
# finds its id here and is ignored instead of burying the lead for good.
undone_merges = Table(
    "undone_merges",
    metadata,
    Column("merge_id", String(64), primary_key=True),
    Column("undone_at", DateTime(timezone=True), nullable=False),
)
