"""A small list goes in at intake and comes out, tagged, as an AM's matched prospects; pipeline
records every lead with its source. Through HTTP, gunicorn, the broker and all relays."""

import requests

from tests.e2e.stack import Stack

CSV = (
    "First Name,Last Name,E-mail Address,Company Name,Job Title\n"
    "Ada,Lovelace,ada@analytical.example,Analytical Engines Ltd,CTO\n"
    "Grace,Hopper,grace@navy.example,US Navy,Director of Engineering\n"
    "Alan,Turing,alan@bletchley.example,Bletchley Park,Software Engineer\n"
    "Bad,Row,,No Email Inc,CEO\n"
)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_list_to_matched_prospects(stack: Stack) -> None:
    admin = stack.run_cli("keys", "create", "--role", "admin")
    marketing = stack.run_cli("keys", "create", "--role", "marketing")

    r = requests.post(
        f"{stack.url('pipeline')}/account-managers",
        json={
            "am_id": "am-1",
            "name": "Ann Manager",
            "capacity": 50,
            "specialty_tags": ["industry/software"],
        },
        headers=auth(admin),
        timeout=10,
    )
    assert r.status_code == 201, r.text
    am_key = stack.run_cli("keys", "create", "--role", "account_manager", "--am", "am-1")

    # The account manager may not import lists.
    files = {"file": ("ai-pioneers.csv", CSV.encode(), "text/csv")}
    form = {
        "name": "AI pioneers",
        "vendor": "ListCo",
        "cost": "150.00",
        "currency": "EUR",
        "tags": "industry/software,interest/ai",
    }
    denied = requests.post(
        f"{stack.url('intake')}/lists", data=form, files=files, headers=auth(am_key), timeout=10
    )
    assert denied.status_code == 403

    r = requests.post(
        f"{stack.url('intake')}/lists", data=form, files=files, headers=auth(marketing), timeout=10
    )
    assert r.status_code == 202, r.text
    import_id, list_id = r.json()["import_id"], r.json()["list_id"]

    def import_done() -> dict | None:
        body = requests.get(
            f"{stack.url('intake')}/imports/{import_id}", headers=auth(marketing), timeout=10
        ).json()
        return body if body["status"] in ("done", "failed") else None

    report = stack.wait_for(import_done, timeout=60, message=f"import {import_id} to finish")
    assert report["status"] == "done", report
    assert (report["rows_total"], report["accepted"], report["rejected"]) == (4, 3, 1)

    # Matching hears of am-1 from pipeline's account_manager.upserted: until it has, it
    # answers 404 for am-1, which is "not yet", not a failure.
    def matched() -> list | None:
        r = requests.get(
            f"{stack.url('matching')}/account-managers/am-1/prospects?limit=10",
            headers=auth(am_key),
            timeout=10,
        )
        assert r.status_code in (200, 404), r.text
        if r.status_code == 404:
            return None
        items = r.json()["items"]
        return items if len(items) == 3 else None

    items = stack.wait_for(matched, timeout=60, message="three matched prospects for am-1")
    for item in items:
        assert item["score"] > 0 and item["reasons"], item
        assert "industry/software" in {t["tag"] for t in item["tags"]}
        assert item["source"]["id"] == list_id

    # Tagging holds the list's tags with their origin; pipeline holds the lead and its source.
    # Matching takes a list's tags from leads.ingested itself, so tagging may not have the lead
    # yet when the prospects show: wait for it rather than read once.
    lead_id = items[0]["lead_id"]

    def tagged() -> dict | None:
        r = requests.get(
            f"{stack.url('tagging')}/leads/{lead_id}/tags", headers=auth(marketing), timeout=10
        )
        assert r.status_code in (200, 404), r.text
        return r.json() if r.status_code == 200 else None

    tags = stack.wait_for(tagged, timeout=60, message=f"lead {lead_id} in tagging")
    assert any(t["tag"] == "interest/ai" and t["origin"] == "list" for t in tags["tags"]), tags

    def in_pipeline() -> dict | None:
        r = requests.get(
            f"{stack.url('pipeline')}/leads/{lead_id}", headers=auth(admin), timeout=10
        )
        # A placeholder (an event that overtook leads.ingested) has no touches yet.
        return r.json() if r.status_code == 200 and r.json()["touches"] else None

    lead = stack.wait_for(in_pipeline, timeout=60, message="lead in pipeline")
    assert lead["touches"][0]["source_id"] == list_id, lead

    # Another AM's key cannot read am-1's prospects.
    other = stack.run_cli("keys", "create", "--role", "account_manager", "--am", "am-2")
    r = requests.get(
        f"{stack.url('matching')}/account-managers/am-1/prospects", headers=auth(other), timeout=10
    )
    assert r.status_code == 403
