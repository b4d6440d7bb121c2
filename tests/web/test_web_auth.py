"""Authentication is on by default; roles are checked from the view's declaration."""

import pytest

from rainmaker_web import Principal, Role, am_scope, ensure_own_am, require_roles
from rainmaker_web.problems import ProblemError

PROBLEM = "application/problem+json"


def test_no_key_is_401_with_bearer_challenge(client):
    r = client.get("/contacts")
    assert r.status_code == 401
    assert r.mimetype == PROBLEM
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.json["status"] == 401


@pytest.mark.parametrize("header", [
    "Bearer nonsense",
    "Bearer rk_0123456789abcdef_not-the-secret",
    "Basic dXNlcjpwYXNz",
    "Bearer ",
])
def test_bad_key_is_401(client, header):
    r = client.get("/contacts", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.mimetype == PROBLEM
    assert "Bearer" in r.headers["WWW-Authenticate"]


def test_tampered_secret_is_401(client, key_store):
    key = key_store.create("marketing")
    r = client.get("/contacts", headers={"Authorization": f"Bearer {key[:-2]}xx"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_right_role_is_200_and_wrong_role_is_403(client, bearer):
    assert client.get("/contacts", headers=bearer("marketing")).status_code == 200
    r = client.get("/contacts", headers=bearer("account_manager", am_id="am-1"))
    assert r.status_code == 403
    assert r.mimetype == PROBLEM
    assert "account_manager" in r.json["detail"]


def test_admin_passes_every_role_check(client, bearer):
    admin = bearer("admin")
    assert client.get("/contacts", headers=admin).status_code == 200
    assert client.post("/contacts", json={"email": "a@b.co"}, headers=admin).status_code == 201
    assert client.get("/ams/am-9/prospects", headers=admin).status_code == 200
    assert client.delete("/widgets/w1", headers=admin).status_code == 200


def test_view_without_declared_roles_is_admin_only(client, bearer):
    """A forgotten @require_roles fails closed instead of opening the endpoint."""
    assert client.get("/admin-only").status_code == 401
    assert client.get("/admin-only", headers=bearer("manager")).status_code == 403
    assert client.get("/admin-only", headers=bearer("admin")).status_code == 200
    assert client.delete("/widgets/w1", headers=bearer("marketing")).status_code == 403


def test_public_view_needs_no_key(client):
    assert client.get("/open").json == {"open": True}


def test_manager_is_read_only(client, bearer):
    manager = bearer("manager")
    assert client.get("/contacts", headers=manager).status_code == 200
    # POST inferred as a write: manager refused even though the view lists it.
    assert client.get("/ams/am-1/prospects", headers=manager).status_code == 200
    r = client.post("/ams/am-1/prospects", headers=manager)
    assert r.status_code == 403
    assert "read-only" in r.json["detail"]
    # An explicit write=False (a search done by POST) lets the manager through.
    assert client.post("/widgets/w1", headers=manager).status_code == 200


def test_account_manager_sees_only_own(client, bearer):
    ada = bearer("account_manager", am_id="am-1")
    assert client.get("/ams/am-1/prospects", headers=ada).status_code == 200
    assert client.post("/ams/am-1/prospects", headers=ada).status_code == 200
    r = client.get("/ams/am-2/prospects", headers=ada)
    assert r.status_code == 403
    assert r.mimetype == PROBLEM


def test_revoked_key_rejected_at_once_in_this_process(client, key_store):
    key = key_store.create("marketing")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/contacts", headers=headers).status_code == 200
    assert key_store.revoke(key.split("_")[1])
    assert client.get("/contacts", headers=headers).status_code == 401


def test_current_principal_is_the_caller(client, key_store):
    key = key_store.create("account_manager", am_id="am-7")
    r = client.get("/ams/am-7/prospects", headers={"Authorization": f"Bearer {key}"})
    assert r.json == {"am_id": "am-7", "caller": key.split("_")[1]}


def test_ensure_own_am_rules():
    ada = Principal("k1", Role.ACCOUNT_MANAGER, "am-1")
    manager = Principal("k2", Role.MANAGER)
    admin = Principal("k3", Role.ADMIN)
    ensure_own_am(ada, "am-1", write=True)
    ensure_own_am(manager, "am-1")
    ensure_own_am(admin, "am-1", write=True)
    marketing = Principal("k4", Role.MARKETING)
    for principal, write in [(ada, False), (manager, True), (marketing, False)]:
        with pytest.raises(ProblemError) as caught:
            ensure_own_am(principal, "am-2" if principal is ada else "am-1", write=write)
        assert caught.value.status == 403


def test_am_scope():
    assert am_scope(Principal("k1", Role.ACCOUNT_MANAGER, "am-1")) == "am-1"
    assert am_scope(Principal("k2", Role.MANAGER)) is None


def test_require_roles_rejects_mistakes_at_import_time():
    with pytest.raises(ValueError):
        require_roles("manager", write=True)
    with pytest.raises(ValueError):
        require_roles("sales")
    with pytest.raises(ValueError):
        require_roles()
