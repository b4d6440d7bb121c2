"""Fixtures for the intake CLI (`rainmaker lists|referrals|suppressions`).

Fake versus real: nothing is faked. Intake's real app (`create_app`) is served over real HTTP
by werkzeug's `make_server` in a thread on a free port, on its own SQLite file migrated by
intake's Alembic migrations and the suite's real KeyStore (`key_store`); the CLI runs in click's
CliRunner and makes real requests to it, with real keys of each role. Only the broker is
absent: no endpoint the CLI calls touches it, and the import job that intake's workers would
take from the queue is run by the test itself (`worker`: `run_import(db, import_id)` in a
thread) while the CLI polls. Unique list names instead of cleanup.
"""

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from werkzeug.serving import make_server

from rainmaker_db import Database, upgrade
from rainmaker_intake.adapters.tables import imports
from rainmaker_intake.bootstrap import MIGRATIONS, cli_groups
from rainmaker_intake.config import Settings
from rainmaker_intake.entrypoints.http import create_app
from rainmaker_intake.service_layer.importer import run_import
from rainmaker_web import KeyStore, Role
from tests.support import wait_for


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "intake.db"
    upgrade(MIGRATIONS, f"sqlite:///{path}")
    return path


@pytest.fixture
def db(tmp_path: Path, migrated_template: Path) -> Iterator[Database]:
    path = tmp_path / "intake.db"
    shutil.copyfile(migrated_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def intake_url(tmp_path: Path, db: Database, key_store: KeyStore) -> Iterator[str]:
    """The intake API on http://127.0.0.1:<free port>, served until the test ends."""
    settings = Settings(database_url=db.url, upload_dir=tmp_path / "uploads")
    server = make_server("127.0.0.1", 0, create_app(settings, key_store), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def keys(key_store: KeyStore) -> dict[str, str]:
    return {
        "marketing": key_store.create(Role.MARKETING, label="cli test"),
        "manager": key_store.create(Role.MANAGER, label="cli test"),
        "account_manager": key_store.create(Role.ACCOUNT_MANAGER, am_id="am-1"),
    }


@pytest.fixture
def rainmaker() -> click.Group:
    """A `rainmaker` with only what intake's bootstrap mounts (as rainmaker_cli.main does)."""
    root = click.Group("rainmaker")
    for group in cli_groups():
        root.add_command(group)
    return root


@pytest.fixture
def cli(rainmaker: click.Group, intake_url: str, keys: dict[str, str]) -> Callable[..., Result]:
    """cli("lists", "import", ...) as marketing; role=None sends no key; env adds variables."""

    def invoke(*args: str, role: str | None = "marketing", **env: str) -> Result:
        environ: dict[str, str | None] = {
            "INTAKE_URL": intake_url,
            "RAINMAKER_POLL_INTERVAL": "0.05",
            "RAINMAKER_API_KEY": keys[role] if role else None,
            **env,
        }
        return CliRunner().invoke(rainmaker, list(args), env=environ, catch_exceptions=False)

    return invoke


def queued_import(db: Database) -> Any:
    with db.reader() as session:
        return session.execute(
            select(imports.c.import_id, imports.c.file_path).where(imports.c.status == "queued")
        ).first()


@pytest.fixture
def worker(db: Database) -> Iterator[Callable[..., None]]:
    """worker(): in a thread, wait for the next queued import and run it as intake's worker
    would; worker(before=fn) calls fn(import_row) first. Errors fail the test at teardown."""
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []

    def start(before: Callable[[Any], None] | None = None) -> None:
        def run() -> None:
            try:
                job = wait_for(lambda: queued_import(db), timeout=60, message="a queued import")
                if before is not None:
                    before(job)
                run_import(db, job.import_id)
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)

    yield start
    for thread in threads:
        thread.join(30)
    if errors:
        raise errors[0]
