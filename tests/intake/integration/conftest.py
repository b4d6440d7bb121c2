"""Fixtures for intake's integration tests: the real HTTP app on a real database.

Fake versus real: nothing is faked. Each test gets a fresh intake database, on SQLite AND on
PostgreSQL (`database_url`), migrated by intake's own Alembic migrations; requests go through
Flask's test client of `create_app`, so auth, schemas, the error map and CSV streaming run as
in production; the API keys live in a real KeyStore on a temp SQLite file. Imports run through
the service layer (`run_import`), as intake's worker would run them; no broker is needed
unless a test asks for `amqp_url` (e.g. to publish the outbox with the real relay). Events
are read from the outbox table, the recording publisher.
"""

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, text

from rainmaker_bus.tables import outbox
from rainmaker_db import Database
from rainmaker_intake.bootstrap import MIGRATIONS
from rainmaker_intake.config import Settings
from rainmaker_intake.entrypoints.http import create_app
from rainmaker_intake.service_layer.importer import run_import
from rainmaker_web import KeyStore
from tests.support.databases import migrated


@pytest.fixture
def intake_db(database_url: str) -> Iterator[Database]:
    with migrated(MIGRATIONS, database_url) as db:
        yield db


@pytest.fixture
def client(intake_db: Database, key_store: KeyStore, tmp_path: Path) -> FlaskClient:
    settings = Settings(database_url=intake_db.url, upload_dir=tmp_path / "uploads")
    return create_app(settings, key_store=key_store).test_client()


@pytest.fixture
def keys(key_store: KeyStore) -> dict[str, dict[str, str]]:
    """Request headers per role: keys["marketing"], keys["manager"], keys["account_manager"]."""
    made = {
        "marketing": key_store.create("marketing"),
        "manager": key_store.create("manager"),
        "account_manager": key_store.create("account_manager", am_id="am-1"),
    }
    return {role: {"Authorization": f"Bearer {key}"} for role, key in made.items()}


@dataclass
class Intake:
    """What a marketing person does through the API, plus the worker's part (run_import)."""

    client: FlaskClient
    db: Database
    headers: dict[str, str]

    def upload(self, data: bytes, name: str, vendor: str | None = "ListCo",
               filename: str = "list.csv", **form: str) -> Any:  # fmt: skip
        fields: dict[str, Any] = {"name": name, "cost": "100.00", "currency": "EUR", **form}
        if vendor is not None:
            fields["vendor"] = vendor
        fields["file"] = (io.BytesIO(data), filename)
        return self.client.post(
            "/lists", data=fields, headers=self.headers, content_type="multipart/form-data"
        )

    def import_list(self, data: bytes, name: str, **kwargs: Any) -> dict[str, Any]:
        """Upload, run the import job, and return GET /imports/{id} once it is done."""
        r = self.upload(data, name, **kwargs)
        assert r.status_code == 202, r.get_data(as_text=True)
        run_import(self.db, r.json["import_id"])
        status = self.status(r.json["import_id"])
        assert status["status"] == "done", status
        return status

    def status(self, import_id: str) -> dict[str, Any]:
        r = self.client.get(f"/imports/{import_id}", headers=self.headers)
        assert r.status_code == 200, r.get_data(as_text=True)
        body: dict[str, Any] = r.json
        return body

    def lead(self, lead_id: str) -> dict[str, Any]:
        r = self.client.get(f"/leads/{lead_id}", headers=self.headers)
        assert r.status_code == 200, r.get_data(as_text=True)
        body: dict[str, Any] = r.json
        return body

    def lead_id_of(self, email: str) -> str:
        with self.db.reader() as session:
            found = (
                session.execute(text("SELECT lead_id FROM contacts WHERE email = :e"), {"e": email})
                .scalars()
                .all()
            )
        assert len(found) == 1, (email, found)
        return str(found[0])

    def emails(self) -> list[str]:
        """Every live contact's email (with repeats, if any)."""
        with self.db.reader() as session:
            rows = session.execute(text("SELECT email FROM contacts")).scalars().all()
        return [e for e in rows if e]

    def contact_count(self) -> int:
        with self.db.reader() as session:
            return int(session.scalar(text("SELECT COUNT(*) FROM contacts")) or 0)

    def outbox_max_id(self) -> int:
        with self.db.reader() as session:
            return int(session.scalar(select(func.max(outbox.c.id))) or 0)

    def events(self, event_type: str | None = None, after_id: int = 0) -> list[dict[str, Any]]:
        """Envelopes staged in the outbox (the recording publisher), oldest first."""
        query = select(outbox.c.body).where(outbox.c.id > after_id).order_by(outbox.c.id)
        if event_type:
            query = query.where(outbox.c.event_type == event_type)
        with self.db.reader() as session:
            return [json.loads(body) for body in session.scalars(query)]


@pytest.fixture
def intake(client: FlaskClient, intake_db: Database, keys: dict[str, dict[str, str]]) -> Intake:
    return Intake(client, intake_db, keys["marketing"])


def table_rows_containing(db: Database, needle: str) -> dict[str, list[str]]:
    """Scan EVERY table of the database (whatever its columns): table -> rows that mention
    `needle`, case-insensitively, in any column (JSON and text alike)."""
    found: dict[str, list[str]] = {}
    needle = needle.lower()
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                if needle in repr(tuple(row)).lower():
                    found.setdefault(table, []).append(repr(tuple(row))[:300])
    return found
