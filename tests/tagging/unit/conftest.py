"""Fixtures for tagging's unit tests.

Fake-versus-real policy: nothing is faked. Each test gets a real SQLite database in
tmp_path, migrated by tagging's own Alembic migrations (so the seeded taxonomy is there),
and handlers run exactly as the consumer runs them: inside `db.transaction()`, with data
loaded through the wire contract. Events a handler publishes are read back from the real
outbox table. HTTP tests use Flask's test client and a real KeyStore on a SQLite file. No
RabbitMQ: the bus is exercised end to end by the lead's process tests.

Set TAGGING_TEST_ON_POSTGRES=1 to run the same tests on a fresh PostgreSQL database per test
(the suite's `pg_url` fixture) instead of SQLite.
"""

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rainmaker_bus import BusSettings
from rainmaker_db import Database, upgrade
from rainmaker_tagging.bootstrap import MIGRATIONS
from rainmaker_tagging.config import Settings
from rainmaker_tagging.entrypoints.http import create_app
from rainmaker_web import KeyStore


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if os.environ.get("TAGGING_TEST_ON_POSTGRES") == "1":
        url: str = request.getfixturevalue("pg_url")  # tests/conftest.py: a fresh database
    else:
        url = f"sqlite:///{tmp_path / 'tagging.db'}"
    upgrade(MIGRATIONS, url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def app(db_url: str, key_store: KeyStore) -> Flask:
    return create_app(Settings(database_url=db_url, bus=BusSettings()), key_store=key_store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
