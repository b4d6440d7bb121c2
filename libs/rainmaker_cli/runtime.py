"""Process commands: migrate, consume, relay."""

import logging
import signal
from collections.abc import Callable
from types import FrameType

import click

from rainmaker_bus import BusSettings, Relay, collector
from rainmaker_cli.services import SERVICES, bootstrap
from rainmaker_contracts.topology import QUEUES_BY_NAME
from rainmaker_db import upgrade
from rainmaker_web import auth_database_url, migrate_auth


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
    )
    logging.getLogger("pika").setLevel(logging.WARNING)  # its INFO is per-connection noise


def _stop_on_signals(stop: Callable[[], None]) -> None:
    def handle(_sig: int, _frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


@click.command()
@click.argument("services", nargs=-1, type=click.Choice(SERVICES))
def migrate(services: tuple[str, ...]) -> None:
    """Upgrade the databases of SERVICES (default: all, plus the API-key store) to head."""
    for name in services or SERVICES:
        boot = bootstrap(name)
        upgrade(boot.MIGRATIONS, boot.database().url)
        click.echo(f"{name}: migrated")
    if not services:
        migrate_auth(auth_database_url())
        click.echo("auth: migrated")


@click.command()
@click.argument("queue", type=click.Choice(sorted(QUEUES_BY_NAME)))
def consume(queue: str) -> None:
    """Run the consumer of QUEUE until SIGTERM/SIGINT."""
    _configure_logging()
    consumer = bootstrap(QUEUES_BY_NAME[queue].service).build_consumer(queue)
    _stop_on_signals(consumer.stop)
    collector.for_long_running_process()
    consumer.run()


@click.command()
@click.argument("service", type=click.Choice(SERVICES))
def relay(service: str) -> None:
    """Run the outbox relay of SERVICE until SIGTERM/SIGINT."""
    _configure_logging()
    runner = Relay(bootstrap(service).database(), BusSettings.from_env(), name=f"{service}.relay")
    _stop_on_signals(runner.stop)
    collector.for_long_running_process()
    runner.run()


@click.command()
@click.argument("service", type=click.Choice(SERVICES))
@click.option("-m", "--message", required=True, help="what the revision changes")
@click.option("--rev-id", default=None, help="revision id (default: next number)")
def revision(service: str, message: str, rev_id: str | None) -> None:
    """Autogenerate SERVICE's next Alembic revision from its tables (for developers)."""
    import tempfile

    from alembic import command

    from rainmaker_db.migrate import alembic_config

    boot = bootstrap(service)
    versions = boot.MIGRATIONS / "versions"
    rev_id = rev_id or f"{len(list(versions.glob('[0-9]*.py'))) + 1:04d}"
    # Diff against a scratch database at head, never against a live one.
    cfg = alembic_config(boot.MIGRATIONS, f"sqlite:///{tempfile.mkdtemp()}/scratch.db")
    command.upgrade(cfg, "head")
    command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
