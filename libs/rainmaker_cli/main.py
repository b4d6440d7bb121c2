"""`rainmaker`: one console script, a subcommand group per area."""

import click

from rainmaker_cli import runtime
from rainmaker_cli.bus_commands import dlq, topology
from rainmaker_cli.demo import demo
from rainmaker_cli.keys import keys
from rainmaker_cli.services import SERVICES, bootstrap


@click.group()
def cli() -> None:
    """Rainmaker: lead intake, tagging, pipeline and matching."""


def _mount() -> None:
    cli.add_command(runtime.migrate)
    cli.add_command(runtime.consume)
    cli.add_command(runtime.relay)
    cli.add_command(runtime.revision)
    cli.add_command(keys)
    cli.add_command(dlq)
    cli.add_command(topology)
    cli.add_command(demo)
    for name in SERVICES:
        for group in bootstrap(name).cli_groups():
            cli.add_command(group)


def main() -> None:
    _mount()
    cli()
