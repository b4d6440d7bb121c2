"""Odd input is a 4xx problem, never a 500, on SQLite and PostgreSQL alike: integers beyond
64 bits, and NUL characters (which PostgreSQL text cannot hold) in paths, queries and bodies."""

import io

from flask.testing import FlaskClient

from tests.intake.integration.people import person, to_csv

PROBLEM = "application/problem+json"


def test_a_decision_id_beyond_64_bits_is_a_422(
    client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    for decision_id in (2**63, 10**30, -(10**30)):
        r = client.post("/leads/x/unmerge", json={"decision_id": decision_id},
                        headers=keys["marketing"])  # fmt: skip
        assert (r.status_code, r.mimetype) == (422, PROBLEM), decision_id
        assert "decision_id" in r.json["errors"]["json"]


def test_a_nul_character_is_a_400(client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    marketing = keys["marketing"]
    for method, path, body in (
        ("GET", "/leads/a%00b", None),
        ("GET", "/imports/a%00b/errors", None),
        ("GET", "/suppressions?kind=email%00", None),
        ("POST", "/suppressions", {"items": [{"kind": "domain", "value": "a\x00.example"}]}),
        ("POST", "/referrals", {"first_name": "A\x00", "email": "a@example.com",
                                "referrer": {"name": "Bo"}}),
    ):  # fmt: skip
        r = client.open(path, method=method, json=body, headers=marketing)
        assert (r.status_code, r.mimetype) == (400, PROBLEM), (path, r.get_data(as_text=True))
        assert "NUL" in r.json["detail"]


def test_a_very_long_file_name_is_kept_shortened_not_a_500(
    client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    data = to_csv(person(i) for i in range(2))
    name = "x" * 400 + ".csv"
    r = client.post("/lists", data={"file": (io.BytesIO(data), name), "name": "Long name"},
                    headers=keys["marketing"], content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 202, r.get_data(as_text=True)
