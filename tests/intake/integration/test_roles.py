"""Who may do what at intake: marketing imports and reads imports; a manager reads but never
imports; an account manager does neither; nobody without a key."""

from flask.testing import FlaskClient

from rainmaker_intake.service_layer.importer import run_import
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv

DATA = to_csv(person(i) for i in range(5))


def test_marketing_imports_manager_reads_account_manager_neither(
    client: FlaskClient, intake: Intake, keys: dict[str, dict[str, str]]
) -> None:
    as_am = Intake(client, intake.db, keys["account_manager"])
    as_manager = Intake(client, intake.db, keys["manager"])
    nobody = Intake(client, intake.db, {})

    for who, status in ((nobody, 401), (as_am, 403), (as_manager, 403)):
        r = who.upload(DATA, "Denied list")
        assert r.status_code == status, r.get_data(as_text=True)
        assert r.mimetype == "application/problem+json"
    assert client.get("/lists", headers=keys["marketing"]).json == []  # nothing was created

    r = intake.upload(DATA, "Allowed list")
    assert r.status_code == 202, r.get_data(as_text=True)
    import_id = r.json["import_id"]
    run_import(intake.db, import_id)

    reads = (f"/imports/{import_id}", f"/imports/{import_id}/errors", "/lists")
    for path in reads:
        assert client.get(path, headers=keys["marketing"]).status_code == 200, path
        assert client.get(path, headers=keys["manager"]).status_code == 200, path
        r = client.get(path, headers=keys["account_manager"])
        assert r.status_code == 403, path
        assert r.mimetype == "application/problem+json"
        assert client.get(path).status_code == 401, path
    assert intake.status(import_id)["accepted"] == 5

    # The other writes of intake are marketing's too.
    lead_id = intake.lead_id_of(person(0)["Email"])
    writes = (
        ("DELETE", f"/leads/{lead_id}", None),
        ("POST", "/suppressions", {"items": [{"kind": "email", "value": "x@y.com"}]}),
        ("POST", "/referrals", {"email": "r@y.com", "first_name": "R",
                                "referrer": {"type": "employee", "name": "Sam"}}),
    )  # fmt: skip
    for method, path, body in writes:
        for role in ("account_manager", "manager"):
            r = client.open(path, method=method, json=body, headers=keys[role])
            assert r.status_code == 403, (role, method, path)
    assert client.get(f"/leads/{lead_id}", headers=keys["manager"]).status_code == 200
    assert client.get(f"/leads/{lead_id}", headers=keys["account_manager"]).status_code == 403
    assert intake.contact_count() == 5
