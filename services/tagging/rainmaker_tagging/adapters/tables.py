"""Tagging's tables (it owns them; no other service reads them)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# The taxonomy: one row per tag; `parent` nests tags of the same namespace.
taxonomy = Table(
    "taxonomy",
    metadata,
    Column("tag", String(200), primary_key=True),
    Column("namespace", String(20), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("parent", String(200), ForeignKey("taxonomy.tag"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

rules = Table(
    "rules",
    metadata,
    Column("rule_id", Integer, primary_key=True, autoincrement=True),
    Column("tag", String(200), ForeignKey("taxonomy.tag"), nullable=False, index=True),
    Column("field", String(20), nullable=False),
    Column("pattern", String(300), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Read-model of intake's leads: only the text tagging reads. `merged_into` points at the
# survivor of a merge (undone merges clear it); a placeholder row has no text yet.
leads = Table(
    "leads",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("job_title", String(300)),
    Column("company", String(300)),
    Column("industry", String(300)),
    Column("notes", Text),
    Column("merged_into", String(36), nullable=True, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The tags each source asserts about a lead (one row per source that brought it in).
lead_sources = Table(
    "lead_sources",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("source_type", String(30), primary_key=True),
    Column("source_id", String(200), primary_key=True),
    Column("source_name", String(300)),
    Column("tags", JSON, nullable=False, default=list),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Notes of logged activities (from pipeline's activity.logged), kept so re-tagging can reread.
activity_notes = Table(
    "activity_notes",
    metadata,
    Column("activity_id", String(64), primary_key=True),
    Column("lead_id", String(36), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("notes", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)

# Evidence per (lead, tag, origin). Automatic origins are recomputed on every re-tag and sit
# on the surviving lead; manual rows (confidence 0 = rejected) stay on the lead they were set on.
lead_tags = Table(
    "lead_tags",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("tag", String(200), primary_key=True),
    Column("origin", String(10), primary_key=True),
    Column("confidence", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("model_version", String(50), nullable=True),
    Column("tagged_at", DateTime(timezone=True), nullable=False),
)

# Manual judgements with the text they were made on: the training data of the later model.
training_examples = Table(
    "training_examples",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("tag", String(200), primary_key=True),
    Column("positive", Boolean, nullable=False),
    Column("text", JSON, nullable=False),
    Column("key_id", String(40), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# Erased leads: later events about them (a late activity, a redelivery) create nothing.
erased_leads = Table(
    "erased_leads",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

# Merges intake has undone (by merge_id). An undo handled before its merge (which is being
# retried) finds nothing to unlink; remembering it lets the late merge be skipped, not applied.
undone_merges = Table(
    "undone_merges",
    metadata,
    Column("merge_id", String(64), primary_key=True),
    Column("undone_at", DateTime(timezone=True), nullable=False),
)


def row_dict(row: Any) -> dict[str, Any]:
    """A result row as a dict, its datetimes marked UTC (SQLite hands them back naive)."""
    data = dict(row._mapping)
    for key, value in data.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            data[key] = value.replace(tzinfo=UTC)
    return data
