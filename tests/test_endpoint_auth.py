"""Every endpoint of every service but health, readiness, metrics and docs needs a key (401),
and refuses a key of a role it does not list (403). Walks the real url maps, so a new endpoint
is covered without anyone remembering to add it here."""

import importlib
import re

import pytest
from flask import Flask

from rainmaker_web import KeyStore, Role

SERVICES = ("intake", "tagging", "pipeline", "matching")
PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/"}
ROLES = (Role.MARKETING, Role.ACCOUNT_MANAGER, Role.MANAGER)


@pytest.fixture
def key_store(tmp_path):
    store = KeyStore(f"sqlite:///{tmp_path / 'auth.db'}")
    store.migrate()
    return store


def build_app(service: str, tmp_path, monkeypatch, key_store: KeyStore) -> Flask:
    monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", f"sqlite:///{tmp_path / service}.db")
    monkeypatch.setenv("RAINMAKER_VAR_DIR", str(tmp_path))
    module = importlib.import_module(f"rainmaker_{service}.entrypoints.http")
    app: Flask = module.create_app(key_store=key_store)
    return app


def routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"x-\1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, path, method


def access_of(app: Flask, endpoint: str, method: str):
    view = app.view_functions[endpoint]
    targets = [view]
    cls = getattr(view, "view_class", None)
    if cls is not None:
        targets += [cls, getattr(cls, method.lower(), None)]
    found = [t._rainmaker_access for t in targets if hasattr(t, "_rainmaker_access")]
    return found[-1] if found else None


@pytest.mark.parametrize("service", SERVICES)
def test_every_endpoint_needs_a_key_of_an_allowed_role(service, tmp_path, monkeypatch, key_store):
    app = build_app(service, tmp_path, monkeypatch, key_store)
    client = app.test_client()
    keys = {
        role: key_store.create(role, am_id="am-someone" if role is Role.ACCOUNT_MANAGER else None)
        for role in ROLES
    }
    checked_401 = checked_403 = 0
    for rule, path, method in routes(app):
        if path in PUBLIC or path.startswith("/docs"):
            assert client.open(path, method=method).status_code not in (401, 403), path
            continue
        response = client.open(path, method=method)
        assert response.status_code == 401, f"{method} {path} without key: {response.status_code}"
        assert response.mimetype == "application/problem+json"
        checked_401 += 1
        access = access_of(app, rule.endpoint, method)
        allowed = set(access.roles) if access else set()
        write = access.write if access and access.write is not None else method != "GET"
        if write:
            allowed.discard(Role.MANAGER)
        for role in ROLES:
            if role in allowed:
                continue
            response = client.open(
                path, method=method, headers={"Authorization": f"Bearer {keys[role]}"}
            )
            assert response.status_code == 403, f"{method} {path} as {role}: {response.status_code}"
            checked_403 += 1
    assert checked_401 > 0 and checked_403 > 0
