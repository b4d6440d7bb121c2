"""Which lead a row goes to when it matches several: the best match (score, rule, evidence),
the same on SQLite and PostgreSQL, so an undone merge stays undone when the row comes again
and an earlier row of the file never takes a stored contact's e-mail address."""

from collections import Counter

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


def test_a_row_unmerged_then_listed_again_goes_to_its_own_lead(intake: Intake) -> None:
    original = person(7, Phone="", **{"Job Title": "CTO"})
    intake.import_list(to_csv([original, person(8)]), "Leaders", vendor="A")
    survivor_id = intake.lead_id_of(original["Email"])
    # The same name at the same company, no e-mail: merged by name and company, then undone.
    duplicate = person(7, Email="", Phone="020 7946 0099", City="Manchester",
                       **{"Job Title": "Chief Technology Officer"})  # fmt: skip
    intake.import_list(to_csv([duplicate]), "Buyers", vendor="B", default_region="GB")
    [decision] = intake.lead(survivor_id)["decisions"]
    r = intake.client.post(f"/leads/{survivor_id}/unmerge",
                           json={"decision_id": decision["decision_id"]},
                           headers=intake.headers)  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    restored_id = r.json["lead_id"]

    # Another list brings the same row: it matches both by name and company, and is the
    # restored lead's (its phone and city too), not the survivor's again.
    again = intake.import_list(to_csv([duplicate]), "Again", vendor="C", default_region="GB")
    assert (again["accepted"], again["duplicates_existing"]) == (0, 1)
    survivor = intake.lead(survivor_id)
    assert [d["undone_at"] is not None for d in survivor["decisions"]] == [True]
    assert len(survivor["touches"]) == 1
    restored = intake.lead(restored_id)
    [_, touch_c] = restored["touches"]
    assert touch_c["source_id"] == again["list_id"]
    [latest] = restored["decisions"]
    assert (latest["rule"], latest["score"]) == ("phone+name", 1.0)


def test_an_earlier_row_never_takes_a_stored_contacts_email(intake: Intake) -> None:
    stored = person(3)
    intake.import_list(to_csv([stored]), "First", vendor="A")
    stored_id = intake.lead_id_of(stored["Email"])
    # Row 2 is new (another company and phone, no e-mail). Row 3 is row 2's name and company
    # with the stored contact's e-mail address: that contact's, not row 2's lead's.
    elsewhere = {"Company": "Elsewhere GmbH", "City": "Berlin"}
    new_row = person(3, Email="", Phone="+49 30 1234567", **elsewhere)
    same_email = person(3, Phone="", **elsewhere)
    second = intake.import_list(to_csv([new_row, same_email]), "Second", vendor="B")
    assert (second["accepted"], second["duplicates_existing"]) == (1, 1)
    assert Counter(intake.emails())[stored["Email"]] == 1
    [decision] = intake.lead(stored_id)["decisions"]
    assert (decision["rule"], decision["row_number"], decision["kind"]) == ("email", 3, "existing")
