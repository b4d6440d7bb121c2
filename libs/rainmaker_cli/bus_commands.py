"""`rainmaker dlq list|show|replay` and `rainmaker topology declare|export`.

Mount with `for cmd in BUS_COMMANDS: cli.add_command(cmd)`. The broker comes from --amqp-url or
AMQP_URL; other bus settings from BUS_* (rainmaker_bus.BusSettings.from_env).
"""

import dataclasses
import json
from pathlib import Path

import click

from rainmaker_bus import BusSettings
from rainmaker_bus import dlq as dead_letters
from rainmaker_bus.topology import declare_topology, export_definitions
from rainmaker_contracts.topology import QUEUES_BY_NAME

DEFINITIONS = Path("infra/rabbitmq/definitions.json")
QUEUE_NAMES = click.Choice(sorted(QUEUES_BY_NAME))
amqp_option = click.option(
    "--amqp-url", envvar="AMQP_URL", help="Broker URL (default: $AMQP_URL, else the dev node)."
)


def _settings(amqp_url: str | None) -> BusSettings:
    settings = BusSettings.from_env()
    return dataclasses.replace(settings, amqp_url=amqp_url) if amqp_url else settings


@click.group("dlq")
def dlq() -> None:
    """Dead letters: messages that failed their contract or every retry."""


@dlq.command("list")
@amqp_option
@click.option("--queue", "queues", multiple=True, type=QUEUE_NAMES, help="Only these queues.")
@click.option("--limit", default=100, show_default=True, help="At most this many per queue.")
def list_dead(amqp_url: str | None, queues: tuple[str, ...], limit: int) -> None:
    """Count per queue, then one line per dead letter: queue, id, type, attempts, reason."""
    settings = _settings(amqp_url)
    for name, count in dead_letters.count_dead(settings).items():
        if not queues or name in queues:
            click.echo(f"# {name}: {count} dead")
    for d in dead_letters.iter_dead(settings, list(queues) or None, limit=limit):
        reason = d.error.replace("\n", " ")[:200]
        click.echo(
            "\t".join(
                [
                    d.queue,
                    d.message_id or "-",
                    d.event_type or "-",
                    str(d.attempts),
                    d.failed_at or "-",
                    reason,
                ]
            )
        )


@dlq.command("show")
@amqp_option
@click.argument("message_id")
@click.option("--queue", "queues", multiple=True, type=QUEUE_NAMES, help="Only these queues.")
def show_dead(amqp_url: str | None, message_id: str, queues: tuple[str, ...]) -> None:
    """Print one dead letter as JSON: its reason, headers and body."""
    settings = _settings(amqp_url)
    depth = max(dead_letters.count_dead(settings).values(), default=0)
    for d in dead_letters.iter_dead(settings, list(queues) or None, limit=depth):
        if d.message_id == message_id:
            body: object
            try:
                body = json.loads(d.body)
            except ValueError:
                body = d.body.decode(errors="replace")
            out = {
                "queue": d.queue,
                "message_id": d.message_id,
                "type": d.event_type,
                "error": d.error,
                "attempts": d.attempts,
                "failed_at": d.failed_at,
                "headers": d.headers,
                "body": body,
            }
            click.echo(json.dumps(out, indent=2, default=str))
            return
    raise click.ClickException(f"no dead letter with id {message_id!r}")


@dlq.command("replay")
@amqp_option
@click.argument("queue", type=QUEUE_NAMES)
@click.option("--message-id", help="Only this message (default: all of the queue's).")
@click.option("--limit", type=int, help="At most this many.")
def replay_dead(
    amqp_url: str | None, queue: str, message_id: str | None, limit: int | None
) -> None:
    """Put dead letters back on their queue with fresh attempts (the inbox makes it idempotent)."""
    n = dead_letters.replay(_settings(amqp_url), queue, message_id=message_id, limit=limit)
    click.echo(f"replayed {n} message(s) onto {queue}")
    if message_id and n == 0:
        raise click.ClickException(f"no dead letter with id {message_id!r} in {queue}")


@click.group("topology")
def topology() -> None:
    """Exchanges, queues and bindings (rainmaker_contracts.topology)."""


@topology.command("declare")
@amqp_option
def declare(amqp_url: str | None) -> None:
    """Declare everything on the broker (idempotent)."""
    declare_topology(_settings(amqp_url))
    click.echo("topology declared")


@topology.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFINITIONS,
    show_default=True,
)
def export(output: Path) -> None:
    """Write the topology as a RabbitMQ definitions.json (default bus settings)."""
    export_definitions(BusSettings(), output)
    click.echo(f"wrote {output}")


BUS_COMMANDS: list[click.Command] = [dlq, topology]
