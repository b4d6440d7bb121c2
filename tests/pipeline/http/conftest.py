"""HTTP fixtures: pipeline's real app over its migrated SQLite file and a real KeyStore.

Nothing is faked (see ../conftest.py); only the broker is absent, which no endpoint but
/readyz touches.
"""

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rainmaker_pipeline.config import Settings
from rainmaker_pipeline.entrypoints.http import create_app
from rainmaker_web import KeyStore


@pytest.fixture
def key_store(tmp_path) -> Iterator[KeyStore]:
    store = KeyStore(f"sqlite:///{tmp_path / 'auth.db'}")
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def app(db_url: str, key_store: KeyStore) -> Flask:
    return create_app(Settings(database_url=db_url, report_currency="EUR"), key_store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def bearer(key_store: KeyStore) -> Callable[..., dict[str, str]]:
    """bearer("manager") or bearer("account_manager", am_id="am-1") -> request headers."""
    made: dict[tuple[str, str | None], dict[str, str]] = {}

    def make(role: str, am_id: str | None = None) -> dict[str, str]:
        if (role, am_id) not in made:
            made[role, am_id] = {"Authorization": f"Bearer {key_store.create(role, am_id=am_id)}"}
        return made[role, am_id]

    return make
