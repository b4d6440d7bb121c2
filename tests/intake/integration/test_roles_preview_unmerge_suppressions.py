"""Who may preview a list, unmerge a lead and read or lift a suppression, as the views declare:
preview, unmerge and lifting are marketing's (a manager is refused too: previewing is marketing's
tool, and the other two are writes); a manager may read the suppression list; an account
manager may do none of it; nobody without a key. A refused call changes nothing."""

import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv

SUPPRESSED = "left-us@example.com"
DENIED = (("nobody", 401), ("account_manager", 403), ("manager", 403))


def as_role(keys: dict[str, dict[str, str]], who: str) -> dict[str, str]:
    return {} if who == "nobody" else keys[who]


def test_preview_is_marketing_only(
    client: FlaskClient, keys: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    data = to_csv(person(i) for i in range(3))

    def preview(headers: dict[str, str]) -> TestResponse:
        return client.post("/lists/preview", data={"file": (io.BytesIO(data), "l.csv")},
                           headers=headers, content_type="multipart/form-data")  # fmt: skip

    for who, status in DENIED:
        r = preview(as_role(keys, who))
        assert (r.status_code, r.mimetype) == (status, "application/problem+json"), who
    assert not (tmp_path / "uploads").exists()  # refused before anything was stored

    r = preview(keys["marketing"])
    assert r.status_code == 200, r.get_data(as_text=True)
    shown: Any = r.json
    assert len(shown["rows"]) == 3


def test_unmerge_is_marketing_only(
    client: FlaskClient, intake: Intake, keys: dict[str, dict[str, str]]
) -> None:
    done = intake.import_list(to_csv([person(11), person(11, Email="", City="Leeds")]),
                              "One file", default_region="GB")  # fmt: skip
    assert done["duplicates_in_file"] == 1
    lead_id = intake.lead_id_of(person(11)["Email"])
    [decision] = intake.lead(lead_id)["decisions"]
    path, body = f"/leads/{lead_id}/unmerge", {"decision_id": decision["decision_id"]}

    for who, status in DENIED:
        r = client.post(path, json=body, headers=as_role(keys, who))
        assert (r.status_code, r.mimetype) == (status, "application/problem+json"), who
    assert intake.lead(lead_id)["decisions"][0]["undone_at"] is None
    assert intake.contact_count() == 1

    r = client.post(path, json=body, headers=keys["marketing"])
    assert r.status_code == 201, r.get_data(as_text=True)
    assert intake.contact_count() == 2


def test_suppressions_are_read_by_marketing_and_managers_and_lifted_by_marketing(
    client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    r = client.post("/suppressions", json={"items": [{"kind": "email", "value": SUPPRESSED}]},
                    headers=keys["marketing"])  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)

    def listed(headers: dict[str, str]) -> list[str]:
        r = client.get("/suppressions", headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)
        found: Any = r.json
        return [x["value"] for x in found]

    assert listed(keys["marketing"]) == listed(keys["manager"]) == [SUPPRESSED]
    for who, status in (("nobody", 401), ("account_manager", 403)):
        r = client.get("/suppressions", headers=as_role(keys, who))
        assert (r.status_code, r.mimetype) == (status, "application/problem+json"), who

    path = f"/suppressions/email/{quote(SUPPRESSED)}"
    for who, status in DENIED:
        r = client.delete(path, headers=as_role(keys, who))
        assert (r.status_code, r.mimetype) == (status, "application/problem+json"), who
    assert listed(keys["marketing"]) == [SUPPRESSED]  # still there

    r = client.delete(path, headers=keys["marketing"])
    assert r.status_code == 204, r.get_data(as_text=True)
    assert listed(keys["marketing"]) == []
