"""PostgreSQL for matching's integration tests: a fresh database per test, migrated.

Fake-versus-real policy: nothing is faked; this is the real PostgreSQL the deployment uses.
The server is TEST_POSTGRES_URL (a superuser URL) when it answers, else the private `test`
cluster of infra/devnodes.py, started when needed. No test skips for want of a server.
"""

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from rainmaker_db import Database, upgrade
from rainmaker_matching.bootstrap import MIGRATIONS

REPO_ROOT = Path(__file__).resolve().parents[3]


def _devnodes() -> ModuleType:
    spec = importlib.util.spec_from_file_location("devnodes", REPO_ROOT / "infra" / "devnodes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url: str = _devnodes().ensure_postgres("test")
    return url


@pytest.fixture
def pg_db(pg_admin_url: str) -> Iterator[Database]:
    devnodes = _devnodes()
    name = f"matching_{uuid.uuid4().hex[:12]}"
    url = devnodes.create_database(pg_admin_url, name)
    upgrade(MIGRATIONS, url)
    db = Database(url)
    yield db
    db.dispose()
    devnodes.drop_database(pg_admin_url, name)
