"""Fixtures for matching: a migrated SQLite database, event delivery, the HTTP app.

Fake-versus-real policy: nothing is faked. The database is a real SQLite file in tmp_path
migrated by matching's own Alembic migrations; events go through the real contracts
(`make_envelope` validates them) and the real handler table, inside `db.transaction()` as
the consumer runs them; HTTP goes through Flask's test client with a real KeyStore. The
broker is not involved: handlers never touch it, and published events are read from the
outbox table (the relay's job is tested in the bus library and end to end).
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from rainmaker_bus import BusSettings
from rainmaker_bus.tables import outbox
from rainmaker_contracts import make_envelope, validate_data
from rainmaker_db import Database, upgrade
from rainmaker_matching.bootstrap import MIGRATIONS
from rainmaker_matching.config import Settings
from rainmaker_matching.entrypoints.http import create_app
from rainmaker_matching.service_layer.handlers import EVENT_HANDLERS
from rainmaker_web import KeyStore


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'matching.db'}"
    upgrade(MIGRATIONS, url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


Deliver = Callable[[str, dict[str, Any]], None]


@pytest.fixture
def deliver(db: Database) -> Deliver:
    """deliver(type, data): run matching's handler for one validated event, as the consumer."""

    def run(event_type: str, data: dict[str, Any]) -> None:
        env = make_envelope(event_type, data, producer="test")
        handler = EVENT_HANDLERS["matching.events"][event_type]
        with db.transaction() as session:
            handler(session, env, validate_data(event_type, env.version, data))

    return run


def outbox_events(db: Database, event_type: str | None = None) -> list[dict[str, Any]]:
    with db.reader() as session:
        rows = session.execute(select(outbox.c.event_type, outbox.c.body)).all()
    return [json.loads(r.body) for r in rows if event_type in (None, r.event_type)]


# --- HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def app(db_url: str, key_store: KeyStore) -> Flask:
    return create_app(Settings(database_url=db_url, bus=BusSettings()), key_store=key_store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
