"""`rainmaker referrals add`: one referral from options, or a batch from a JSON file."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from rainmaker_intake.entrypoints.cli_client import ApiError, IntakeClient, api_options, dump

REFERRER_TYPES = ("employee", "analyst", "manager", "customer", "partner", "event")
# The fields of a list row (POST /referrals takes the same), one option each: --job-title...
LEAD_FIELDS = ("first_name", "last_name", "full_name", "email", "phone", "mobile", "company",
               "job_title", "industry", "website", "street", "street2", "city", "region",
               "postcode", "country", "employees", "revenue", "notes")  # fmt: skip
BATCH = 1000  # POST /referrals takes at most this many leads


@click.group("referrals")
def referrals() -> None:
    """Referral leads: people someone sent us, with the referrer, notes and interests."""


def _lead_options(command: Any) -> Any:
    for name in reversed(LEAD_FIELDS):
        command = click.option(f"--{name.replace('_', '-')}", name)(command)
    return command


@referrals.command("add")
@click.option("--referrer-type", type=click.Choice(REFERRER_TYPES), help="Who referred them.")
@click.option("--referrer-name", help="The referrer's name (this or --referrer-id, or both).")
@click.option("--referrer-id", help="The referrer's id (an employee number, a customer id...).")
@_lead_options
@click.option("--interest", "interests", multiple=True, help="A tag such as product/crm; repeat.")
@click.option("--default-region", help="Country for phone numbers without one, e.g. DE.")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON: one referral, an array, or {"leads": [...], "default_region": "DE"}; '
                   "--referrer-* fill in the referrer where a lead has none.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@api_options
def add_referrals(
    referrer_type: str | None,
    referrer_name: str | None,
    referrer_id: str | None,
    interests: tuple[str, ...],
    default_region: str | None,
    file: Path | None,
    as_json: bool,
    url: str | None,
    key: str | None,
    **lead: str | None,
) -> None:
    """Add one referral (from the options) or many (--file); prints each result.

    Exits 1 if any referral was rejected."""
    referrer = {"type": referrer_type, "name": referrer_name, "id": referrer_id}
    referrer = {k: v for k, v in referrer.items() if v}
    given = {k: v for k, v in lead.items() if v}
    if file is not None:
        if given or interests:
            raise click.UsageError("give the leads either in --file or as options, not both")
        leads, region = _read_file(file)
        default_region = default_region or region
        for item in leads:
            if referrer and not item.get("referrer"):
                item["referrer"] = dict(referrer)
    else:
        if not (referrer_type and (referrer_name or referrer_id)):
            raise click.UsageError(
                "--referrer-type and --referrer-name or --referrer-id (or both) are required"
            )
        if not given:
            raise click.UsageError("give the person: --email, --phone, --first-name ...")
        leads = [{**given, "interests": list(interests), "referrer": referrer}]
    client = IntakeClient(url, key)
    results: list[dict[str, Any]] = []
    for start in range(0, len(leads), BATCH):
        body: dict[str, Any] = {"leads": leads[start : start + BATCH]}
        if default_region:
            body["default_region"] = default_region
        for result in _post_batch(client, body):
            results.append({**result, "index": result["index"] + start})
    if as_json:
        click.echo(dump(results))
    else:
        for r in results:
            click.echo(_result_line(r))
        counts = Counter(r["status"] for r in results)
        summary = ", ".join(
            f"{counts[s]} {s}" for s in ("new", "duplicate", "suppressed", "rejected")
        )
        click.echo(f"{len(results)} referral(s): {summary}")
    if any(r["status"] == "rejected" for r in results):
        raise SystemExit(1)


def _read_file(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--file") from None
    region = None
    if isinstance(body, dict) and "leads" in body:
        region, body = body.get("default_region"), body["leads"]
    leads = body if isinstance(body, list) else [body]
    if not leads or not all(isinstance(item, dict) for item in leads):
        raise click.BadParameter(f"{path}: expected referral objects", param_hint="--file")
    return leads, region


def _post_batch(client: IntakeClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The results of one batch; a batch the API refused because no lead in it was acceptable
    comes back as rejected results, so it reads like every other batch."""
    try:
        answer = client.json("POST", "/referrals", json=body)
        return list(answer["results"])
    except ApiError as exc:
        errors = ((exc.problem or {}).get("errors") or {}).get("json", {}).get("leads")
        rows = errors.values() if isinstance(errors, dict) else ()
        if exc.status != 422 or not all(isinstance(v, list) for v in rows) or not rows:
            raise
        return [
            {"index": int(i), "lead_id": None, "status": "rejected", "errors": errs}
            for i, errs in sorted(errors.items(), key=lambda kv: int(kv[0]))
        ]


def _result_line(r: dict[str, Any]) -> str:
    head = f"#{r['index'] + 1:<4} {r['status']:<10}"
    if r["status"] == "rejected":
        why = "; ".join(
            f"{e.get('column')}"
            + (f" {e['value']!r}" if e.get("value") else "")
            + f": {e.get('reason')}"
            for e in r.get("errors") or []
        )
        return f"{head} {why}"
    if r["status"] == "duplicate":
        return f"{head} lead {r['lead_id']} (a touch was added to the existing lead)"
    if r["status"] == "suppressed":
        return f"{head} on the suppression list: not stored"
    return f"{head} lead {r['lead_id']}"
