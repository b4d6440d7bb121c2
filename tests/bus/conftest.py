"""Fixtures for the bus tests.

Fake-versus-real policy: the unit tests (tests/bus/unit) use no broker and no database; they
check contracts, topology and the exported definitions as data. Everything else is real: a
RabbitMQ node (a fresh vhost per test, from tests/conftest.py's `amqp_url`), SQLite and
PostgreSQL (`database_url`), and for the fault tests a private node that may be killed
(`fault_rabbit`) plus relays and consumers running as their own OS processes
(tests/bus/worker.py). Nothing is mocked; asynchronous results are awaited by polling with a
deadline (app.wait_for).
"""

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pytest

from rainmaker_bus import BusSettings
from rainmaker_db import Database
from tests.bus.app import setup_db

REPO = Path(__file__).resolve().parents[2]
FAST_RETRIES = (0.2, 0.4)


def fast_settings(amqp_url: str, **overrides: object) -> BusSettings:
    base: dict[str, object] = {
        "amqp_url": amqp_url,
        "retry_delays_s": FAST_RETRIES,
        "confirm_timeout_s": 10.0,
        "relay_idle_s": 0.05,
        "reconnect_max_s": 1.0,
    }
    base.update(overrides)
    return BusSettings(**base)  # type: ignore[arg-type]


def settings_env(s: BusSettings) -> dict[str, str]:
    """The same settings as a worker process reads them (BusSettings.from_env)."""
    return {
        "AMQP_URL": s.amqp_url,
        "BUS_HEARTBEAT_S": str(s.heartbeat_s),
        "BUS_PREFETCH": str(s.prefetch),
        "BUS_BATCH_SIZE": str(s.batch_size),
        "BUS_RETRY_DELAYS_S": ",".join(str(d) for d in s.retry_delays_s),
        "BUS_DELIVERY_LIMIT": str(s.delivery_limit),
        "BUS_CRASH_LIMIT": str(s.crash_limit),
        "BUS_RELAY_BATCH": str(s.relay_batch),
        "BUS_RELAY_WINDOW": str(s.relay_window),
        "BUS_RELAY_IDLE_S": str(s.relay_idle_s),
        "BUS_CONFIRM_TIMEOUT_S": str(s.confirm_timeout_s),
    }


@pytest.fixture
def bus_settings(amqp_url: str) -> BusSettings:
    return fast_settings(amqp_url)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = setup_db(database_url)
    yield database
    database.dispose()


class Runnable(Protocol):
    def run(self) -> None: ...
    def stop(self) -> None: ...


@pytest.fixture
def in_thread() -> Iterator[Callable[[Runnable], threading.Thread]]:
    """Run relays/consumers on threads; stopped and joined at teardown."""
    started: list[tuple[Runnable, threading.Thread]] = []

    def start(worker: Runnable) -> threading.Thread:
        t = threading.Thread(target=worker.run, daemon=True)
        t.start()
        started.append((worker, t))
        return t

    yield start
    for worker, _ in started:
        worker.stop()
    for _, t in started:
        t.join(15)


@dataclass
class Procs:
    """Worker processes (python -m tests.bus.worker ...), logs under tmp_path."""

    logs: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    log_files: dict[int, Path] = field(default_factory=dict)

    def start(
        self, role: str, db_url: str, settings: BusSettings, *args: str
    ) -> subprocess.Popen[bytes]:
        env = {**os.environ, **settings_env(settings), "PYTHONPATH": f"{REPO}:{REPO / 'libs'}"}
        path = self.logs / f"{role}-{uuid.uuid4().hex[:6]}.log"
        cmd = [sys.executable, "-m", "tests.bus.worker", role, "--db", db_url, *args]
        with path.open("wb") as log:
            p = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.running.append(p)
        self.log_files[p.pid] = path
        return p

    def log(self, p: subprocess.Popen[bytes]) -> str:
        return self.log_files[p.pid].read_text(errors="replace")

    def stop_all(self) -> None:
        for p in self.running:
            if p.poll() is None:
                p.terminate()
        for p in self.running:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Procs]:
    p = Procs(tmp_path / "logs")
    p.logs.mkdir()
    yield p
    p.stop_all()
