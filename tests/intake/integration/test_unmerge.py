"""Merges are reversible: unmerging a duplicate row restores it as its own lead with its own
touch, and the survivor gives back what that row had filled in and keeps its own fields."""

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import HEADERS, person, to_csv

WITH_CAMPAIGN = (*HEADERS, "Campaign")


def test_unmerge_restores_the_row_as_its_own_lead(intake: Intake) -> None:
    original = person(7, Phone="", **{"Job Title": "CTO"})
    list_a = intake.import_list(to_csv([original, person(8)]), "Leaders", vendor="A")
    survivor_id = intake.lead_id_of(original["Email"])
    before = intake.lead(survivor_id)

    # The same name at the same company, no e-mail: a fuzzy duplicate that fills blanks.
    duplicate = person(7, Email="", Phone="020 7946 0099", City="Manchester",
                       Campaign="spring", **{"Job Title": "Chief Technology Officer"})  # fmt: skip
    list_b = intake.import_list(to_csv([person(9), duplicate], WITH_CAMPAIGN), "Buyers",
                                vendor="B", default_region="GB")  # fmt: skip
    assert (list_b["accepted"], list_b["duplicates_existing"]) == (1, 1)
    merged = intake.lead(survivor_id)
    assert merged["phone"] == "+442079460099"  # a blank filled by the duplicate
    assert (merged["job_title"], merged["city"]) == ("CTO", "London")  # never overwritten
    [decision] = merged["decisions"]
    assert decision["kind"] == "existing" and decision["rule"] == "name+company"
    assert decision["row_number"] == 3 and decision["undone_at"] is None
    assert len(merged["touches"]) == 2
    mark = intake.outbox_max_id()
    count = intake.contact_count()

    r = intake.client.post(f"/leads/{survivor_id}/unmerge",
                           json={"decision_id": decision["decision_id"]},
                           headers=intake.headers)  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    restored_id = r.json["lead_id"]
    assert restored_id not in (survivor_id, None)
    assert intake.contact_count() == count + 1

    restored = intake.lead(restored_id)
    assert (restored["first_name"], restored["last_name"]) == (original["First Name"],
                                                               original["Last Name"])  # fmt: skip
    assert restored["email"] is None
    assert restored["phone"] == "+442079460099"
    assert (restored["job_title"], restored["city"]) == ("Chief Technology Officer", "Manchester")
    [touch] = restored["touches"]
    assert (touch["source_id"], touch["row_number"]) == (list_b["list_id"], 3)

    after = intake.lead(survivor_id)
    fields = [k for k in before if k not in ("touches", "decisions")]
    assert {k: after[k] for k in fields} == {k: before[k] for k in fields}
    assert [t["source_id"] for t in after["touches"]] == [list_a["list_id"]]
    assert after["decisions"][0]["undone_at"] is not None

    # Downstream hears of the new lead and of the undone merge.
    events = intake.events(after_id=mark)
    assert [e["type"] for e in events] == ["leads.ingested", "leads.merged"]
    assert events[0]["data"]["leads"][0]["lead_id"] == restored_id
    merge = events[1]["data"]["merges"][0]
    assert (merge["survivor_id"], merge["merged_id"], merge["undone"]) == (
        survivor_id, restored_id, True,
    )  # fmt: skip
    # The decision's own unique id: consumers remember undone merges by it, and a decision's
    # number may come again on SQLite once an erasure deleted the highest.
    assert merge["merge_id"] == restored_id

    # Once is enough; an unknown decision is not found.
    again = intake.client.post(f"/leads/{survivor_id}/unmerge",
                               json={"decision_id": decision["decision_id"]},
                               headers=intake.headers)  # fmt: skip
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    missing = intake.client.post(f"/leads/{survivor_id}/unmerge", json={"decision_id": 99999},
                                 headers=intake.headers)  # fmt: skip
    assert missing.status_code == 404


def test_a_duplicate_in_the_same_file_fills_the_new_leads_blanks(intake: Intake) -> None:
    # Both rows in one chunk: the lead is not stored yet when its duplicate is seen. Filled
    # the same as across lists, announced filled, and reversible the same way.
    first = person(11, Phone="", City="")
    again = person(11, Email="", Phone="020 7946 0123", City="Leeds")
    done = intake.import_list(to_csv([first, again]), "One file", default_region="GB")
    assert (done["accepted"], done["duplicates_in_file"]) == (1, 1)
    lead_id = intake.lead_id_of(first["Email"])
    lead = intake.lead(lead_id)
    assert (lead["phone"], lead["city"]) == ("+442079460123", "Leeds")
    [decision] = lead["decisions"]
    assert decision["kind"] == "in_file"
    [ingested] = intake.events("leads.ingested")[-1:]
    [wire] = [x for x in ingested["data"]["leads"] if x["lead_id"] == lead_id]
    assert (wire["phone"], wire["city"]) == ("+442079460123", "Leeds")

    r = intake.client.post(f"/leads/{lead_id}/unmerge",
                           json={"decision_id": decision["decision_id"]},
                           headers=intake.headers)  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    after = intake.lead(lead_id)
    assert (after["phone"], after["city"]) == (None, None)
    assert intake.lead(r.json["lead_id"])["phone"] == "+442079460123"


def test_erasing_an_unmerged_lead_takes_its_filled_values_from_the_survivors_decisions(
    intake: Intake,
) -> None:
    """The survivor's undone decision names the restored lead and what its row filled in:
    once that lead is erased, the decision goes too (its values were the erased person's)."""
    original = person(7, Phone="", **{"Job Title": "CTO"})
    intake.import_list(to_csv([original]), "Leaders", vendor="A")
    survivor_id = intake.lead_id_of(original["Email"])
    duplicate = person(7, Email="", Phone="020 7946 0099", **{"Job Title": "Chief"})
    intake.import_list(to_csv([duplicate]), "Buyers", vendor="B", default_region="GB")
    [decision] = intake.lead(survivor_id)["decisions"]
    assert decision["filled"] == {"phone": "+442079460099"}
    r = intake.client.post(f"/leads/{survivor_id}/unmerge",
                           json={"decision_id": decision["decision_id"]},
                           headers=intake.headers)  # fmt: skip
    restored_id = r.json["lead_id"]

    erased = intake.client.delete(f"/leads/{restored_id}", headers=intake.headers)
    assert erased.status_code in (200, 204), erased.get_data(as_text=True)
    assert intake.lead(survivor_id)["decisions"] == []
