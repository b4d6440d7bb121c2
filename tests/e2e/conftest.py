"""End-to-end: the four services as real processes (gunicorn web apps, consumers, relays) on
a real RabbitMQ vhost, with SQLite files or PostgreSQL databases. Nothing is faked here."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.devnodes import create_database
from tests.e2e.stack import SERVICES, Stack, base_env
from tests.support import unique_id


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path: Path, amqp_url: str) -> Iterator[Stack]:
    env = base_env(tmp_path, amqp_url)
    for svc in SERVICES:
        if request.param == "sqlite":
            env[f"{svc.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / svc}.db"
        else:
            admin = request.getfixturevalue("pg_admin_url")
            env[f"{svc.upper()}_DATABASE_URL"] = create_database(admin, unique_id(f"e2e_{svc}"))
    (tmp_path / "logs").mkdir()
    running = Stack(env=env, log_dir=tmp_path / "logs")
    try:
        running.start()
        yield running
    finally:
        running.stop()
