"""Fixtures for pipeline's tests.

Fake-versus-real policy: nothing is faked. Each test gets its own SQLite file in tmp_path,
migrated by pipeline's own Alembic migrations. Events from other services are built with
`make_envelope`, so they pass the real contracts, and handed to the handler index inside
`db.transaction()` exactly as the consumer does (RabbitMQ delivery itself is the bus
library's business and the end-to-end tests'). What pipeline publishes is read back from
its outbox table. HTTP tests drive `create_app` through Flask's test client, with a real
KeyStore on its own SQLite file. Ids are fresh uuids per test instead of cleanup.
"""

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rainmaker_bus.tables import outbox
from rainmaker_contracts import Envelope, make_envelope, validate_data
from rainmaker_db import Database, upgrade
from rainmaker_pipeline.bootstrap import MIGRATIONS
from rainmaker_pipeline.service_layer.handlers import EVENT_HANDLERS

QUEUE = "pipeline.events"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One database migrated to head per run; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("template") / "pipeline.db"
    upgrade(MIGRATIONS, f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path, migrated_template: Path) -> str:
    path = tmp_path / "pipeline.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def deliver(db: Database) -> Callable[..., Envelope]:
    """deliver("leads.ingested", data): run pipeline's handler as the consumer would."""

    def run(event_type: str, data: dict[str, Any], correlation_id: str | None = None) -> Envelope:
        env = make_envelope(event_type, data, "test", correlation_id=correlation_id)
        loaded = validate_data(env.type, env.version, env.data)
        with db.transaction() as session:
            EVENT_HANDLERS[QUEUE][event_type](session, env, loaded)
        return env

    return run


@pytest.fixture
def published(db: Database) -> Callable[..., list[dict[str, Any]]]:
    """published("lead.stage_changed") -> the `data` of each such outbox row, in order."""

    def read(event_type: str | None = None) -> list[dict[str, Any]]:
        query = select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)
        with db.reader() as session:
            rows = session.execute(query).all()
        return [
            json.loads(body)["data"]
            for kind, body in rows
            if event_type is None or kind == event_type
        ]

    return read
