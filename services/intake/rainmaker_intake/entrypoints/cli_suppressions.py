"""`rainmaker suppressions add|list|remove`: the do-not-contact list."""

import json
from typing import Any
from urllib.parse import quote

import click

from rainmaker_intake.entrypoints.cli_client import ApiError, IntakeClient, api_options, dump
from rainmaker_intake.entrypoints.cli_render import table


@click.group("suppressions")
def suppressions() -> None:
    """The do-not-contact list: emails and whole domains that never enter as leads."""


def _targets(emails: tuple[str, ...], domains: tuple[str, ...]) -> list[tuple[str, str]]:
    targets = [("email", e) for e in emails] + [("domain", d) for d in domains]
    if not targets:
        raise click.UsageError("give at least one --email or --domain")
    return targets


TARGET_OPTIONS = (
    click.option("--email", "emails", multiple=True, help="An email address; repeat."),
    click.option("--domain", "domains", multiple=True, help="A domain, e.g. example.com; repeat."),
)


def _with_targets(command: Any) -> Any:
    for option in reversed(TARGET_OPTIONS):
        command = option(command)
    return command


@suppressions.command("add")
@_with_targets
@click.option("--reason", help="Why (e.g. 'unsubscribed', 'competitor').")
@api_options
def add_suppressions(emails: tuple[str, ...], domains: tuple[str, ...], reason: str | None,
                     url: str | None, key: str | None) -> None:  # fmt: skip
    """Suppress emails and domains (idempotent); prints them as they are matched."""
    items = [
        {"kind": kind, "value": value, **({"reason": reason} if reason else {})}
        for kind, value in _targets(emails, domains)
    ]
    for item in IntakeClient(url, key).json("POST", "/suppressions", json={"items": items}):
        why = f"  ({item['reason']})" if item.get("reason") else ""
        click.echo(f"suppressed {item['kind']} {item['value']}{why}")


@suppressions.command("list")
@click.option("--kind", type=click.Choice(("email", "domain")), help="Only this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@api_options
def list_suppressions(kind: str | None, as_json: bool, url: str | None, key: str | None) -> None:
    """Every suppression, newest first."""
    client = IntakeClient(url, key)
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        params: dict[str, Any] = {
            "page": page,
            "page_size": 500,
            **({"kind": kind} if kind else {}),
        }
        response = client.request("GET", "/suppressions", params=params)
        items += response.json()
        if not json.loads(response.headers.get("X-Pagination") or "{}").get("next_page"):
            break
        page += 1
    if as_json:
        click.echo(dump(items))
        return
    rows = [
        [i["kind"], i["value"], i.get("reason") or "", i.get("created_at") or ""] for i in items
    ]
    click.echo(table(["kind", "value", "reason", "created_at"], rows, max_cell=60))
    click.echo(f"{len(items)} suppression(s)", err=True)


@suppressions.command("remove")
@_with_targets
@api_options
def remove_suppressions(emails: tuple[str, ...], domains: tuple[str, ...], url: str | None,
                        key: str | None) -> None:  # fmt: skip
    """Lift suppressions; exits 1 if any of them did not exist."""
    client = IntakeClient(url, key)
    failed = []
    for kind, value in _targets(emails, domains):
        try:
            client.request("DELETE", f"/suppressions/{kind}/{quote(value, safe='@')}")
            click.echo(f"removed {kind} {value}")
        except ApiError as exc:
            click.echo(f"{kind} {value}: {exc.message}", err=True)
            failed.append(value)
    if failed:
        raise SystemExit(1)
