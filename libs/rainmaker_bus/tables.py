"""Outbox, inbox and crash-guard tables, created by each service's Alembic migrations."""

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

BUS_METADATA = MetaData()

outbox = Table(
    "bus_outbox",
    BUS_METADATA,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("message_id", String(64), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)
# The relay only ever scans unpublished rows: a partial index keeps that scan small.
Index(
    "ix_bus_outbox_unpublished",
    outbox.c.id,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)

inbox = Table(
    "bus_inbox",
    BUS_METADATA,
    Column("queue", String(200), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

# Redelivered messages whose handler was started and never finished (the process died):
# the consumer's crash guard dead-letters a message after `BusSettings.crash_limit` of them.
attempts = Table(
    "bus_attempts",
    BUS_METADATA,
    Column("queue", String(200), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def create_bus_tables(bind: Connection) -> None:
    """For a service's migration: `create_bus_tables(op.get_bind())`."""
    BUS_METADATA.create_all(bind)


def drop_bus_tables(bind: Connection) -> None:
    BUS_METADATA.drop_all(bind)
