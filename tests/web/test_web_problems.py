"""Every 4xx/5xx is an RFC 9457 problem; nothing about a crash leaks."""

import pytest
from flask import Flask

from rainmaker_web import register_error_map

PROBLEM = "application/problem+json"
MEMBERS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.json
    assert set(body) >= MEMBERS
    assert body["status"] == status
    assert body["instance"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_unknown_route_is_404_problem(client):
    body = assert_problem(client.get("/no/such/thing"), 404)
    assert body["type"] == "about:blank" and body["title"] == "Not Found"


def test_wrong_method_is_405_problem_with_allow(client):
    r = client.delete("/healthz")
    assert_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_too_large_body_is_413_problem(client, bearer):
    r = client.post("/contacts", data="x" * 2048, content_type="application/json",
                    headers=bearer("marketing"))
    assert_problem(r, 413)


def test_validation_error_is_422_with_location_and_field(client, bearer):
    r = client.post("/contacts", json={"email": "nope", "name": 5}, headers=bearer("marketing"))
    body = assert_problem(r, 422)
    assert body["errors"]["json"]["email"] == ["Not a valid email address."]
    assert "name" in body["errors"]["json"]


def test_malformed_json_is_400_problem(client, bearer):
    r = client.post("/contacts", data="{oops", content_type="application/json",
                    headers=bearer("marketing"))
    body = assert_problem(r, 400)
    assert body["errors"] == {"json": ["Invalid JSON body."]}


def test_bad_pagination_is_422_problem(client, bearer):
    body = assert_problem(client.get("/contacts?page_size=5000", headers=bearer("marketing")), 422)
    assert "page_size" in body["errors"]["query"]


def test_a_page_beyond_a_64_bit_offset_is_422_problem(client, bearer):
    body = assert_problem(client.get(f"/contacts?page={10**20}", headers=bearer("marketing")), 422)
    assert "page" in body["errors"]["query"]


def test_nul_characters_are_400_problems(client, bearer):
    headers = bearer("marketing")
    for r in (
        client.get("/leads/a%00b", headers=headers),
        client.get("/contacts?tag=a%00", headers=headers),
        client.post("/contacts", json={"email": "a@example.com", "name": ["x\x00"]},
                    headers=headers),
        client.post("/contacts", json={"email": "a@example.com", "x\x00": 1}, headers=headers),
        client.post("/contacts", data={"name": "x\x00"}, headers=headers),
    ):
        assert "NUL" in assert_problem(r, 400)["detail"]
    assert client.get("/contacts?tag=a%00").status_code == 401  # auth first


def test_unexpected_exception_is_opaque_500(client, bearer, caplog):
    r = client.get("/boom", headers=bearer("marketing"))
    body = assert_problem(r, 500)
    text = r.get_data(as_text=True)
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert body["request_id"] in caplog.text and "hunter2" in caplog.text  # logged, not sent


def test_problem_error_carries_detail_and_errors(client, bearer):
    body = assert_problem(client.get("/problem", headers=bearer("marketing")), 409)
    assert body["detail"] == "Lead is already claimed."
    assert body["errors"] == {"lead_id": ["held"]}


def test_domain_errors_go_through_the_one_table(client, bearer):
    body = assert_problem(client.get("/leads/L1", headers=bearer("marketing")), 404)
    assert body["detail"] == "no lead L1"
    assert_problem(client.get("/transition", headers=bearer("marketing")), 409)


def test_error_map_is_registered_once(app: Flask):
    with pytest.raises(RuntimeError):
        register_error_map(app, {KeyError: 404})


def test_error_map_rejects_non_error_status():
    with pytest.raises(ValueError):
        register_error_map(Flask("x"), {KeyError: 200})


def test_request_id_is_taken_or_minted(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    minted = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert minted.headers["X-Request-ID"] not in ("", "bad id <script>")
    assert len(minted.headers["X-Request-ID"]) == 32
