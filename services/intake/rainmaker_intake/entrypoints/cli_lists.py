"""`rainmaker lists ...`: upload a purchased list and follow its import, preview, status, errors."""

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from rainmaker_intake.entrypoints.cli_client import IntakeClient, api_options, dump
from rainmaker_intake.entrypoints.cli_follow import (
    FINAL,
    follow_import,
    is_tty,
    source_names,
    terminal_width,
)
from rainmaker_intake.entrypoints.cli_render import preview_text, progress_line, quality_report

DATE = click.DateTime(formats=["%Y-%m-%d"])
FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def _mapping(_ctx: click.Context, _param: click.Parameter, raw: str | None) -> str | None:
    """A JSON object given inline or as @file.json; sent as the JSON text."""
    if raw is None:
        return None
    if raw.startswith("@"):
        try:
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"cannot read {raw[1:]}: {exc.strerror}") from None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise click.BadParameter('a JSON object {"<header>": "<field>"}')
    return json.dumps(value)


MAPPING = click.option(
    "--mapping",
    callback=_mapping,
    help='Header -> field overrides as JSON, e.g. \'{"Mail": "email"}\', or @mapping.json.',
)
SHEET = click.option(
    "--sheet",
    metavar="NAME",
    help="XLSX only: the worksheet to read, by name [default: the first].",
)
POLL = click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    envvar="RAINMAKER_POLL_INTERVAL",
    help="Seconds between progress requests.",
)


@click.group("lists")
def lists() -> None:
    """Purchased lists: preview, import (with progress and a quality report), errors."""


@lists.command("import")
@click.argument("file", type=FILE)
@click.option("--name", required=True, help="The list's name (with --vendor it names the list).")
@click.option("--vendor", help="Who sold it.")
@click.option("--cost", help="What it cost, e.g. 1200.00.")
@click.option("--currency", help="ISO 4217 code [server default: EUR].")
@click.option("--tags", multiple=True, help="namespace/path tags, comma-separated or repeated.")
@click.option("--purchased-on", type=DATE, metavar="DATE", help="YYYY-MM-DD")
@click.option("--licence-expires-on", type=DATE, metavar="DATE", help="YYYY-MM-DD")
@click.option("--default-region", help="Country for phone numbers without one, e.g. DE.")
@MAPPING
@SHEET
@POLL
@click.option("--follow/--no-follow", default=True, show_default=True,
              help="Follow the import to its end, then print the quality report.")  # fmt: skip
@click.option("--timeout", type=float, help="Stop following after this many seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the final import as JSON.")
@api_options
def import_list(file: Path, name: str, vendor: str | None, cost: str | None,
                currency: str | None, tags: tuple[str, ...], purchased_on: datetime | None,
                licence_expires_on: datetime | None, default_region: str | None,
                mapping: str | None, sheet: str | None, poll_interval: float, follow: bool,
                timeout: float | None, as_json: bool, url: str | None,
                key: str | None) -> None:  # fmt: skip
    """Upload FILE (CSV, TSV or XLSX) as a purchased list and follow its import.

    Exits 1 if the upload is refused or the import fails."""
    client = IntakeClient(url, key)
    form = {
        "name": name, "vendor": vendor, "cost": cost, "currency": currency,
        "tags": ",".join(tags) if tags else None, "default_region": default_region,
        "purchased_on": purchased_on.date().isoformat() if purchased_on else None,
        "licence_expires_on": licence_expires_on.date().isoformat() if licence_expires_on
        else None,
        "mapping": mapping, "sheet": sheet,
    }  # fmt: skip
    accepted = _upload(client, "/lists", {k: v for k, v in form.items() if v is not None}, file)
    import_id = accepted["import_id"]
    if accepted.get("created", True):
        click.echo(
            f"uploaded {file.name}: list {accepted['list_id']}, import {import_id}", err=True
        )
    else:
        click.echo(f"{file.name} was already imported for this list: import {import_id} "
                   "(nothing new is created)", err=True)  # fmt: skip
    if not follow:
        click.echo(dump(accepted) if as_json else import_id)
        return
    job = _follow_or_explain(client, import_id, poll_interval, timeout)
    _finish(client, job, as_json)


@lists.command("status")
@click.argument("import_id")
@click.option("--follow", is_flag=True, help="Follow a running import to its end.")
@POLL
@click.option("--json", "as_json", is_flag=True, help="Print the import as JSON.")
@api_options
def status(import_id: str, follow: bool, poll_interval: float, as_json: bool,
           url: str | None, key: str | None) -> None:  # fmt: skip
    """Show an import's progress, or its quality report once it is done."""
    client = IntakeClient(url, key)
    job = client.json("GET", f"/imports/{import_id}")
    if follow and job["status"] not in FINAL:
        job = _follow_or_explain(client, import_id, poll_interval, None)
    if job["status"] in FINAL:
        _finish(client, job, as_json)
    else:
        click.echo(dump(job) if as_json else progress_line(job, width=terminal_width()))


@lists.command("errors")
@click.argument("import_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV here instead of standard output.")  # fmt: skip
@api_options
def errors(import_id: str, output: Path | None, url: str | None, key: str | None) -> None:
    """Download an import's rejected rows and dropped values as CSV (row, column, value, reason)."""
    response = IntakeClient(url, key).request("GET", f"/imports/{import_id}/errors", stream=True)
    with response:
        if output is None:
            out = sys.stdout.buffer
            for block in response.iter_content(1 << 16):
                out.write(block)
            return
        with output.open("wb") as f:
            for block in response.iter_content(1 << 16):
                f.write(block)
    click.echo(f"wrote {output}", err=True)


@lists.command("preview")
@click.argument("file", type=FILE)
@MAPPING
@SHEET
@click.option("--rows", "limit", type=click.IntRange(1, 20), default=10, show_default=True)
@click.option("--max-width", type=click.IntRange(4), default=24, show_default=True,
              help="Cut cells to this many characters.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the server's answer as JSON.")
@api_options
def preview(file: Path, mapping: str | None, sheet: str | None, limit: int, max_width: int,
            as_json: bool, url: str | None, key: str | None) -> None:  # fmt: skip
    """Show how FILE would be read (encoding, delimiter, for a workbook its sheets and the one
    read, header -> field, first rows); imports nothing."""
    form = {"mapping": mapping or "", "sheet": sheet or ""}
    answer = _upload(IntakeClient(url, key), "/lists/preview", form, file)
    if as_json:
        click.echo(dump(answer))
        return
    if answer.get("sheets"):
        click.echo(_sheets_line(answer["sheet"], answer["sheets"]))
    click.echo(preview_text(answer, limit, max_width))


def _sheets_line(read: str, sheets: list[str]) -> str:
    """sheet:     'Contacts' (sheets: 'Notes', 'Contacts'; choose one with --sheet)"""
    if len(sheets) == 1:
        return f"sheet:     {read!r}"
    names = ", ".join(repr(name) for name in sheets)
    return f"sheet:     {read!r} (sheets: {names}; choose one with --sheet)"


def _upload(client: IntakeClient, path: str, form: Mapping[str, str], file: Path) -> Any:
    size = file.stat().st_size
    if not is_tty() or size < 8 << 20:
        return client.upload(path, form, file)
    with click.progressbar(length=size, label=f"uploading {file.name}", file=sys.stderr) as bar:
        return client.upload(path, form, file, on_read=bar.update)


def _follow_or_explain(client: IntakeClient, import_id: str, interval: float,
                       timeout: float | None) -> dict[str, Any]:  # fmt: skip
    hint = f"the import goes on; follow it again with `rainmaker lists status {import_id} --follow`"
    try:
        return follow_import(client, import_id, interval, timeout)
    except KeyboardInterrupt:
        click.echo(f"\nstopped following: {hint}", err=True)
        raise SystemExit(130) from None
    except TimeoutError as exc:
        raise click.ClickException(f"{exc}; {hint}") from None


def _finish(client: IntakeClient, job: dict[str, Any], as_json: bool) -> None:
    import_id = job["import_id"]
    if as_json:
        click.echo(dump(job))
    elif job["status"] == "done":
        click.echo(quality_report(job, source_names(client, job)))
    where = f"{client.url}/imports/{import_id}/errors"
    if not as_json:
        click.echo(f"error CSV (rejected rows, dropped values): "
                   f"rainmaker lists errors {import_id} -o errors.csv   (GET {where})")  # fmt: skip
    if job["status"] == "failed":
        raise click.ClickException(f"import {import_id} failed: {job.get('error') or 'no reason'}")
