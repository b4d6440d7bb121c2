"""`rainmaker demo`: load a small demo data set through the public APIs and show where to look.

Everything goes through HTTP and the bus, as a user's data would: AMs in pipeline, two
purchased lists in intake, a few claims and closed deals by an AM. Re-running is safe: the
lists are de-duplicated by content and the AMs are upserted.
"""

import json
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click
import requests

from rainmaker_db import var_dir
from rainmaker_web import KeyStore, Role

DEMO_DIR = Path(__file__).resolve().parents[2] / "infra" / "demo"
PORTS = {"intake": 8001, "tagging": 8002, "pipeline": 8003, "matching": 8004}
AMS: list[dict[str, Any]] = [
    {
        "am_id": "am-ana",
        "name": "Ana Software",
        "capacity": 40,
        "specialty_tags": ["industry/software"],
        "territory_tags": [],
    },
    {
        "am_id": "am-ben",
        "name": "Ben Factories",
        "capacity": 40,
        "specialty_tags": ["industry/manufacturing"],
        "territory_tags": [],
    },
]
LISTS = [
    ("saas-buyers-emea.csv", "SaaS buyers EMEA", "ListCo", "1200.00", "industry/software"),
    (
        "manufacturing-leaders.csv",
        "Manufacturing leaders",
        "DataHaus",
        "800.00",
        "industry/manufacturing",
    ),
]


def url(service: str) -> str:
    port = os.environ.get(f"{service.upper()}_PORT", PORTS[service])
    return f"http://127.0.0.1:{port}"


def wait(what: str, probe: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise click.ClickException(f"timed out waiting for {what}")


class Client:
    def __init__(self, keys: dict[str, str]) -> None:
        self.keys = keys

    def call(self, method: str, service: str, path: str, key: str, **kw: Any) -> Any:
        r = requests.request(
            method,
            url(service) + path,
            timeout=30,
            headers={"Authorization": f"Bearer {self.keys[key]}"},
            **kw,
        )
        if r.status_code >= 400:
            raise click.ClickException(f"{method} {service}{path}: {r.status_code} {r.text}")
        return r.json()


def demo_keys() -> dict[str, str]:
    path = var_dir() / "demo-keys.json"
    store = KeyStore()
    store.migrate()
    if path.exists():
        keys: dict[str, str] = json.loads(path.read_text())
        if all(store.verify(k) for k in keys.values()):
            return keys
    keys = {
        r.value: store.create(r, label="demo") for r in (Role.ADMIN, Role.MARKETING, Role.MANAGER)
    }
    for am in AMS:
        am_id = str(am["am_id"])
        keys[am_id] = store.create(Role.ACCOUNT_MANAGER, am_id=am_id, label="demo")
    path.write_text(json.dumps(keys, indent=2))
    path.chmod(0o600)
    return keys


def _ready(service: str) -> bool:
    return requests.get(f"{url(service)}/readyz", timeout=3).ok


def _import_done(api: Client, import_id: str) -> bool:
    status = api.call("GET", "intake", f"/imports/{import_id}", "marketing")["status"]
    if status == "failed":
        raise click.ClickException(f"import {import_id} failed")
    return bool(status == "done")


def _assigned(api: Client, lead_id: str, am_id: str) -> bool:
    return bool(api.call("GET", "pipeline", f"/leads/{lead_id}", "admin").get("am_id") == am_id)


def load(api: Client) -> None:
    for am in AMS:
        body = {k: v for k, v in am.items() if k != "am_id"}
        api.call("PUT", "pipeline", f"/account-managers/{am['am_id']}", "admin", json=body)
    for file, name, vendor, cost, tags in LISTS:
        with (DEMO_DIR / file).open("rb") as f:
            form = {"name": name, "vendor": vendor, "cost": cost, "currency": "EUR", "tags": tags}
            job = api.call("POST", "intake", "/lists", "marketing", data=form, files={"file": f})
        done = wait(
            f"import of {file}",
            partial(_import_done, api, job["import_id"]),
        )
        click.echo(f"imported {file}: {done}")
    close_some_deals(api)


def close_some_deals(api: Client) -> None:
    """Ana claims three prospects and closes two as won, one as lost: her profile has history."""
    claims = api.call("GET", "matching", "/account-managers/am-ana/claims", "am-ana")
    if claims:
        return
    ranked = wait(
        "prospects for am-ana",
        lambda: api.call("GET", "matching", "/account-managers/am-ana/prospects?limit=3", "am-ana")[
            "items"
        ],
    )
    for i, item in enumerate(ranked[:3]):
        lead = item["lead_id"]
        api.call(
            "POST", "matching", "/account-managers/am-ana/claims", "am-ana", json={"lead_id": lead}
        )
        wait(
            f"{lead} assigned in pipeline",
            partial(_assigned, api, lead, "am-ana"),
        )
        for stage in ("lead", "opportunity"):
            api.call("POST", "pipeline", f"/leads/{lead}/stage", "am-ana", json={"to_stage": stage})
        api.call(
            "POST",
            "pipeline",
            f"/leads/{lead}/activities",
            "am-ana",
            json={"kind": "meeting", "notes": "Demo meeting: interested in CRM analytics"},
        )
        api.call(
            "POST",
            "pipeline",
            f"/leads/{lead}/deals",
            "am-ana",
            json={
                "outcome": "lost" if i == 2 else "won",
                "value_minor": 2_500_000,
                "currency": "EUR",
                "product": "Rainmaker Pro",
            },
        )


def show(api: Client) -> None:
    click.echo("\n== Rainmaker is running ==")
    for svc in PORTS:
        click.echo(f"  {svc:9s} {url(svc)}   docs: {url(svc)}/docs")
    click.echo("\n== API keys (demo; stored in var/demo-keys.json) ==")
    for who, key in api.keys.items():
        click.echo(f"  {who:10s} {key}")
    ranked = api.call("GET", "matching", "/account-managers/am-ana/prospects?limit=5", "am-ana")
    click.echo("\n== Ana's next 5 prospects ==")
    for item in ranked["items"]:
        click.echo(f"  {item['score']:.2f}  {item.get('company') or item['lead_id']}")
        for reason in item["reasons"][:2]:
            click.echo(f"          - {reason}")
    report = api.call("GET", "pipeline", "/reports/sources?group_by=list", "manager")
    click.echo("\n== Lead-source ROI (first touch, by list) ==")
    click.echo(f"  {'source':28s} {'cost':>10s} {'leads':>6s} {'won':>4s} {'revenue':>10s} roi")
    for row in report["rows"]:
        roi = "n/a" if row["roi"] is None else f"{row['roi']:.2f}"
        click.echo(
            f"  {row['label'][:28]:28s} {row['cost_minor'] / 100:10.2f} {row['leads']:6d} "
            f"{row['won']:4d} {row['revenue_minor'] / 100:10.2f} {roi}"
        )


@click.group()
def demo() -> None:
    """Demo data for a local run."""


@demo.command("load")
def load_command() -> None:
    """Wait for the services, load the demo data (idempotent) and print where to look."""
    for svc in PORTS:
        wait(f"{svc} readiness", partial(_ready, svc))
    api = Client(demo_keys())
    load(api)
    show(api)


@demo.command("show")
def show_command() -> None:
    """Print URLs, keys, an example matched list and the ROI table."""
    show(Client(demo_keys()))
