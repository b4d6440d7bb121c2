"""PostgreSQL for matching's integration tests: a fresh database per test, migrated.

Fake-versus-real policy: nothing is faked; this is the real PostgreSQL the deployment uses,
from the suite-wide `pg_admin_url` (tests/conftest.py: TEST_POSTGRES_URL, else the private
cluster named by RAINMAKER_TEST_POSTGRES_*, started when needed and stopped if it started
it). No test skips for want of a server.
"""

import uuid
from collections.abc import Iterator

import pytest

from infra.devnodes import create_database, drop_database
from rainmaker_db import Database
from rainmaker_matching.bootstrap import MIGRATIONS
from tests.support.databases import migrated


@pytest.fixture
def pg_db(pg_admin_url: str) -> Iterator[Database]:
    name = f"matching_{uuid.uuid4().hex[:12]}"
    with migrated(MIGRATIONS, create_database(pg_admin_url, name)) as db:
        yield db
    drop_database(pg_admin_url, name)
