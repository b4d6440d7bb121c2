"""The do-not-contact list: suppressed e-mails and domains are counted and never stored."""

import json

import pytest

from rainmaker_intake.adapters import suppression_store
from tests.intake.integration.conftest import Intake, table_rows_containing
from tests.intake.integration.people import HEADERS, person, to_csv

WITH_WEBSITE = (*HEADERS, "Website")
BLOCKED = "blocked-corp.com"


@pytest.fixture(params=["read_whole", "asked_by_value"])
def lookup(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a batch is checked: a small table read whole (for a batch as large as an
    import's chunk), a large one (or for a small batch) asked per value."""
    if request.param == "asked_by_value":
        monkeypatch.setattr(suppression_store, "SMALL_TABLE", 0)
    else:
        monkeypatch.setattr(suppression_store, "WHOLE_FOR_ROWS", 1)
    return str(request.param)


def test_suppressed_people_are_counted_and_never_stored(intake: Intake, lookup: str) -> None:
    first = intake.import_list(to_csv(person(i) for i in range(6)), "Before", vendor="A")
    assert first["accepted"] == 6
    already = person(5)["Email"]  # a lead we own, suppressed afterwards

    r = intake.client.post(
        "/suppressions",
        json={"items": [
            {"kind": "email", "value": person(1)["Email"].upper(), "reason": "asked us"},
            {"kind": "email", "value": already},
            {"kind": "domain", "value": f"https://www.{BLOCKED}/about", "reason": "competitor"},
        ]},
        headers=intake.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    assert [(x["kind"], x["value"]) for x in r.json] == [
        ("email", person(1)["Email"]), ("email", already), ("domain", BLOCKED),
    ]  # fmt: skip
    bad = intake.client.post("/suppressions", json={"items": [{"kind": "email", "value": "nope"}]},
                             headers=intake.headers)  # fmt: skip
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    listed = intake.client.get("/suppressions", headers=intake.headers).json
    assert sorted(x["value"] for x in listed) == sorted([person(1)["Email"], already, BLOCKED])

    suppressed = [
        person(1, Email=person(1)["Email"].title()),  # the e-mail, in another case
        person(5),  # already a lead: no touch either
        person(20, Email=f"ann@{BLOCKED}"),
        person(21, Email=f"bob@{BLOCKED.upper()}"),
        person(22, Email="carl.free@gmail.com", Website=f"www.{BLOCKED}"),
        person(23, Email=f"dora@mail.{BLOCKED}"),  # a subdomain mailbox
        person(24, Email="", Website=f"https://{BLOCKED}/team"),  # reached by phone
    ]
    fine = [person(i) for i in (2, 30, 31)]
    second = intake.import_list(to_csv([*suppressed, *fine], WITH_WEBSITE), "After", vendor="B")
    assert second["suppressed"] == len(suppressed)
    assert second["quality"]["suppressed"] == len(suppressed)
    assert (second["accepted"], second["duplicates_existing"]) == (2, 1)
    assert second["rejected"] == 0

    assert intake.contact_count() == 6 + 2
    emails = set(intake.emails())
    for row in suppressed[2:]:
        assert row["Email"].lower() not in emails
    # The lead we already owned got no touch from the list that has it suppressed.
    assert len(intake.lead(intake.lead_id_of(already))["touches"]) == 1
    # Only the suppression list itself mentions the blocked domain.
    assert set(table_rows_containing(intake.db, BLOCKED)) == {"suppressions"}
    for event in intake.events(after_id=0):
        assert BLOCKED not in json.dumps(event).lower()

    # A referral of a suppressed person is refused too.
    r = intake.client.post(
        "/referrals",
        json=[{"email": f"eve@{BLOCKED}", "first_name": "Eve",
               "referrer": {"type": "customer", "name": "Acme"}}],
        headers=intake.headers,
    )  # fmt: skip
    assert r.status_code == 201 and r.json["results"][0]["status"] == "suppressed"

    # Lifting a suppression lets the person in again.
    r = intake.client.delete(f"/suppressions/domain/{BLOCKED}", headers=intake.headers)
    assert r.status_code == 204
    third = intake.import_list(to_csv([person(20, Email=f"ann@{BLOCKED}")]), "Later", vendor="C")
    assert (third["accepted"], third["suppressed"]) == (1, 0)


def test_domain_suppression_covers_mailboxes_at_its_subdomains(intake: Intake) -> None:
    """Even when the row's website names another domain, the mailbox's own domain counts."""
    r = intake.client.post(
        "/suppressions", json={"items": [{"kind": "domain", "value": BLOCKED}]},
        headers=intake.headers,
    )  # fmt: skip
    assert r.status_code == 201
    row = person(25, Email=f"fay@eu.{BLOCKED}", Website="partner-site.com")
    done = intake.import_list(to_csv([row], WITH_WEBSITE), "Subdomains", vendor="D")
    assert (done["suppressed"], done["accepted"]) == (1, 0)
