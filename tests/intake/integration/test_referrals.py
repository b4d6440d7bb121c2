"""Referral leads, one or many: the same validation and de-duplication as list rows; a
referral of someone we own is a touch with source type `referral` and the referrer's notes."""

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv

SAM = {"type": "employee", "name": "Sam Seller"}


def test_referrals_one_or_many_dedup_into_touches(intake: Intake) -> None:
    listed = intake.import_list(to_csv(person(i) for i in range(5)), "Base", vendor="A")
    assert listed["accepted"] == 5

    one = {"first_name": "Hedy", "last_name": "Lamarr", "email": "hedy@frequency-hop.com",
           "company": "Frequency Hop Inc", "notes": "wants a call", "interests": ["interest/ai"],
           "referrer": SAM}  # fmt: skip
    r = intake.client.post("/referrals", json=one, headers=intake.headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    [result] = r.json["results"]
    assert result["status"] == "new" and result["lead_id"]
    lead = intake.lead(result["lead_id"])
    assert lead["email"] == "hedy@frequency-hop.com"
    [touch] = lead["touches"]
    assert (touch["source_type"], touch["source_id"]) == ("referral", "employee/name:sam-seller")
    assert touch["notes"] == "wants a call"

    existing_by_email = intake.lead_id_of(person(1)["Email"])
    existing_by_name = intake.lead_id_of(person(2)["Email"])
    many = [
        {"email": person(1)["Email"].upper(), "first_name": person(1)["First Name"],
         "notes": "old friend of the CEO", "referrer": {"type": "partner", "name": "Acme",
                                                        "id": "acme"}},
        {"first_name": person(2)["First Name"], "last_name": person(2)["Last Name"],
         "company": person(2)["Company"], "phone": "020 7946 0777", "referrer": SAM},
        {"first_name": "Tim", "last_name": "Berners", "phone": "020 7946 0888",
         "company": "Web Co", "referrer": SAM},
        {"first_name": "Nobody", "notes": "no way to reach", "referrer": SAM},
    ]  # fmt: skip
    r = intake.client.post("/referrals", json={"leads": many, "default_region": "GB"},
                           headers=intake.headers)  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    results = r.json["results"]
    assert [x["status"] for x in results] == ["duplicate", "duplicate", "new", "rejected"]
    assert [x["lead_id"] for x in results[:2]] == [existing_by_email, existing_by_name]
    assert results[3]["lead_id"] is None and results[3]["errors"]
    assert intake.lead(results[2]["lead_id"])["phone"] == "+442079460888"

    touched = intake.lead(existing_by_email)
    assert [t["source_type"] for t in touched["touches"]] == ["rented_list", "referral"]
    assert touched["touches"][1]["source_id"] == "partner/acme"
    assert touched["touches"][1]["notes"] == "old friend of the CEO"
    assert touched["email"] == person(1)["Email"]  # nothing overwritten
    by_name = intake.lead(existing_by_name)
    assert [t["source_type"] for t in by_name["touches"]] == ["rented_list", "referral"]
    assert by_name["decisions"][-1]["kind"] == "existing"

    # A plain JSON array works too; a batch with nobody acceptable is refused as a whole.
    r = intake.client.post("/referrals", json=[{**one, "referrer": {"type": "event",
                                                                    "name": "Expo 2025"}}],
                           headers=intake.headers)  # fmt: skip
    assert r.status_code == 201 and r.json["results"][0]["status"] == "duplicate"
    events_touch = intake.lead(result["lead_id"])["touches"][-1]
    assert events_touch["source_type"] == "event"
    r = intake.client.post("/referrals", json=[many[3]], headers=intake.headers)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    r = intake.client.post("/referrals", json={"email": "x@y.com"}, headers=intake.headers)
    assert r.status_code == 422  # no referrer

    sources = {
        (t["source"]["type"], t["source"]["id"])
        for e in intake.events("leads.touched") for t in e["data"]["touches"]
    }  # fmt: skip
    assert ("referral", "partner/acme") in sources
    assert ("referral", "employee/name:sam-seller") in sources
    ingested = [lead for e in intake.events("leads.ingested") for lead in e["data"]["leads"]]
    hedy = next(x for x in ingested if x["email"] == "hedy@frequency-hop.com")
    assert hedy["tags"] == ["interest/ai"] and hedy["source"]["type"] == "referral"
    assert intake.contact_count() == 5 + 2
