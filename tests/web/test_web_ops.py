"""/healthz, /readyz, /metrics and the OpenAPI document are open; the spec declares auth."""

import json
import os
import subprocess
import sys


def test_healthz_open(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}


def test_readyz_ok_then_503_naming_the_failed_check(client, readiness):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json["checks"] == {"auth": "ok", "db": "ok"}
    readiness.broken = "connection refused"
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.mimetype == "application/problem+json"
    assert r.json["checks"]["db"] == "ConnectionError: connection refused"
    assert r.json["checks"]["auth"] == "ok"
    assert "db" in r.json["detail"]


def test_metrics_open_and_counts_requests(client, bearer):
    client.get("/contacts", headers=bearer("marketing"))
    client.get("/contacts")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    text = r.get_data(as_text=True)
    assert ('rainmaker_http_requests_total{endpoint="/contacts",method="GET",'
            'service="webtest",status="200"} 1.0') in text
    assert 'status="401"' in text
    assert "rainmaker_http_request_duration_seconds_bucket" in text


MULTIPROCESS_SCRIPT = """
import sys
from rainmaker_web import KeyStore, create_base_app
store = KeyStore(sys.argv[1])
store.migrate()
app, _ = create_base_app("mp", title="mp", version="1", readiness_checks={}, key_store=store)
client = app.test_client()
client.get("/healthz")
print(client.get("/metrics").get_data(as_text=True))
"""


def test_metrics_multiprocess_mode(tmp_path, auth_url):
    """With PROMETHEUS_MULTIPROC_DIR set (before prometheus_client is imported, as under
    gunicorn) samples go through the shared directory and MultiProcessCollector."""
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    out = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, auth_url], env=env,
                         capture_output=True, text=True, check=True, timeout=60).stdout
    assert any(metrics_dir.iterdir())  # samples were written to the shared directory
    assert ('rainmaker_http_requests_total{endpoint="/healthz",method="GET",service="mp",'
            'status="200"} 1.0') in out


def test_openapi_is_open_and_declares_bearer(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "rk_<id>_<secret>"}
    assert spec["security"] == [{"bearerAuth": []}]  # protected unless an operation says not
    contacts = spec["paths"]["/contacts"]
    assert contacts["post"]["security"] == [{"bearerAuth": []}]
    assert "401" in contacts["post"]["responses"]
    for path in ("/healthz", "/readyz", "/metrics"):
        assert spec["paths"][path]["get"]["security"] == []
    error = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert "application/problem+json" in error


def test_openapi_refs_resolve(client):
    spec = client.get("/openapi.json").json

    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from ([v] if k == "$ref" else refs(v))
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    for ref in refs(spec):
        target = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def test_openapi_document_is_valid_openapi(client):
    import openapi_spec_validator as validator

    validator.validate(json.loads(client.get("/openapi.json").get_data(as_text=True)))


def test_docs_page_open(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.get_data(as_text=True).lower()
