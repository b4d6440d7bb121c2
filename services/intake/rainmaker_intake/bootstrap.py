"""Intake's composition root for processes other than the web app."""

from pathlib import Path

import click

from rainmaker_bus import Consumer
from rainmaker_bus.jobs import JobConsumer
from rainmaker_contracts.topology import QUEUES_BY_NAME
from rainmaker_db import Database
from rainmaker_intake.config import Settings
from rainmaker_intake.service_layer.handlers import EVENT_HANDLERS, JOB_HANDLERS, JOBS_GIVEN_UP

SERVICE = "intake"
MIGRATIONS = Path(__file__).parent / "migrations"


def database() -> Database:
    return Database(Settings.from_env().database_url)


def build_consumer(queue: str) -> Consumer:
    settings = Settings.from_env()
    # An import worker commits a chunk of thousands of rows at a time: its WAL checkpoints run
    # on a thread beside it rather than inside its commits (rainmaker_db.checkpoints).
    db = Database(settings.database_url, background_checkpoints=queue in JOB_HANDLERS)
    if queue in JOB_HANDLERS:
        spec = QUEUES_BY_NAME[queue]
        return JobConsumer(db, settings.bus, spec, JOB_HANDLERS[queue], JOBS_GIVEN_UP[queue])
    return Consumer(db, settings.bus, QUEUES_BY_NAME[queue], EVENT_HANDLERS[queue])


def cli_groups() -> list[click.Command]:
    from rainmaker_intake.entrypoints.cli import groups  # HTTP client code: only when mounted

    return groups()
