"""The matching API through Flask's test client: auth, status codes, bodies, problems."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from ..builders import am_event, deal, lead, new_id, stage, tagged

PROSPECTS = "/account-managers/{}/prospects"
CLAIMS = "/account-managers/{}/claims"


@pytest.fixture
def world(deliver) -> dict[str, str]:
    """Two AMs (am-1 has won software), a software lead and a finance lead."""
    deliver("account_manager.upserted", am_event("am-1", capacity=3))
    deliver("account_manager.upserted", am_event("am-2", capacity=3))
    won = new_id()
    deliver("leads.ingested", {"leads": [lead(won, tags=["industry/software"])]})
    deliver("deal.closed", deal(won, "am-1"))
    software, finance = new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(software, 1), lead(finance, 2)]})
    deliver(
        "leads.tagged",
        {"leads": [tagged(software, "industry/software"), tagged(finance, "industry/finance")]},
    )
    return {"software": software, "finance": finance}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", PROSPECTS), ("post", CLAIMS), ("get", CLAIMS)],
)
def test_every_endpoint_needs_a_key(client, method, path) -> None:
    response = getattr(client, method)(path.format("am-1"), json={"lead_id": "x"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "role", "am_id"),
    [
        ("get", PROSPECTS, "marketing", None),
        ("get", PROSPECTS, "account_manager", "am-2"),  # another AM's list
        ("post", CLAIMS, "marketing", None),
        ("post", CLAIMS, "manager", None),  # read-only
        ("post", CLAIMS, "account_manager", "am-2"),  # claiming for someone else
        ("get", CLAIMS, "marketing", None),
        ("get", CLAIMS, "account_manager", "am-2"),
    ],
)
def test_wrong_roles_and_other_ams_are_forbidden(
    client, bearer, world, method, path, role, am_id
) -> None:
    response = getattr(client, method)(
        path.format("am-1"), json={"lead_id": world["software"]}, headers=bearer(role, am_id)
    )
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("role", "am_id"), [("account_manager", "am-1"), ("manager", None)])
def test_the_am_and_managers_read_the_ranked_list(client, bearer, world, role, am_id) -> None:
    response = client.get(PROSPECTS.format("am-1"), headers=bearer(role, am_id))
    assert response.status_code == 200
    body = response.get_json()
    assert body["capacity_reached"] is False
    assert body["profile_basis"] == "won_deals"
    assert [i["lead_id"] for i in body["items"]] == [world["software"], world["finance"]]
    top = body["items"][0]
    assert top["score"] == 1.0
    assert top["reasons"] == ["industry/software: your one won deal"]
    assert top["tags"] == [{"tag": "industry/software", "confidence": 1.0, "origin": "rule"}]
    assert set(top) >= {"lead_id", "company", "industry", "region", "source", "stage"}


def test_filters_and_limit_in_the_query(client, bearer, world) -> None:
    headers = bearer("account_manager", "am-1")
    body = client.get(
        PROSPECTS.format("am-1") + "?tags=industry/finance&source=rented_list&limit=5",
        headers=headers,
    ).get_json()
    assert [i["lead_id"] for i in body["items"]] == [world["finance"]]
    body = client.get(PROSPECTS.format("am-1") + "?industry=software", headers=headers).get_json()
    assert [i["lead_id"] for i in body["items"]] == [world["software"]]
    assert (
        len(client.get(PROSPECTS.format("am-1") + "?limit=1", headers=headers).json["items"]) == 1
    )


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=x", "tags=software", "source=fax", "region="]
)
def test_bad_queries_are_422_problems(client, bearer, world, query) -> None:
    response = client.get(
        PROSPECTS.format("am-1") + "?" + query, headers=bearer("account_manager", "am-1")
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "errors" in response.get_json()


def test_unknown_am_is_404(client, bearer) -> None:
    response = client.get(PROSPECTS.format("am-9"), headers=bearer("account_manager", "am-9"))
    assert response.status_code == 404
    assert "am-9" in response.get_json()["detail"]


def test_claim_201_then_200_for_the_holder_and_409_for_anyone_else(client, bearer, world) -> None:
    mine, theirs = bearer("account_manager", "am-1"), bearer("account_manager", "am-2")
    body = {"lead_id": world["software"]}
    first = client.post(CLAIMS.format("am-1"), json=body, headers=mine)
    assert first.status_code == 201
    claim = first.get_json()
    assert (claim["lead_id"], claim["am_id"]) == (world["software"], "am-1")
    assert set(claim) == {"claim_id", "lead_id", "am_id", "claimed_at"}
    again = client.post(CLAIMS.format("am-1"), json=body, headers=mine)
    assert (again.status_code, again.get_json()) == (200, claim)
    taken = client.post(CLAIMS.format("am-2"), json=body, headers=theirs)
    assert taken.status_code == 409
    assert taken.mimetype == "application/problem+json"
    assert "already claimed" in taken.get_json()["detail"]
    # the claimed prospect left am-2's list
    listed = client.get(PROSPECTS.format("am-2"), headers=theirs).get_json()["items"]
    assert [i["lead_id"] for i in listed] == [world["finance"]]


def test_admin_may_claim_for_an_am(client, bearer, world) -> None:
    response = client.post(
        CLAIMS.format("am-2"), json={"lead_id": world["finance"]}, headers=bearer("admin")
    )
    assert response.status_code == 201


def test_claim_problems(client, bearer, world) -> None:
    mine = bearer("account_manager", "am-1")
    unknown = client.post(CLAIMS.format("am-1"), json={"lead_id": new_id()}, headers=mine)
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/problem+json"
    missing = client.post(CLAIMS.format("am-1"), json={}, headers=mine)
    assert missing.status_code == 422
    assert "lead_id" in json.dumps(missing.get_json()["errors"])


def test_capacity_reached_empties_the_list_and_refuses_claims(client, bearer, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1", capacity=1))
    a, b = new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(a, 1), lead(b, 2)]})
    mine = bearer("account_manager", "am-1")
    assert client.post(CLAIMS.format("am-1"), json={"lead_id": a}, headers=mine).status_code == 201
    body = client.get(PROSPECTS.format("am-1"), headers=mine).get_json()
    assert (body["capacity_reached"], body["open_claims"], body["items"]) == (True, 1, [])
    refused = client.post(CLAIMS.format("am-1"), json={"lead_id": b}, headers=mine)
    assert refused.status_code == 409
    assert "capacity" in refused.get_json()["detail"]


@pytest.mark.parametrize(("role", "am_id"), [("account_manager", "am-1"), ("manager", None)])
def test_list_claims_is_paginated(client, bearer, world, role, am_id) -> None:
    mine = bearer("account_manager", "am-1")
    for lead_id in (world["software"], world["finance"]):
        client.post(CLAIMS.format("am-1"), json={"lead_id": lead_id}, headers=mine)
    response = client.get(CLAIMS.format("am-1") + "?page_size=1", headers=bearer(role, am_id))
    assert response.status_code == 200
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    assert 'rel="next"' in response.headers["Link"]
    [item] = response.get_json()
    assert (item["lead_id"], item["status"], item["open"]) == (world["finance"], "claimed", True)


def test_openapi_documents_the_endpoints(client) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"/account-managers/{am_id}/prospects", "/account-managers/{am_id}/claims"} <= set(paths)
    assert {"200", "201", "404", "409"} <= set(
        paths["/account-managers/{am_id}/claims"]["post"]["responses"]
    )


def test_a_lead_assigned_in_pipeline_is_neither_shown_to_nor_claimable_by_other_ams(
    client, bearer, world, deliver
) -> None:
    # An admin assigned the finance lead to am-2 in pipeline: lead.stage_changed names its owner.
    deliver("lead.stage_changed", {**stage(world["finance"], "prospect"), "am_id": "am-2"})
    mine, theirs = bearer("account_manager", "am-1"), bearer("account_manager", "am-2")
    listed = client.get(PROSPECTS.format("am-1"), headers=mine).get_json()["items"]
    assert world["finance"] not in [i["lead_id"] for i in listed]
    taken = client.post(CLAIMS.format("am-1"), json={"lead_id": world["finance"]}, headers=mine)
    assert taken.status_code == 409 and taken.mimetype == "application/problem+json"
    # its owner may still record a claim on it
    own = client.post(CLAIMS.format("am-2"), json={"lead_id": world["finance"]}, headers=theirs)
    assert own.status_code == 201


def test_an_admins_later_reassignment_takes_a_claimed_lead_from_its_claimer(
    client, bearer, world, deliver
) -> None:
    mine = bearer("account_manager", "am-1")
    lead_id = world["finance"]
    assert (
        client.post(CLAIMS.format("am-1"), json={"lead_id": lead_id}, headers=mine).status_code
        == 201
    )
    # Pipeline announces an admin's reassignment as a stage change to the same stage.
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    deliver(
        "lead.stage_changed",
        {
            "lead_id": lead_id,
            "from_stage": "prospect",
            "to_stage": "prospect",
            "am_id": "am-2",
            "changed_at": later,
        },
    )
    [held] = client.get(CLAIMS.format("am-1"), headers=mine).get_json()
    # The claim stays in am-1's history, but the lead is no longer theirs to see or to count.
    assert (held["lead_id"], held["status"], held["open"]) == (lead_id, "reassigned", False)
    assert (held["company"], held["stage"]) == (None, None)
    body = client.get(PROSPECTS.format("am-1"), headers=mine).get_json()
    assert body["open_claims"] == 0
    assert lead_id not in [i["lead_id"] for i in body["items"]]
    # Claiming it again is no longer "already yours" for am-1, and am-2 is told it is theirs.
    again = client.post(CLAIMS.format("am-1"), json={"lead_id": lead_id}, headers=mine)
    assert again.status_code == 409, again.get_json()
    theirs = bearer("account_manager", "am-2")
    own = client.post(CLAIMS.format("am-2"), json={"lead_id": lead_id}, headers=theirs)
    assert own.status_code == 409 and "already yours" in own.get_json()["detail"]


def test_a_reassignment_older_than_the_claim_leaves_the_claim_alone(
    client, bearer, world, deliver
) -> None:
    """The admin's assignment was made before the claim but arrives after it: the later owner,
    the claimer, keeps the lead (pipeline ignores the older event's owner the same way)."""
    mine = bearer("account_manager", "am-1")
    lead_id = world["finance"]
    assert (
        client.post(CLAIMS.format("am-1"), json={"lead_id": lead_id}, headers=mine).status_code
        == 201
    )
    deliver("lead.stage_changed", {**stage(lead_id, "prospect"), "am_id": "am-2"})
    [held] = client.get(CLAIMS.format("am-1"), headers=mine).get_json()
    assert (held["status"], held["open"]) == ("claimed", True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        # one EXISTS per tag: thousands of them were a 500 from the database
        ("tags=" + ",".join(f"interest/t{i}" for i in range(3000)), "tags"),
        ("tags=" + ",".join(f"interest/t{i}" for i in range(21)), "tags"),
        ("industry=%20%20", "industry"),  # blank: matched nothing, silently
        ("region=%20", "region"),
        ("source_id=%20", "source_id"),
        ("industy=software", "industy"),  # a misspelt filter silently filtered nothing
        ("tag=industry/software", "tag"),
    ],
)
def test_bad_filters_are_422_problems_naming_the_field(client, bearer, world, query, field) -> None:
    response = client.get(
        PROSPECTS.format("am-1") + "?" + query, headers=bearer("account_manager", "am-1")
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in json.dumps(response.get_json()["errors"])
