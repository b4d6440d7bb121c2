"""Intake's tables (it owns them; no other service reads them)."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from rainmaker_intake.domain.contact import MAX_LENGTHS

metadata = MetaData()
# PostgreSQL's source of contacts.contact_no (created by migration 0004).
CONTACT_NO_SEQUENCE = "contact_no_seq"

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
    Column("default_region", String(2)),
    Column("mapping", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("import_id", String(36), primary_key=True),
    Column("list_id", String(36), ForeignKey("lists.list_id"), nullable=False, index=True),
    Column("file_path", Text, nullable=False),
    Column("file_name", String(300)),
    Column("file_sha256", String(64), nullable=False, index=True),
    # The XLSX worksheet read, by name (NULL: CSV, or an import from before migration 0010,
    # which read the first worksheet). With the file's hash it says which import a re-upload
    # repeats.
    Column("sheet", Text),
    Column("status", String(20), nullable=False),
    Column("encoding", String(30)),
    Column("delimiter", String(5)),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_done", Integer, nullable=False, default=0),
    # Last file row whose effects are committed: a restarted worker resumes after it.
    Column("checkpoint_row", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("duplicates_in_file", Integer, nullable=False, default=0),
    Column("duplicates_existing", Integer, nullable=False, default=0),
    Column("suppressed", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("invalid_emails", Integer, nullable=False, default=0),
    Column("invalid_phones", Integer, nullable=False, default=0),
    Column("existing_customers", Integer, nullable=False, default=0),
    # {"<source_type>:<source_id>": count} of rows we already owned, by first source.
    Column("owned_by_source", JSON, nullable=False, default=dict),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)

contacts = Table(
    "contacts",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    # Not indexed: nothing looks a contact up by them (matching probes the blocking keys,
    # where `e:`/`p:` keys stand for them), and each index cost a random page per new contact.
    Column("email", String(MAX_LENGTHS["email"])),
    Column("phone", String(MAX_LENGTHS["phone"])),
    Column("first_name", String(MAX_LENGTHS["first_name"])),
    Column("last_name", String(MAX_LENGTHS["last_name"])),
    Column("company", String(MAX_LENGTHS["company"])),
    Column("company_key", String(MAX_LENGTHS["company_key"])),
    Column("job_title", String(MAX_LENGTHS["job_title"])),
    Column("industry", String(MAX_LENGTHS["industry"])),
    Column("website_domain", String(MAX_LENGTHS["website_domain"])),
    Column("street", String(MAX_LENGTHS["street"])),
    Column("city", String(MAX_LENGTHS["city"])),
    Column("region", String(MAX_LENGTHS["region"])),
    Column("postcode", String(MAX_LENGTHS["postcode"])),
    Column("country", String(MAX_LENGTHS["country"])),
    Column("employees", Integer),
    Column("notes", Text),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("is_customer", Boolean, nullable=False, default=False),
    Column("merged_into", String(36), index=True),
    # The contact folded for matching (similarity.pack): candidates are compared on it
    # without loading and re-folding whole contacts.
    Column("match_profile", Text),
    # A small integer id for the blocking-key index (contact_keys), which holds ~8 rows a
    # contact in random order: integers keep it a third of the size it had with lead ids.
    # Allocated by contact_store.allocate_contact_nos (a sequence on PostgreSQL).
    Column("contact_no", BigInteger, nullable=False, index=True, unique=True),
    # Every blocking-key hash this contact holds in contact_keys (contact_store.pack_hashes):
    # its keys are deleted by primary key from this list, so contact_keys needs no index by
    # contact_no, which cost ~40% of inserting keys (migration 0006).
    Column("key_hashes", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

touches = Table(
    "touches",
    metadata,
    Column("touch_id", String(36), primary_key=True),
    Column("lead_id", String(36), ForeignKey("contacts.lead_id"), nullable=False, index=True),
    Column("source_type", String(30), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("source_name", String(300)),
    Column("import_id", String(36)),
    Column("row_number", Integer),
    Column("original", JSON),  # the row's values as the file had them
    Column("notes", Text),
    Column("touched_at", DateTime(timezone=True), nullable=False),
    # A referral's phone numbers were read in this region (a list's touches: on the list).
    Column("default_region", String(2)),
    # A source's leads, distinct and in order: browsing a list reads this index alone (0008).
    Index("ix_touches_source_lead", "source_type", "source_id", "lead_id"),
)

# Every duplicate decision: which row matched which lead, by what rule and score. The row's
# own id (`merged_id`) and what it filled in on the survivor (`filled`) make it reversible.
decisions = Table(
    "dedup_decisions",
    metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", String(36), index=True),
    Column("row_number", Integer),
    Column("lead_id", String(36), nullable=False, index=True),  # the survivor
    Column("merged_id", String(36), nullable=False, unique=True),
    Column("touch_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),  # in_file | existing
    Column("rule", String(40), nullable=False),
    Column("score", Float, nullable=False),
    Column("filled", JSON),  # fields that were blank on the survivor and this row filled
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("undone_at", DateTime(timezone=True)),
)

import_errors = Table(
    "import_errors",
    metadata,
    Column("error_id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", String(36), ForeignKey("imports.import_id"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("column_name", String(200), nullable=False),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    Index("ix_import_errors_import_row", "import_id", "row_number"),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("kind", String(10), primary_key=True),  # email | domain
    Column("value", String(320), primary_key=True),
    Column("reason", String(300)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Erased people leave only a hash of their email/phone, so a later list cannot bring them back.
erasures = Table(
    "erasures",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("deal_id", String(36), nullable=False),
    Column("won_at", DateTime(timezone=True), nullable=False),
)

# Blocking keys (rainmaker_intake.domain.blocking) of every live contact, as 31-bit hashes:
# the dedup of a new row fetches its candidates with one indexed lookup, never a scan.
# One B-tree keyed (key_hash, contact_no) (WITHOUT ROWID on SQLite) and no other index: a
# probe by key_hash reads it directly, and an insert touches one random page. A contact's own
# keys are listed on it (contacts.key_hashes) for deleting them.
contact_keys = Table(
    "contact_keys",
    metadata,
    Column("key_hash", BigInteger, primary_key=True, autoincrement=False),
    Column("contact_no", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)
