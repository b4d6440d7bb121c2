"""Every pipeline endpoint: 401 without a key, 403 for the wrong role, and what it does."""

import csv
import io

import pytest

from ..events import ingested, lead, list_imported, new_id, source

PROBLEM = "application/problem+json"
ENDPOINTS = [
    ("post", "/account-managers"),
    ("put", "/account-managers/am-1"),
    ("get", "/account-managers"),
    ("get", "/account-managers/am-1"),
    ("get", "/leads/l-1"),
    ("post", "/leads/l-1/assignment"),
    ("post", "/leads/l-1/stage"),
    ("post", "/leads/l-1/activities"),
    ("post", "/leads/l-1/deals"),
    ("post", "/costs"),
    ("get", "/costs"),
    ("get", "/reports/sources"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_a_key(client, method, path):
    r = getattr(client, method)(path, json={})
    assert r.status_code == 401 and r.mimetype == PROBLEM


@pytest.fixture
def am(client, bearer):
    """A fresh account manager (made through the API) and their key's headers."""
    r = client.post(
        "/account-managers", json={"name": "Ann", "capacity": 20}, headers=bearer("admin")
    )
    assert r.status_code == 201, r.json
    am_id = r.json["am_id"]
    return am_id, bearer("account_manager", am_id=am_id)


@pytest.fixture
def their_lead(client, bearer, deliver, am):
    """A lead ingested through the consumer's handler and assigned to `am` by an admin."""
    lead_id = new_id()
    deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
    r = client.post(f"/leads/{lead_id}/assignment", json={"am_id": am[0]}, headers=bearer("admin"))
    assert r.status_code == 200 and r.json["stage"] == "prospect"
    return lead_id


def test_account_managers_admin_writes_manager_reads(client, bearer, published):
    body = {
        "name": "Bo",
        "capacity": 5,
        "email": "bo@example.com",
        "specialty_tags": ["industry/software"],
    }
    for role in ("marketing", "manager"):
        assert client.post("/account-managers", json=body, headers=bearer(role)).status_code == 403
    for bad in ("bogus", "industry/software/", "industry//software"):
        refused = client.post(
            "/account-managers", json={**body, "specialty_tags": [bad]}, headers=bearer("admin")
        )
        assert refused.status_code == 422, bad
    created = client.post(
        "/account-managers", json={**body, "am_id": "am-bo"}, headers=bearer("admin")
    )
    assert created.status_code == 201 and created.json["am_id"] == "am-bo"
    assert (
        client.post(
            "/account-managers", json={**body, "am_id": "am-bo"}, headers=bearer("admin")
        ).status_code
        == 409
    )
    put = client.put(
        "/account-managers/am-bo", json={**body, "capacity": 9}, headers=bearer("admin")
    )
    assert put.status_code == 200 and put.json["capacity"] == 9
    put_new = client.put(
        "/account-managers/am-cy", json={"name": "Cy", "capacity": 1}, headers=bearer("admin")
    )
    assert put_new.status_code == 201
    assert (
        client.put(
            "/account-managers/am-cy", json={"name": "Cy", "capacity": 1}, headers=bearer("manager")
        ).status_code
        == 403
    )
    assert [e["am_id"] for e in published("account_manager.upserted")] == ["am-bo"] * 2 + ["am-cy"]
    listed = client.get("/account-managers?page_size=1", headers=bearer("manager"))
    assert listed.status_code == 200 and [a["name"] for a in listed.json] == ["Bo"]
    assert '"total": 2' in listed.headers["X-Pagination"]
    assert client.get("/account-managers", headers=bearer("marketing")).status_code == 403
    own = bearer("account_manager", am_id="am-bo")
    assert client.get("/account-managers", headers=own).status_code == 403
    assert client.get("/account-managers/am-bo", headers=own).json["name"] == "Bo"
    assert client.get("/account-managers/am-cy", headers=own).status_code == 403
    assert client.get("/account-managers/am-cy", headers=bearer("manager")).status_code == 200
    assert client.get("/account-managers/nobody", headers=bearer("admin")).status_code == 404


def test_assignment_is_for_admins(client, bearer, deliver, am):
    lead_id = new_id()
    deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
    path = f"/leads/{lead_id}/assignment"
    for headers in (bearer("manager"), bearer("marketing"), am[1]):
        assert client.post(path, json={"am_id": am[0]}, headers=headers).status_code == 403
    r = client.post(path, json={"am_id": "ghost"}, headers=bearer("admin"))
    assert r.status_code == 422 and "ghost" in r.json["detail"]
    r = client.post("/leads/nope/assignment", json={"am_id": am[0]}, headers=bearer("admin"))
    assert r.status_code == 404 and r.mimetype == PROBLEM


def test_an_am_moves_their_own_lead(client, bearer, am, their_lead, published):
    path = f"/leads/{their_lead}/stage"
    r = client.post(path, json={"to_stage": "lead", "reason": "called"}, headers=am[1])
    assert r.status_code == 200 and r.json["stage"] == "lead"
    assert r.json["allowed_next_stages"] == ["opportunity", "discarded", "nurture"]
    assert published("lead.stage_changed")[-1]["to_stage"] == "lead"
    for role in ("manager", "marketing"):
        assert (
            client.post(path, json={"to_stage": "nurture"}, headers=bearer(role)).status_code == 403
        )
    other = bearer("account_manager", am_id="someone-else")
    assert client.post(path, json={"to_stage": "nurture"}, headers=other).status_code == 403
    assert (
        client.post(path, json={"to_stage": "nurture"}, headers=bearer("admin")).status_code == 200
    )


def test_an_illegal_move_is_a_409_naming_the_allowed_stages(client, am, their_lead):
    r = client.post(f"/leads/{their_lead}/stage", json={"to_stage": "opportunity"}, headers=am[1])
    assert r.status_code == 409 and r.mimetype == PROBLEM
    assert "from prospect to opportunity" in r.json["detail"]
    assert "allowed next stages from prospect: lead, discarded, nurture" in r.json["detail"]
    r = client.post(f"/leads/{their_lead}/stage", json={"to_stage": "won"}, headers=am[1])
    assert r.status_code == 422 and "/deals" in r.json["detail"]
    r = client.post(f"/leads/{their_lead}/stage", json={"to_stage": "hot"}, headers=am[1])
    assert r.status_code == 422 and "to_stage" in r.json["errors"]["json"]


def test_activities_and_deals(client, bearer, am, their_lead, published):
    acts = f"/leads/{their_lead}/activities"
    assert client.post(acts, json={"kind": "call"}, headers=bearer("manager")).status_code == 403
    r = client.post(acts, json={"kind": "meeting", "notes": "demo went well"}, headers=am[1])
    assert r.status_code == 201 and r.json["am_id"] == am[0]
    assert published("activity.logged")[0]["notes"] == "demo went well"
    assert client.post(acts, json={"kind": "lunch"}, headers=am[1]).status_code == 422
    for stage in ("lead", "opportunity"):
        client.post(f"/leads/{their_lead}/stage", json={"to_stage": stage}, headers=am[1])
    deals = f"/leads/{their_lead}/deals"
    deal = {"outcome": "won", "value_minor": 990_00, "currency": "EUR", "product": "CRM"}
    assert client.post(deals, json=deal, headers=bearer("manager")).status_code == 403
    assert client.post(deals, json={**deal, "currency": "euro"}, headers=am[1]).status_code == 422
    r = client.post(deals, json=deal, headers=am[1])
    assert r.status_code == 201 and r.json["value_minor"] == 990_00
    assert published("deal.closed")[0]["deal_id"] == r.json["deal_id"]
    assert client.post(deals, json=deal, headers=am[1]).status_code == 409  # already won


def test_reading_a_lead(client, bearer, am, their_lead):
    client.post(f"/leads/{their_lead}/activities", json={"kind": "call"}, headers=am[1])
    path = f"/leads/{their_lead}"
    for headers in (am[1], bearer("manager"), bearer("admin")):
        r = client.get(path, headers=headers)
        assert r.status_code == 200
        assert [h["to_stage"] for h in r.json["stage_history"]] == ["prospect"]
        assert [a["kind"] for a in r.json["activities"]] == ["call"]
        assert r.json["touches"][0]["source_type"] == "web"
    assert client.get(path, headers=bearer("marketing")).status_code == 403
    other = bearer("account_manager", am_id="someone-else")
    assert client.get(path, headers=other).status_code == 403
    assert client.get("/leads/nope", headers=bearer("manager")).status_code == 404


def test_costs(client, bearer):
    cost = {
        "source_type": "event",
        "source_id": "expo",
        "amount_minor": 150_000,
        "currency": "EUR",
        "period": "2026-03",
        "note": "stand",
    }
    assert client.post("/costs", json=cost, headers=bearer("manager")).status_code == 403
    assert (
        client.post("/costs", json=cost, headers=bearer("account_manager", am_id="a")).status_code
        == 403
    )
    assert (
        client.post(
            "/costs", json={**cost, "period": "March"}, headers=bearer("marketing")
        ).status_code
        == 422
    )
    for period, status in (("2026-02-31", 422), ("2026-04-31", 422), ("2028-02-29", 201)):
        r = client.post("/costs", json={**cost, "period": period}, headers=bearer("marketing"))
        assert r.status_code == status, (period, r.get_data(as_text=True))
    r = client.post("/costs", json=cost, headers=bearer("marketing"))
    assert r.status_code == 201 and r.json["cost_id"]
    for role in ("marketing", "manager"):
        listed = client.get("/costs", headers=bearer(role))
        assert listed.status_code == 200 and listed.json[0]["amount_minor"] == 150_000
    assert client.get("/costs", headers=bearer("account_manager", am_id="a")).status_code == 403


def test_source_report_json_and_csv(client, bearer, deliver):
    deliver("list.imported", list_imported("L-http", '=HYPERLINK("x")', "DataCo", 40_000))
    deliver(
        "leads.ingested",
        ingested(
            lead(new_id(), source("rented_list", "L-http")),
            lead(new_id(), source("rented_list", "L-http")),
        ),
    )
    url = "/reports/sources?attribution=first_touch&group_by=list"
    for role in ("manager", "marketing", "admin"):
        r = client.get(url, headers=bearer(role))
        assert r.status_code == 200
    [row] = r.json["rows"]
    assert (row["leads"], row["cost_minor"], row["cost_per_lead_minor"]) == (2, 40_000, 20_000)
    assert r.json["currency"] == "EUR"
    assert client.get(url, headers=bearer("account_manager", am_id="a")).status_code == 403
    r = client.get(url, headers={**bearer("manager"), "Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    header, line = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert header[:4] == ["group", "label", "cost_minor", "leads"]
    assert line[1].startswith("'=")  # formula injection neutralised
    assert line[2:4] == ["40000", "2"]
    # Money is in minor units of one currency: each row says which, and how it was credited.
    assert header[-2:] == ["currency", "attribution"] and line[-2:] == ["EUR", "first_touch"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("attribution=linear", "linear attribution model is not available yet"),
        ("attribution=position_based", "position_based attribution model is not available"),
        ("attribution=astrology", None),
        ("group_by=colour", None),
        ("currency=eur", None),
    ],
)
def test_source_report_refusals(client, bearer, query, expected):
    r = client.get(f"/reports/sources?{query}", headers=bearer("manager"))
    assert r.status_code == 422 and r.mimetype == PROBLEM
    if expected:
        assert expected in r.json["detail"]


def test_openapi_and_health_need_no_key(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert "/leads/{lead_id}/deals" in spec.json["paths"]
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def their_opportunity(client, am, their_lead):
    for stage in ("lead", "opportunity"):
        r = client.post(f"/leads/{their_lead}/stage", json={"to_stage": stage}, headers=am[1])
        assert r.status_code == 200
    return their_lead


@pytest.mark.parametrize(
    ("what", "body", "field"),
    [
        ("deals", {"outcome": "won", "value_minor": 2**63, "currency": "EUR"}, "value_minor"),
        ("deals", {"outcome": "won", "value_minor": 10**30, "currency": "EUR"}, "value_minor"),
        (
            "deals",
            {
                "outcome": "lost",
                "value_minor": 0,
                "currency": "EUR",
                "closed_at": "0001-01-01T00:00:00+05:00",
            },
            "closed_at",
        ),
        ("activities", {"kind": "call", "occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
        ("activities", {"kind": "call", "occurred_at": "9999-12-31T23:00:00-05:00"}, "occurred_at"),
    ],
)
def test_out_of_range_numbers_and_times_are_422_not_500(
    client, am, their_opportunity, what, body, field
):
    r = client.post(f"/leads/{their_opportunity}/{what}", json=body, headers=am[1])
    assert (r.status_code, r.mimetype) == (422, PROBLEM), r.get_data(as_text=True)
    assert field in r.json["errors"]["json"]


def test_a_huge_cost_or_page_is_422_not_500(client, bearer):
    cost = {"source_type": "event", "source_id": "expo", "amount_minor": 10**30, "currency": "EUR"}
    r = client.post("/costs", json=cost, headers=bearer("marketing"))
    assert (r.status_code, r.mimetype) == (422, PROBLEM)
    assert "amount_minor" in r.json["errors"]["json"]
    for path in ("/costs", "/account-managers"):
        r = client.get(f"{path}?page={10**20}", headers=bearer("manager"))
        assert (r.status_code, r.mimetype) == (422, PROBLEM), path
        assert "page" in r.json["errors"]["query"]


def test_an_account_manager_id_in_the_path_is_checked_like_one_in_the_body(client, bearer):
    body = {"name": "Cy", "capacity": 1}
    # too long for the columns; not [A-Za-z0-9._:-]
    for am_id in ("a" * 65, "am%20cy", "am-%C3%A9"):
        r = client.put(f"/account-managers/{am_id}", json=body, headers=bearer("admin"))
        assert (r.status_code, r.mimetype) == (422, PROBLEM), am_id
        assert "am_id" in r.json["errors"]["path"]
    r = client.put("/account-managers/am.cy:1", json=body, headers=bearer("admin"))
    assert r.status_code == 201


def test_too_deeply_nested_json_is_a_400(client, am, their_lead):
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post(f"/leads/{their_lead}/activities", data=deep,
                    content_type="application/json", headers=am[1])  # fmt: skip
    assert (r.status_code, r.mimetype) == (400, PROBLEM)
    assert "nested" in r.json["detail"]
