"""Suite-wide fixtures, and the fake-versus-real policy every test follows.

Fake versus real
- Unit tests drive the service layer (handlers, commands, queries) directly, on a real SQLite
  file in tmp_path (fast, and it catches SQL that a fake would hide); the outbox table is the
  recording publisher (tests read the events a command staged from it). No broker, no
  sockets, no sleeps; swap whole adapters (e.g. a KeyStore on a temp file), never
  monkeypatch deep internals. Domain tests need no database at all.
- Integration tests use the real thing: a real RabbitMQ node with a fresh vhost per test
  (`amqp_url`) and real databases (`database_url` runs a test on SQLite AND PostgreSQL,
  `pg_url` on PostgreSQL only). Asynchronous results are awaited with
  `tests.support.wait_for` (a deadline), never with a bare sleep.
- Fault tests kill -9 and restart a broker: only `fault_rabbit`, a separate private node,
  so the shared `rabbit` node and other tests' vhosts are never hit. Every fault test has a
  negative control that must fail, proving the fault really hit (DESIGN.md section 5).
- Servers: `make test` starts the private test nodes and exports where they are
  (RAINMAKER_TEST_RABBIT_*, RAINMAKER_TEST_FAULT_RABBIT_*, TEST_POSTGRES_URL); a bare
  `pytest` starts them itself and stops what it started. A missing server is an error,
  never a skip.
- Unique names instead of cleanup: `tests.support.unique_id`.

Tests using these fixtures are marked `integration` (and `fault_rabbit` also `fault`)
automatically, so `pytest -m "not integration"` runs the fast, server-free part.
"""

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `infra` and `tests.support` import from the repo root
    sys.path.insert(0, str(ROOT))

from infra.devnodes import (  # noqa: E402
    PostgresCluster,
    RabbitNode,
    create_database,
    drop_database,
)
from rainmaker_web import KeyStore  # noqa: E402
from tests.support import unique_id  # noqa: E402

_INTEGRATION_FIXTURES = {
    "rabbit",
    "amqp_url",
    "pg_admin_url",
    "pg_url",
    "database_url",
    "fault_rabbit",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _INTEGRATION_FIXTURES:
            item.add_marker(pytest.mark.integration)
        if "fault_rabbit" in names:
            item.add_marker(pytest.mark.fault)


@pytest.fixture(scope="session")
def rabbit() -> Iterator[RabbitNode]:
    """The session's RabbitMQ node (never killed): the one `make test` started, else started
    here (and stopped at the end). Use it for vhosts, rabbitmqctl, stop_app/start_app."""
    node = RabbitNode.from_env("RAINMAKER_TEST_RABBIT", default="test")
    started = not node.is_running()
    node.start()
    yield node
    if started:
        node.stop()


@pytest.fixture
def amqp_url(rabbit: RabbitNode) -> Iterator[str]:
    """An AMQP URL to a fresh vhost of its own, deleted after the test."""
    vhost = unique_id("test")
    url = rabbit.add_vhost(vhost)
    yield url
    rabbit.delete_vhost(vhost)


@pytest.fixture(scope="module")
def fault_rabbit() -> Iterator[RabbitNode]:
    """A separate private node, fresh per module, that fault tests may kill9() and restart.
    Call `sync_metadata()` after declaring queues and before kill9()."""
    node = RabbitNode.from_env("RAINMAKER_TEST_FAULT_RABBIT", default="fault")
    if node.is_running():  # a leftover of an aborted run
        node.kill9()
    node.reset()
    node.start()
    yield node
    if node.is_running():  # its data is wiped before next use: no need to wait for a clean stop
        node.kill9()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A superuser URL of the test PostgreSQL: TEST_POSTGRES_URL, else a private cluster."""
    env_url = os.environ.get("TEST_POSTGRES_URL")
    if env_url:
        yield env_url
        return
    cluster = PostgresCluster.from_env("RAINMAKER_TEST_POSTGRES", default="test")
    started = not cluster.is_running()
    cluster.start()
    yield cluster.admin_url
    if started:
        cluster.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A `postgresql+psycopg://` URL of a fresh, empty database, dropped after the test."""
    name = unique_id("test")
    url = create_database(pg_admin_url, name)
    yield url
    drop_database(pg_admin_url, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def key_store(tmp_path: Path) -> Iterator[KeyStore]:
    """A real key store on a temp SQLite file (HTTP tests of every service)."""
    store = KeyStore(f"sqlite:///{tmp_path / 'auth.db'}")
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def bearer(key_store: KeyStore) -> Callable[..., dict[str, str]]:
    """bearer("manager") or bearer("account_manager", am_id="am-1") -> request headers."""

    def make(role: str, am_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key_store.create(role, am_id=am_id)}"}

    return make
