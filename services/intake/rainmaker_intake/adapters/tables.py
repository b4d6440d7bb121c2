"""Intake's tables (it owns them; no other service reads them)."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

lists = Table(
    "lists",
    metadata,
    Column("list_id", String(36), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("vendor", String(300)),
    Column("cost_minor", BigInteger, nullable=False, default=0),
    Column("currency", String(3), nullable=False),
    Column("purchased_on", Date),
    Column("licence_expires_on", Date),
    Column("tags", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("import_id", String(36), primary_key=True),
    Column("list_id", String(36), ForeignKey("lists.list_id"), nullable=False),
    Column("file_path", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_done", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("duplicates_in_file", Integer, nullable=False, default=0),
    Column("duplicates_existing", Integer, nullable=False, default=0),
    Column("suppressed", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

contacts = Table(
    "contacts",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("email", String(320), unique=True),
    Column("first_name", String(200)),
    Column("last_name", String(200)),
    Column("company", String(300)),
    Column("job_title", String(300)),
    Column("phone", String(40)),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

touches = Table(
    "touches",
    metadata,
    Column("touch_id", String(36), primary_key=True),
    Column("lead_id", String(36), ForeignKey("contacts.lead_id"), nullable=False, index=True),
    Column("source_type", String(30), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("import_id", String(36)),
    Column("row_number", Integer),
    Column("touched_at", DateTime(timezone=True), nullable=False),
)

import_errors = Table(
    "import_errors",
    metadata,
    Column("import_id", String(36), ForeignKey("imports.import_id"), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("column_name", String(200), primary_key=True),
    Column("value", Text),
    Column("reason", Text, nullable=False),
)
