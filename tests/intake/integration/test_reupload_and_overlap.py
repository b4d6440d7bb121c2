"""The same file for the same list imports nothing new; an overlapping list is counted exactly
(who we already owned, through which source) and adds touches to the leads we had."""

from rainmaker_intake.service_layer.importer import run_import
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


def test_reuploading_the_same_file_creates_nothing(intake: Intake) -> None:
    data = to_csv(person(i) for i in range(30))
    first = intake.upload(data, "Q3 CTOs", vendor="ListCo", filename="q3.csv")
    assert first.status_code == 202 and first.json["created"] is True

    run_import(intake.db, first.json["import_id"])
    assert intake.status(first.json["import_id"])["accepted"] == 30
    assert intake.contact_count() == 30
    before = intake.outbox_max_id()

    again = intake.upload(data, "Q3 CTOs", vendor="ListCo", filename="q3 (1).csv")
    assert again.status_code == 202, again.get_data(as_text=True)
    assert again.json == {**first.json, "created": False}
    # The job itself is idempotent too: a redelivered import message does nothing.
    run_import(intake.db, first.json["import_id"])
    assert intake.contact_count() == 30
    assert intake.outbox_max_id() == before  # no job queued, no event
    lists = intake.client.get("/lists", headers=intake.headers).json
    assert [(x["name"], len(x["imports"])) for x in lists] == [("Q3 CTOs", 1)]

    # Negative control: the same file from another vendor is another list; it is imported,
    # and still creates no lead, because every row is someone we already own.
    other = intake.import_list(data, "Q3 CTOs", vendor="OtherCo")
    assert other["list_id"] != first.json["list_id"]
    assert (other["accepted"], other["duplicates_existing"]) == (0, 30)
    assert intake.contact_count() == 30


def test_an_overlapping_list_is_counted_exactly_and_adds_touches(intake: Intake) -> None:
    a_rows = [person(i) for i in range(40)]
    a_rows[20]["Job Title"] = ""  # a blank the second list will fill
    list_a = intake.import_list(to_csv(a_rows), "Fintech leaders", vendor="ListCo")
    assert list_a["accepted"] == 40

    shared = list(range(15))
    b_rows = []
    for i in shared:
        if i < 10:  # the same address, written another way; another phone format
            row = person(i, Email=person(i)["Email"].upper(), Phone=f"020 7946 {i:04d}")
        elif i < 13:  # no e-mail in this list: found by name and company
            row = person(i, Email="", City="")
        else:
            row = person(i)
        b_rows.append(row)
    b_rows.append(person(20, **{"Job Title": "CTO"}))  # shared, and fills a blank
    b_rows.append(person(21, **{"Job Title": "Director"}))  # shared; never overwrites
    b_rows += [person(100 + k) for k in range(10)]  # new to us
    b_rows.append(person(0, Phone=""))  # the same shared person twice in this file
    list_b = intake.import_list(to_csv(b_rows), "Payments buyers", vendor="DataHouse",
                                default_region="GB")  # fmt: skip

    owned = len(shared) + 2
    assert list_b["accepted"] == 10
    assert list_b["duplicates_existing"] == owned  # each shared person once
    assert list_b["duplicates_in_file"] == 1
    assert list_b["rejected"] == list_b["suppressed"] == 0
    assert list_b["quality"]["rows_already_owned"] == owned
    assert list_b["quality"]["owned_by_source"] == {f"rented_list:{list_a['list_id']}": owned}
    assert list_b["quality"]["rows_new_to_us"] == 10
    assert intake.contact_count() == 50
    assert len(set(intake.emails())) == len(intake.emails()) == 50

    for i in [*shared, 20, 21]:
        lead = intake.lead(intake.lead_id_of(person(i)["Email"]))
        sources = [(t["source_type"], t["source_id"]) for t in lead["touches"]]
        expected = [("rented_list", list_a["list_id"]), ("rented_list", list_b["list_id"])]
        assert sources == expected + ([expected[1]] if i == 0 else []), (i, sources)
        assert lead["touches"][0]["row_number"] == i + 2  # its line in the first file
        assert all(d["kind"] in ("existing", "in_file") for d in lead["decisions"])
    filled = intake.lead(intake.lead_id_of(person(20)["Email"]))
    assert filled["job_title"] == "CTO"
    kept = intake.lead(intake.lead_id_of(person(21)["Email"]))
    assert kept["job_title"] == "Engineer"

    # A third list overlapping both: each person counted under the source that first had them.
    c_rows = [person(i) for i in (30, 31, 32)] + [person(100 + k) for k in range(4)]
    list_c = intake.import_list(to_csv(c_rows), "Mixed bag", vendor="ThirdCo")
    assert list_c["accepted"] == 0 and list_c["duplicates_existing"] == 7
    assert list_c["quality"]["owned_by_source"] == {
        f"rented_list:{list_a['list_id']}": 3,
        f"rented_list:{list_b['list_id']}": 4,
    }
    touched = [t for e in intake.events("leads.touched") for t in e["data"]["touches"]]
    assert len(touched) == owned + 1 + 7


def test_owned_rows_are_counted_by_source_past_a_query_batch(intake: Intake) -> None:
    """More rows already owned than one look-up takes (900 values on SQLite): all counted."""
    rows = [person(i) for i in range(2000)]
    first = intake.import_list(to_csv(rows), "Big list", vendor="ListCo")
    assert first["accepted"] == 2000
    again = intake.import_list(to_csv(rows), "Same people", vendor="OtherCo")
    assert again["duplicates_existing"] == again["quality"]["rows_already_owned"] == 2000
    assert again["quality"]["owned_by_source"] == {f"rented_list:{first['list_id']}": 2000}
