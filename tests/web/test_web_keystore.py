"""KeyStore against a real SQLite auth database."""

import hashlib

import pytest
from sqlalchemy import create_engine, select

from rainmaker_web import KeyStore, Principal, Role
from rainmaker_web.authdb import api_keys
from rainmaker_web.keystore import parse_key_id


def test_key_is_returned_once_and_stored_hashed(key_store, auth_url):
    key = key_store.create("marketing", label="campaigns")
    assert key.startswith("rk_")
    key_id = parse_key_id(key)
    with create_engine(auth_url).connect() as conn:
        row = conn.execute(select(api_keys)).one()
    assert row.key_id == key_id
    assert row.hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.split("_", 2)[2] not in str(tuple(row))


def test_verify_returns_principal(key_store):
    key = key_store.create(Role.ACCOUNT_MANAGER, am_id="am-1")
    assert key_store.verify(key) == Principal(key.split("_")[1], Role.ACCOUNT_MANAGER, "am-1")
    assert key_store.verify(key + "x") is None
    assert key_store.verify("") is None


@pytest.mark.parametrize("role, am_id", [
    ("account_manager", None), ("manager", "am-1"), ("sales", None),
])
def test_create_validates_role_and_am(key_store, role, am_id):
    with pytest.raises(ValueError):
        key_store.create(role, am_id=am_id)


def test_list_and_revoke(key_store):
    k1 = parse_key_id(key_store.create("admin", label="ops"))
    k2 = parse_key_id(key_store.create("manager"))
    assert key_store.revoke(k1) is True
    assert key_store.revoke(k1) is False
    assert key_store.revoke("unknown") is False
    listed = {k.key_id: k for k in key_store.list()}
    assert set(listed) == {k1, k2}
    assert listed[k1].revoked_at is not None and listed[k1].label == "ops"
    assert listed[k2].revoked_at is None
    assert listed[k2].created_at.tzinfo is not None


def test_cache_spares_the_database_and_revocation_reaches_other_processes_within_ttl(
    key_store, auth_url, clock
):
    key = key_store.create("marketing")
    other = KeyStore(auth_url, ttl_seconds=30.0, clock=clock)  # another worker process
    assert other.verify(key) is not None
    key_store.revoke(parse_key_id(key))
    clock.now += 29
    assert other.verify(key) is not None  # served from its cache, no DB hit
    clock.now += 2
    assert other.verify(key) is None  # TTL passed: revocation seen
    other.close()


def test_check_fails_before_migration(tmp_path):
    store = KeyStore(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(Exception):  # noqa: B017 - any DB error means "not ready"
        store.check()
    store.migrate()
    store.check()
    store.close()
