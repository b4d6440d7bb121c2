"""The migrations build exactly the tables intake declares (no forgotten revision), on SQLite
and PostgreSQL."""

import importlib
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from rainmaker_db import Database, upgrade
from rainmaker_db.migrate import alembic_config
from rainmaker_intake.adapters.contact_store import (
    allocate_contact_nos,
    pack_hashes,
    unpack_hashes,
)
from rainmaker_intake.adapters.tables import metadata
from rainmaker_intake.bootstrap import MIGRATIONS
from rainmaker_intake.domain.blocking import profile_keys
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.domain.similarity import pack, profile
from tests.support.databases import head_differences


def test_head_matches_the_declared_tables(intake_db: Database) -> None:
    assert head_differences(intake_db, metadata) == []


def test_0004_moves_stored_keys_to_contact_numbers_and_back(database_url: str) -> None:
    """A database with contacts and keys from before 0004 keeps every key, now by number."""
    upgrade(MIGRATIONS, database_url, "0003")
    db = Database(database_url)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    try:
        with db.engine.begin() as conn:
            for lead in ("lead-a", "lead-b", "lead-c"):
                conn.execute(
                    text(
                        "INSERT INTO contacts (lead_id, attributes, is_customer, created_at, "
                        "updated_at) VALUES (:lead, '{}', false, :now, :now)"
                    ),
                    {"lead": lead, "now": now},
                )
            keys = [(11, "lead-a"), (12, "lead-a"), (11, "lead-b"), (13, "lead-c")]
            for key, lead in keys:
                conn.execute(
                    text("INSERT INTO contact_keys (key_hash, lead_id) VALUES (:k, :lead)"),
                    {"k": key, "lead": lead},
                )
        upgrade(MIGRATIONS, database_url, "0004")
        with db.engine.connect() as conn:
            numbers: dict[str, int] = dict(
                conn.execute(text("SELECT lead_id, contact_no FROM contacts")).all()
            )
            moved = conn.execute(text("SELECT key_hash, contact_no FROM contact_keys")).all()
        assert len(set(numbers.values())) == 3
        assert sorted(moved) == sorted((k, numbers[lead]) for k, lead in keys)
        # New contacts are numbered after the migrated ones.
        with db.transaction() as session:
            fresh = allocate_contact_nos(session, 2)
        assert min(fresh) > max(numbers.values()) and len(set(fresh)) == 2
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0003")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT key_hash, lead_id FROM contact_keys")).all()
        assert sorted(back) == sorted(keys)
    finally:
        db.dispose()


REVISION_0005 = "rainmaker_intake.migrations.versions.0005_selective_phone_and_address_keys"
_COLUMNS = ("email", "phone", "first_name", "last_name", "company", "company_key", "street",
            "city", "postcode")  # fmt: skip


def _stored_keys(db: Database) -> set[tuple[int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT key_hash, contact_no FROM contact_keys"))
        return {(k, no) for k, no in rows}


def test_0005_remakes_every_contacts_keys_in_the_new_scheme_and_back(database_url: str) -> None:
    """Contacts keyed before 0005 get the selective phone and address keys (from a stored
    profile, or folded from their fields), and get their old keys back on a downgrade, even
    one with no key in the new scheme (a phone and a company, no name)."""
    old_scheme = importlib.import_module(REVISION_0005)._keys_before_0005
    new_scheme = importlib.import_module(REVISION_0005).keys_0005  # frozen there
    hash_63 = importlib.import_module(REVISION_0005).key_hash  # the stored hash until 0007
    upgrade(MIGRATIONS, database_url, "0004")
    db = Database(database_url)
    people = {
        1: NormalisedContact(0, email="bob@acme.com", phone="+4930123456", first_name="Bob",
                             last_name="Smith", company="Acme", company_key="acme",
                             street="hauptstr 5", postcode="10115"),
        2: NormalisedContact(0, phone="+4930123456", first_name="Karl", last_name="Huber"),
        3: NormalisedContact(0, email="ann@globex.com", first_name="Ann", last_name="Lee",
                             street="main st 9", city="Leeds"),
        4: NormalisedContact(0, phone="+4930999999", company="Acme", company_key="acme"),
    }  # fmt: skip
    now = datetime(2026, 11, 22, tzinfo=UTC)
    try:
        with db.engine.begin() as conn:
            for no, c in people.items():
                values = {f: getattr(c, f) for f in _COLUMNS}
                packed = None if no == 3 else pack(profile(c))
                conn.execute(
                    text(
                        f"INSERT INTO contacts (lead_id, contact_no, match_profile, "
                        f"{', '.join(_COLUMNS)}, attributes, is_customer, created_at, updated_at)"
                        f" VALUES (:lead, :no, :packed, {', '.join(':' + f for f in _COLUMNS)},"
                        " '{}', false, :now, :now)"
                    ),
                    # Contact 3 was stored before profiles were (0002): folded from its fields.
                    {**values, "lead": f"lead-{no}", "no": no, "now": now, "packed": packed},
                )
                for key in old_scheme(profile(c)):
                    conn.execute(
                        text("INSERT INTO contact_keys VALUES (:k, :no)"),
                        {"k": hash_63(key), "no": no},
                    )
        before = _stored_keys(db)
        upgrade(MIGRATIONS, database_url, "0005")
        after = _stored_keys(db)
        assert after == {
            (hash_63(k), no) for no, c in people.items() for k in new_scheme(profile(c))
        }
        # As written then, whatever the code makes now: an `o:` key per org spelling.
        bob = new_scheme(profile(people[1]))
        assert {"o:acme:b", "o:acme.com:b", "p:+4930123456:smt", "a:10115:5:smt"} <= bob
        assert not any(no == 4 for _, no in after) and any(no == 4 for _, no in before)
        assert after != before  # the phone and address keys changed
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0004")
        assert _stored_keys(db) == before
    finally:
        db.dispose()


def test_0006_lists_each_contacts_keys_on_it_and_drops_the_key_index(database_url: str) -> None:
    """Every contact gets the list of the keys contact_keys holds for it, whatever scheme made
    them (one no longer derivable from its profile included); a contact with no key gets an
    empty list. The index by contact_no goes, and comes back on a downgrade."""
    upgrade(MIGRATIONS, database_url, "0005")
    db = Database(database_url)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    held = {1: [-5, 7, 2**62], 2: [7], 4: []}  # 7: a key two contacts share
    try:
        with db.engine.begin() as conn:
            for no, keys in held.items():
                conn.execute(
                    text(
                        "INSERT INTO contacts (lead_id, contact_no, attributes, is_customer, "
                        "created_at, updated_at) VALUES (:lead, :no, '{}', false, :now, :now)"
                    ),
                    {"lead": f"lead-{no}", "no": no, "now": now},
                )
                for key in keys:
                    conn.execute(
                        text("INSERT INTO contact_keys VALUES (:k, :no)"), {"k": key, "no": no}
                    )
            # A key of no contact, numbered between two that exist: left alone, listed nowhere.
            conn.execute(text("INSERT INTO contact_keys VALUES (11, 3)"))
        before = _stored_keys(db)
        upgrade(MIGRATIONS, database_url, "0006")
        with db.engine.connect() as conn:
            listed = dict(conn.execute(text("SELECT contact_no, key_hashes FROM contacts")).all())
        assert {no: sorted(unpack_hashes(b)) for no, b in listed.items()} == held
        assert listed[4] == b""
        assert _stored_keys(db) == before
        assert "ix_contact_keys_contact_no" not in _index_names(db, "contact_keys")
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0005")
        assert "ix_contact_keys_contact_no" in _index_names(db, "contact_keys")
        assert "key_hashes" not in {c["name"] for c in inspect(db.engine).get_columns("contacts")}
        assert _stored_keys(db) == before
    finally:
        db.dispose()


def _index_names(db: Database, table: str) -> set[str]:
    return {ix["name"] for ix in inspect(db.engine).get_indexes(table) if ix["name"]}


def test_0007_remakes_keys_from_org_stems_with_short_hashes_and_back(database_url: str) -> None:
    """Keys of the 0005-0006 scheme (63-bit hashes, one `o:` key per org spelling) are made
    again from each contact's profile (or its fields) as the code now makes them, in
    contact_keys and in each contact's list; a downgrade makes the old ones again."""
    old = importlib.import_module(REVISION_0005)

    def old_keys(c: NormalisedContact) -> set[int]:
        return {old.key_hash(k) for k in old.keys_0005(profile(c))}

    upgrade(MIGRATIONS, database_url, "0006")
    db = Database(database_url)
    people = {
        1: NormalisedContact(0, email="bob@acme-widgets.com", phone="+4930123456",
                             first_name="Bob", last_name="Smith", company="Acme Widgets",
                             company_key="acme widgets", website_domain="acme-widgets.com"),
        2: NormalisedContact(0, email="ann@globex.com", first_name="Ann", last_name="Lee",
                             street="main st 9", city="Leeds"),
    }  # fmt: skip
    stale = old.key_hash("o:initech:smt")  # contact 1 was at Initech before an unmerge
    now = datetime(2026, 11, 22, tzinfo=UTC)
    try:
        with db.engine.begin() as conn:
            for no, c in people.items():
                held = old_keys(c) | ({stale} if no == 1 else set())
                values = {f: getattr(c, f) for f in _COLUMNS}
                conn.execute(
                    text(
                        f"INSERT INTO contacts (lead_id, contact_no, match_profile, key_hashes, "
                        f"{', '.join(_COLUMNS)}, website_domain, attributes, is_customer, "
                        f"created_at, updated_at) VALUES (:lead, :no, :packed, :held, "
                        f"{', '.join(':' + f for f in _COLUMNS)}, :web, '{{}}', false, :now, :now)"
                    ),
                    # Contact 2 was stored before profiles were (0002): folded from its fields.
                    {**values, "lead": f"lead-{no}", "no": no, "now": now,
                     "web": c.website_domain, "held": pack_hashes(sorted(held)),
                     "packed": pack(profile(c)) if no == 1 else None},
                )  # fmt: skip
                for h in held:
                    conn.execute(
                        text("INSERT INTO contact_keys VALUES (:k, :no)"), {"k": h, "no": no}
                    )
        before = _stored_keys(db)
        upgrade(MIGRATIONS, database_url, "0007")
        made = {(h, no) for no, c in people.items() for h in Keyed.of(c).hashes}
        assert _stored_keys(db) == made == _listed_keys(db)
        assert all(0 <= h < 2**31 for h, _ in made)
        # Company, website and mailbox domain are one stem: one `o:` key per name key (Bob,
        # Robert, Smith), where the company and the domain gave one each.
        assert len([k for k in profile_keys(profile(people[1])) if k.startswith("o:")]) == 3
        assert len([k for k in old.keys_0005(profile(people[1])) if k[0] == "o"]) == 6
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0006")
        again = {(h, no) for no, c in people.items() for h in old_keys(c)}
        assert _stored_keys(db) == again == _listed_keys(db)
        assert again == before - {(stale, 1)}  # the stale key is not made again
    finally:
        db.dispose()


def _listed_keys(db: Database) -> set[tuple[int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT contact_no, key_hashes FROM contacts")).all()
    return {(h, no) for no, listed in rows for h in unpack_hashes(listed)}


def test_0008_indexes_touches_by_source_instead_of_import_and_back(database_url: str) -> None:
    upgrade(MIGRATIONS, database_url, "0007")
    db = Database(database_url)
    try:
        assert "ix_touches_import_id" in _index_names(db, "touches")
        upgrade(MIGRATIONS, database_url, "0008")
        assert {"ix_touches_source_lead", "ix_touches_lead_id"} <= _index_names(db, "touches")
        assert "ix_touches_import_id" not in _index_names(db, "touches")
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0007")
        assert "ix_touches_import_id" in _index_names(db, "touches")
        assert "ix_touches_source_lead" not in _index_names(db, "touches")
    finally:
        db.dispose()


def test_0009_puts_list_costs_in_their_currencys_minor_unit_and_back(database_url: str) -> None:
    """Costs stored in hundredths of any currency become yen for JPY, fils for KWD."""
    upgrade(MIGRATIONS, database_url, "0008")
    db = Database(database_url)
    stored = {"jpy": (12_000_000, "JPY"), "kwd": (123, "KWD"), "eur": (120_000, "EUR")}
    try:
        with db.engine.begin() as conn:
            for list_id, (cost, currency) in stored.items():
                conn.execute(
                    text("INSERT INTO lists (list_id, name, cost_minor, currency, tags, "
                         "created_at) VALUES (:i, :i, :c, :cur, '[]', :now)"),
                    {"i": list_id, "c": cost, "cur": currency,
                     "now": datetime(2026, 11, 22, tzinfo=UTC)},
                )  # fmt: skip

        def costs() -> dict[str, int]:
            with db.engine.connect() as conn:
                return dict(conn.execute(text("SELECT list_id, cost_minor FROM lists")).all())

        upgrade(MIGRATIONS, database_url, "0009")
        assert costs() == {"jpy": 120_000, "kwd": 1_230, "eur": 120_000}
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0008")
        assert costs() == {k: cost for k, (cost, _) in stored.items()}
    finally:
        db.dispose()
