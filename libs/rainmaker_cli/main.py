"""`rainmaker`: one console script, a subcommand group per area."""

import click

from rainmaker_cli import runtime
from rainmaker_cli.services import SERVICES, bootstrap


@click.group()
def cli() -> None:
    """Rainmaker: lead intake, tagging, pipeline and matching."""


def _mount() -> None:
    cli.add_command(runtime.migrate)
    cli.add_command(runtime.consume)
    cli.add_command(runtime.relay)
    cli.add_command(runtime.revision)
    from rainmaker_cli.keys import keys

    cli.add_command(keys)
    try:
        from rainmaker_cli.bus_commands import dlq, topology

        cli.add_command(dlq)
        cli.add_command(topology)
    except ImportError:  # pragma: no cover - while the bus commands are being written
        pass
    for name in SERVICES:
        try:
            groups = bootstrap(name).cli_groups()
        except (ImportError, AttributeError):
            continue
        for group in groups:
            cli.add_command(group)


def main() -> None:
    _mount()
    cli()
