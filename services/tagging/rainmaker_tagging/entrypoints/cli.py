"""`rainmaker tagging ...`: operator commands of the tagging service."""

from collections.abc import Callable

import click

from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE
from rainmaker_db import Database
from rainmaker_tagging.adapters.merges import roots_after
from rainmaker_tagging.service_layer.retag import retag


def tagging_cli(database: Callable[[], Database]) -> click.Group:
    @click.group("tagging")
    def group() -> None:
        """The tagging service: taxonomy, rules and lead tags."""

    @group.command("retag")
    @click.argument("lead_ids", nargs=-1)
    @click.option("--all", "everything", is_flag=True, help="re-tag every lead tagging holds")
    def retag_command(lead_ids: tuple[str, ...], everything: bool) -> None:
        """Recompute the tags of LEAD_IDS (or --all, e.g. after editing rules) and publish them."""
        if bool(lead_ids) == everything:
            raise click.UsageError("give lead ids or --all (not both)")
        db = database()
        done = 0
        if lead_ids:
            with db.transaction() as session:
                done = len(retag(session, lead_ids, correlation_id="cli-retag"))
        after = ""
        while everything:
            with db.transaction() as session:
                batch = roots_after(session, after, MAX_LEADS_PER_MESSAGE)
                if not batch:
                    break
                done += len(retag(session, batch, correlation_id="cli-retag"))
            after = batch[-1]
        db.dispose()
        click.echo(f"re-tagged {done} leads")

    return group
