"""`list.imported` is what pipeline prices a list by: each finished import stages exactly one
(in the outbox, in the transaction that finishes it), valid by its contract, with the list's
metadata and cost as uploaded and counts equal to what GET /imports/{id} reports; nothing is
staged before the job runs, for a re-upload of the same file or for a redelivered job."""

from typing import Any

from rainmaker_contracts import validate_data
from rainmaker_intake.service_layer.importer import run_import
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv

COUNTS = ("rows_total", "accepted", "duplicates_in_file", "duplicates_existing", "suppressed",
          "rejected")  # fmt: skip
SUPPRESSED = [person(50)["Email"], person(51)["Email"]]


def imported_for(intake: Intake, import_id: str) -> list[dict[str, Any]]:
    return [e for e in intake.events("list.imported") if e["data"]["import_id"] == import_id]


def test_each_finished_import_announces_its_list_cost_and_counts_once(intake: Intake) -> None:
    first = intake.import_list(to_csv(person(i) for i in range(10)), "Fintech", vendor="A")
    items = [{"kind": "email", "value": email} for email in SUPPRESSED]
    r = intake.client.post("/suppressions", json={"items": items}, headers=intake.headers)
    assert r.status_code == 201, r.get_data(as_text=True)

    # Every outcome, each a different number of times: a count swapped for another is seen.
    rows = [person(i) for i in (5, 6, 7)]  # already ours
    rows += [person(i) for i in range(20, 26)]  # new
    rows.append(person(20, Phone=""))  # twice in this file
    rows += [person(50), person(51)]  # suppressed
    rows += [{"City": city} for city in ("Leeds", "York", "Bath", "Ely")]  # nobody: rejected
    data = to_csv(rows)
    form = {"cost": "123.45", "currency": "EUR", "purchased_on": "2024-05-01",
            "licence_expires_on": "2025-04-30", "tags": "industry/software"}  # fmt: skip
    r = intake.upload(data, "Payments", vendor="DataHouse", filename="payments.csv", **form)
    assert r.status_code == 202 and r.json["created"] is True, r.get_data(as_text=True)
    import_id, list_id = r.json["import_id"], r.json["list_id"]
    assert imported_for(intake, import_id) == []  # queued is not imported

    run_import(intake.db, import_id)
    status = intake.status(import_id)
    assert status["status"] == "done"
    assert {k: status[k] for k in COUNTS} == {
        "rows_total": 16, "accepted": 6, "duplicates_in_file": 1, "duplicates_existing": 3,
        "suppressed": 2, "rejected": 4,
    }  # fmt: skip

    [event] = imported_for(intake, import_id)
    assert (event["type"], event["producer"], event["correlation_id"]) == (
        "list.imported", "intake", import_id,
    )  # fmt: skip
    validate_data("list.imported", event["version"], event["data"])  # the contract holds
    assert event["data"] == {
        "list_id": list_id, "import_id": import_id, "name": "Payments", "vendor": "DataHouse",
        "cost_minor": 12345, "currency": "EUR", "purchased_on": "2024-05-01",
        "licence_expires_on": "2025-04-30", "tags": ["industry/software"],
        **{k: status[k] for k in COUNTS},
    }  # fmt: skip
    assert (status["quality"]["cost_minor"], status["quality"]["currency"]) == (12345, "EUR")
    assert status["quality"]["cost_per_new_contact_minor"] == round(12345 / 6)

    # The same file for the same list: the first import answers, nothing runs or is announced;
    # a redelivered job message announces nothing either.
    again = intake.upload(data, "Payments", vendor="DataHouse", filename="payments (1).csv",
                          **form)  # fmt: skip
    assert again.status_code == 202 and again.json == {**r.json, "created": False}
    run_import(intake.db, import_id)
    run_import(intake.db, first["import_id"])
    assert len(imported_for(intake, import_id)) == 1
    assert [e["data"]["import_id"] for e in intake.events("list.imported")] == [
        first["import_id"], import_id,
    ]  # fmt: skip
    [earlier] = imported_for(intake, first["import_id"])
    assert earlier["data"]["list_id"] == first["list_id"] != list_id
    assert (earlier["data"]["accepted"], earlier["data"]["rows_total"]) == (10, 10)
