"""The tagging API through Flask's test client: 401 without a key, 403 for the wrong role,
success for the right one, and problem+json for bad input."""

import json

import pytest

from .support import deliver, ingest, ingested_lead, last_tags, new_id

PROBLEM = "application/problem+json"


@pytest.fixture
def lead_id(db):
    lead = new_id()
    ingest(db, ingested_lead(lead, job_title="CTO", tags=["interest/cloud"]))
    return lead


def rule_body(**overrides):
    return {"tag": "industry/retail", "field": "company", "pattern": "shop", **overrides}


ENDPOINTS = [
    ("get", "/taxonomy", None),
    ("post", "/taxonomy", {"tag": "interest/ai", "label": "AI"}),
    ("get", "/rules", None),
    ("post", "/rules", rule_body()),
    ("patch", "/rules/1", {"enabled": False}),
    ("get", "/leads/{lead}/tags", None),
    ("put", "/leads/{lead}/tags", {"tags": ["interest/crm"]}),
]
ALLOWED = {
    ("get", "/taxonomy"): {"marketing", "manager", "admin"},
    ("post", "/taxonomy"): {"admin"},
    ("get", "/rules"): {"marketing", "manager", "admin"},
    ("post", "/rules"): {"marketing", "admin"},
    ("patch", "/rules/1"): {"marketing", "admin"},
    ("get", "/leads/{lead}/tags"): {"marketing", "manager", "admin"},
    ("put", "/leads/{lead}/tags"): {"marketing", "admin"},
}
ROLES = ("marketing", "manager", "account_manager", "admin")


def call(client, method, path, body, headers=None):
    return getattr(client, method)(path, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_needs_a_key_and_the_right_role(
    client, bearer, db, lead_id, method, path, body
):
    # A rule to PATCH exists before the role checks run.
    call(client, "post", "/rules", rule_body(), bearer("marketing"))
    url = path.format(lead=lead_id)
    response = call(client, method, url, body)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    for role in ROLES:
        headers = bearer(role, am_id="am-1" if role == "account_manager" else None)
        if method == "post" and path == "/taxonomy":
            body = {"tag": f"interest/ai_{role}", "label": "AI"}
        response = call(client, method, url, body, headers)
        if role in ALLOWED[(method, path)]:
            assert response.status_code in (200, 201), (role, response.get_json())
        else:
            assert response.status_code == 403, (role, response.get_json())
            assert response.mimetype == PROBLEM


def test_taxonomy_lists_pages_and_filters(client, bearer):
    response = client.get("/taxonomy?namespace=size&page_size=2", headers=bearer("manager"))
    assert response.status_code == 200
    assert [n["tag"] for n in response.get_json()] == ["size/enterprise", "size/large"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 5
    assert 'rel="next"' in response.headers["Link"]
    bad = client.get("/taxonomy?namespace=colour", headers=bearer("manager"))
    assert bad.status_code == 422 and bad.mimetype == PROBLEM


def test_taxonomy_writes_are_checked(client, bearer):
    admin = bearer("admin")
    created = client.post(
        "/taxonomy",
        json={"tag": "interest/crm/analytics", "label": "CRM BI", "parent": "interest/crm"},
        headers=admin,
    )
    assert created.status_code == 201
    assert created.get_json()["namespace"] == "interest"
    again = client.post(
        "/taxonomy", json={"tag": "interest/crm/analytics", "label": "x"}, headers=admin
    )
    assert again.status_code == 409 and again.mimetype == PROBLEM
    orphan = client.post(
        "/taxonomy",
        json={"tag": "interest/x", "label": "X", "parent": "interest/none"},
        headers=admin,
    )
    assert orphan.status_code == 422
    malformed = client.post("/taxonomy", json={"tag": "Interest X", "label": "X"}, headers=admin)
    assert malformed.status_code == 422
    assert "tag" in malformed.get_json()["errors"]["json"]
    # longer than the tag columns hold: PostgreSQL would refuse it as a 500
    too_long = client.post(
        "/taxonomy", json={"tag": "interest/" + "a" * 200, "label": "X"}, headers=admin
    )
    assert too_long.status_code == 422 and too_long.mimetype == PROBLEM
    assert "tag" in too_long.get_json()["errors"]["json"]


def test_rules_are_created_listed_and_changed(client, bearer):
    marketing = bearer("marketing")
    created = client.post(
        "/rules",
        json=rule_body(kind="regex", pattern=r"\bshop\b", confidence=0.55),
        headers=marketing,
    )
    assert created.status_code == 201
    rule = created.get_json()
    assert rule["kind"] == "regex" and rule["enabled"] is True and rule["confidence"] == 0.55
    assert rule["created_at"].endswith("+00:00")
    listed = client.get("/rules?tag=industry/retail", headers=bearer("manager"))
    assert [r["rule_id"] for r in listed.get_json()] == [rule["rule_id"]]
    changed = client.patch(f"/rules/{rule['rule_id']}", json={"enabled": False}, headers=marketing)
    assert changed.status_code == 200 and changed.get_json()["enabled"] is False
    assert client.get("/rules?enabled=true", headers=marketing).get_json() == []
    for rule_id in ("9999", "abc", "²"):
        missing = client.patch(f"/rules/{rule_id}", json={"enabled": False}, headers=marketing)
        assert missing.status_code == 404 and missing.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (rule_body(tag="industry/unknown"), None),
        (rule_body(kind="regex", pattern="(unclosed"), None),
        (rule_body(field="email"), "field"),
        (rule_body(confidence=0), "confidence"),
        (rule_body(pattern=""), "pattern"),
    ],
)
def test_bad_rules_are_422(client, bearer, body, field):
    response = client.post("/rules", json=body, headers=bearer("marketing"))
    assert response.status_code == 422 and response.mimetype == PROBLEM
    if field:
        assert field in response.get_json()["errors"]["json"]


def test_lead_tags_are_read_and_corrected(client, bearer, db, lead_id):
    view = client.get(f"/leads/{lead_id}/tags", headers=bearer("manager")).get_json()
    assert {t["tag"]: t["origin"] for t in view["tags"]} == {
        "interest/cloud": "list",
        "role/executive": "derived",
        "role/engineering": "derived",
    }
    assert all(t["reason"] for t in view["tags"])
    assert view["model_version"] is None

    response = client.put(
        f"/leads/{lead_id}/tags",
        json={"tags": ["interest/security"], "rejected": ["role/engineering"]},
        headers=bearer("marketing"),
    )
    assert response.status_code == 200
    assert {t["tag"] for t in response.get_json()["tags"]} == {
        "interest/cloud",
        "role/executive",
        "interest/security",
    }
    assert set(last_tags(db, lead_id)) == {"interest/cloud", "role/executive", "interest/security"}


def test_lead_tag_errors(client, bearer, db, lead_id):
    marketing = bearer("marketing")
    assert client.get(f"/leads/{new_id()}/tags", headers=marketing).status_code == 404
    unknown = client.put(
        f"/leads/{lead_id}/tags", json={"tags": ["interest/telepathy"]}, headers=marketing
    )
    assert unknown.status_code == 422 and "telepathy" in unknown.get_json()["detail"]
    malformed = client.put(
        f"/leads/{lead_id}/tags", json={"tags": ["not a tag"]}, headers=marketing
    )
    assert malformed.status_code == 422
    survivor = new_id()
    ingest(db, ingested_lead(survivor))
    deliver(
        db,
        "leads.merged",
        {
            "merges": [
                {
                    "merge_id": "m",
                    "survivor_id": survivor,
                    "merged_id": lead_id,
                    "rule": "email",
                    "score": 1.0,
                },
            ]
        },
        "intake",
    )
    merged = client.get(f"/leads/{lead_id}/tags", headers=marketing)
    assert merged.status_code == 409 and survivor in merged.get_json()["detail"]


def test_openapi_documents_the_endpoints_and_no_model_endpoints(client):
    spec = client.get("/openapi.json").get_json()
    assert {"/taxonomy", "/rules", "/rules/{rule_id}", "/leads/{lead_id}/tags"} <= set(
        spec["paths"]
    )
    assert not any(p.startswith("/models") for p in spec["paths"])
    assert client.get("/healthz").status_code == 200


def test_refused_input_names_the_field_at_fault(client, bearer, lead_id):
    """Per-field messages (DESIGN 6) also when the service, not the schema, refuses: a user who
    sent tags and rejected tags learns which list holds the unknown tag."""
    marketing, admin = bearer("marketing"), bearer("admin")
    cases = [
        (client.put, f"/leads/{lead_id}/tags",
         {"tags": ["interest/crm"], "rejected": ["interest/telepathy"]}, marketing, "rejected"),
        (client.put, f"/leads/{lead_id}/tags", {"tags": ["interest/telepathy"]}, marketing, "tags"),
        (client.put, f"/leads/{lead_id}/tags",
         {"tags": ["interest/crm"], "rejected": ["interest/crm"]}, marketing, "rejected"),
        (client.post, "/rules", rule_body(tag="industry/unknown"), marketing, "tag"),
        (client.post, "/rules", rule_body(kind="regex", pattern="(unclosed"), marketing, "pattern"),
        (client.post, "/rules", rule_body(pattern="   "), marketing, "pattern"),
        (client.post, "/taxonomy", {"tag": "interest/x", "label": "X", "parent": "interest/none"},
         admin, "parent"),
        (client.post, "/taxonomy", {"tag": "interest/x", "label": "  "}, admin, "label"),
        (client.post, "/taxonomy", {"tag": "interest/x", "label": "X", "parent": "region/emea"},
         admin, "parent"),
    ]  # fmt: skip
    for method, url, body, headers, field in cases:
        response = method(url, json=body, headers=headers)
        assert response.status_code == 422 and response.mimetype == PROBLEM, body
        problem = response.get_json()
        assert problem["detail"], body
        assert list(problem.get("errors", {}).get("json", {})) == [field], (body, problem)
