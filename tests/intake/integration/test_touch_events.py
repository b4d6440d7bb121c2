"""`leads.touched` says what a sighting of a known lead brought: the source's tags (a list's,
a referrer's interests), the referrer's notes, and the fields it filled in (blank before), so
tagging learns them; the lead's own data stays intake's."""

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


def _touches(intake: Intake) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for event in intake.events("leads.touched"):
        for t in event["data"]["touches"]:
            out.setdefault(str(t["lead_id"]), []).append(t)
    return out


def test_a_touch_carries_tags_notes_and_what_it_filled(intake: Intake) -> None:
    first = [person(1, **{"Job Title": ""}), person(2)]
    intake.import_list(to_csv(first), "Base", vendor="ListCo")
    again = [person(1, **{"Job Title": "CTO"}), person(2, **{"Job Title": "Intern"})]
    intake.import_list(to_csv(again), "Fintech", vendor="DataHouse", tags="industry/fintech")
    referral = {"email": person(2)["Email"], "first_name": person(2)["First Name"],
                "notes": "asked about pricing", "interests": ["interest/ai"],
                "referrer": {"type": "partner", "name": "Acme"}}  # fmt: skip
    r = intake.client.post("/referrals", json=referral, headers=intake.headers)
    assert r.status_code == 201 and r.json["results"][0]["status"] == "duplicate"

    touches = _touches(intake)
    [filled] = touches[intake.lead_id_of(person(1)["Email"])]
    assert filled["tags"] == ["industry/fintech"]
    assert filled["filled"] == {"job_title": "CTO"}  # it was blank
    by_list, by_referral = touches[intake.lead_id_of(person(2)["Email"])]
    assert by_list["filled"] == {}  # "Intern" never overwrites "Engineer"
    assert (by_referral["tags"], by_referral["notes"]) == (["interest/ai"], "asked about pricing")
    assert by_referral["source"] == {"type": "referral", "id": "partner/name:acme",
                                     "name": "partner: Acme"}  # fmt: skip
