"""Following an import: poll its progress until it ends, and name the sources it reports."""

import json
import shutil
import sys
import time
from collections.abc import Mapping
from typing import Any

import click

from rainmaker_intake.entrypoints.cli_client import ApiError, IntakeClient
from rainmaker_intake.entrypoints.cli_render import progress_line

FINAL = ("done", "failed")


def follow_import(client: IntakeClient, import_id: str, interval: float = 1.0,
                  timeout: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Poll GET /imports/{id} until done or failed, drawing a progress line on stderr (redrawn
    in place on a terminal; otherwise a line when the status changes and every 10 s)."""
    started = time.monotonic()
    first: tuple[float, int] | None = None
    printed, last_status, misses, drawn = 0.0, None, 0, 0
    while True:
        try:
            job: dict[str, Any] = client.json("GET", f"/imports/{import_id}")
            misses = 0
        except ApiError as exc:  # a restarting server is not the end of the import
            misses += 1
            if (exc.status is not None and exc.status < 500) or misses > 10:
                raise
            time.sleep(interval)
            continue
        now = time.monotonic()
        done = int(job.get("rows_done") or 0)
        if first is None and done:
            first = (now, done)
        rate = (done - first[1]) / (now - first[0]) if first and now > first[0] + 1 else None
        line = progress_line(job, rate, terminal_width())
        final = job["status"] in FINAL
        if is_tty():
            click.echo("\r" + line.ljust(drawn), nl=final, err=True)
            drawn = len(line)
        elif final or job["status"] != last_status or now - printed >= 10:
            click.echo(line, err=True)
            printed = now
        last_status = job["status"]
        if final:
            return job
        if timeout is not None and now - started > timeout:
            raise TimeoutError(f"import {import_id} still {job['status']} after {timeout:g} s")
        time.sleep(interval)


def source_names(client: IntakeClient, job: Mapping[str, Any]) -> dict[str, str]:
    """`rented_list:<id>` -> the list's name and vendor, for the lists the report names."""
    wanted = {
        s.split(":", 1)[1]: s
        for s in (job.get("quality") or {}).get("owned_by_source") or {}
        if s.startswith("rented_list:")
    }
    names: dict[str, str] = {}
    page = 1
    try:
        while wanted and page <= 20:
            response = client.request("GET", "/lists", params={"page": page, "page_size": 500})
            for item in response.json():
                source = wanted.pop(item["list_id"], None)
                if source:
                    vendor = f" ({item['vendor']})" if item.get("vendor") else ""
                    names[source] = f"list {item['name']!r}{vendor}"
            meta = json.loads(response.headers.get("X-Pagination") or "{}")
            if not meta.get("next_page"):
                break
            page += 1
    except (ApiError, ValueError, KeyError):
        pass  # names are a courtesy: the ids are shown instead
    return names


def is_tty() -> bool:
    return sys.stderr.isatty()


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns - 1
