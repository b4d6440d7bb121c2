"""Erasure: afterwards the person is in no intake table (every table is scanned, the bus
outbox included) and in no later event; a later list or referral cannot bring them back.

Run twice: with the import's events still waiting in the outbox, and after the real relay
published them to a real broker (published rows are kept a while for audits)."""

import json

import pytest
from sqlalchemy import func, select

from rainmaker_bus import BusSettings, Relay
from rainmaker_bus.tables import outbox
from rainmaker_bus.topology import declare_topology
from rainmaker_intake.adapters import suppression_store
from rainmaker_intake.adapters.contact_store import unpack_hashes
from rainmaker_intake.adapters.tables import contact_keys, contacts
from tests.intake.integration.conftest import Intake, table_rows_containing
from tests.intake.integration.people import HEADERS, person, to_csv

ERASED = 3


def publish_outbox(intake: Intake, amqp_url: str) -> None:
    settings = BusSettings(amqp_url=amqp_url, confirm_timeout_s=10.0)
    declare_topology(settings)
    relay = Relay(intake.db, settings, "erasure-test")
    relay.link.start()
    try:
        assert relay.link.wait_ready(30)
        relay.drain()
    finally:
        relay.link.stop()
    with intake.db.reader() as session:
        unsent = session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    assert unsent == 0


def _keys_of(intake: Intake) -> dict[str, tuple[int, set[int]]]:
    """lead_id -> (contact_no, the key hashes stored in contact_keys for it)."""
    with intake.db.reader() as session:
        numbers = dict(session.execute(select(contacts.c.contact_no, contacts.c.lead_id)).all())
        keys: dict[int, set[int]] = {no: set() for no in numbers}
        for h, no in session.execute(select(contact_keys.c.key_hash, contact_keys.c.contact_no)):
            keys.setdefault(no, set()).add(h)
        listed = dict(session.execute(select(contacts.c.contact_no, contacts.c.key_hashes)).all())
    assert set(keys) == set(numbers), "keys of no contact"
    assert all(set(unpack_hashes(listed[no])) == held for no, held in keys.items())
    return {lead_id: (no, keys[no]) for no, lead_id in numbers.items()}


@pytest.mark.parametrize(
    ("published", "read_whole"),
    [(False, True), (True, True), (False, False)],
    ids=["unpublished", "published", "erasures_asked_by_value"],
)
def test_erased_person_leaves_no_trace_and_cannot_come_back(
    intake: Intake,
    published: bool,
    read_whole: bool,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The small erasure table read whole (as for an import's chunk), or asked per value.
    if read_whole:
        monkeypatch.setattr(suppression_store, "WHOLE_FOR_ROWS", 1)
    else:
        monkeypatch.setattr(suppression_store, "SMALL_TABLE", 0)
    who = person(ERASED)
    email, phone = who["Email"], "+442079460003"
    rows = [person(i) for i in range(10)]
    rows.append(person(ERASED, Email=email.upper(), City=""))  # seen twice in the file
    too_wide = to_csv([person(ERASED, Email=email.upper())]).decode().splitlines()[1] + ",x,y"
    data = to_csv(rows) + too_wide.encode() + b"\n"  # an error row quoting the address
    first = intake.import_list(data, "Conference leads", vendor="ListCo")
    assert (first["accepted"], first["duplicates_in_file"], first["rejected"]) == (10, 1, 1)
    r = intake.client.post(
        "/referrals",
        json={"first_name": who["First Name"], "last_name": who["Last Name"], "email": email,
              "notes": "met at the booth", "referrer": {"type": "employee", "name": "Sam"}},
        headers=intake.headers,
    )  # fmt: skip
    assert r.status_code == 201 and r.json["results"][0]["status"] == "duplicate"
    lead_id = intake.lead_id_of(email)
    assert len(intake.lead(lead_id)["touches"]) == 3
    assert table_rows_containing(intake.db, email)  # the scan does see the person
    if published:
        publish_outbox(intake, request.getfixturevalue("amqp_url"))
    # Events staged from here on (by message id: SQLite gives a deleted last row's id again).
    before = {e["id"] for e in intake.events()}
    erased_no, keys_before = _keys_of(intake)[lead_id]
    assert keys_before

    r = intake.client.delete(f"/leads/{lead_id}", headers=intake.headers)
    assert r.status_code == 204, r.get_data(as_text=True)
    # Its blocking keys (hashes of its email, phone, names) went with it; no one else's did.
    with intake.db.reader() as session:
        left = set(session.execute(select(contact_keys.c.key_hash, contact_keys.c.contact_no)))
    assert not any(no == erased_no for _, no in left)
    assert left == {(h, no) for no, hashes in _keys_of(intake).values() for h in hashes}
    assert intake.client.get(f"/leads/{lead_id}", headers=intake.headers).status_code == 404
    assert intake.client.delete(f"/leads/{lead_id}", headers=intake.headers).status_code == 404

    # The referrer's notes travelled in a leads.touched event that names no address or phone.
    clues = (email, phone, who["Last Name"], "met at the booth", lead_id)
    traces = {v: table_rows_containing(intake.db, v) for v in clues}
    assert traces == {v: {} for v in clues} | {lead_id: traces[lead_id]}
    assert set(traces[lead_id]) == {"bus_outbox"}  # only lead.erased names it

    later = [e for e in intake.events() if e["id"] not in before]
    assert [e["type"] for e in later] == ["lead.erased"]
    assert later[0]["data"] == {"lead_id": lead_id}
    # Everyone else is untouched, and their events still go out.
    assert intake.contact_count() == 9
    ingested = [lead["email"] for e in intake.events("leads.ingested") for lead in
                e["data"]["leads"]]  # fmt: skip
    if not published:
        assert sorted(ingested) == sorted(person(i)["Email"] for i in range(10) if i != ERASED)

    # A later list cannot bring them back: not by e-mail (in any case), not by phone alone.
    again = [person(ERASED, Email=email.title()),
             person(ERASED, Email="", Phone="020 7946 0003"),
             person(50), person(51)]  # fmt: skip
    second = intake.import_list(to_csv(again), "Trade show", vendor="ShowCo",
                                default_region="GB")  # fmt: skip
    assert (second["suppressed"], second["accepted"]) == (2, 2)
    assert second["quality"]["suppressed"] == 2
    r = intake.client.post(
        "/referrals", json={"email": email, "first_name": "Edsger",
                            "referrer": {"type": "partner", "name": "Acme"}},
        headers=intake.headers,
    )  # fmt: skip
    assert r.status_code == 201 and r.json["results"][0]["status"] == "suppressed"
    assert r.json["results"][0]["lead_id"] is None

    assert email not in intake.emails()
    assert table_rows_containing(intake.db, email) == {}
    assert table_rows_containing(intake.db, phone) == {}
    for event in (e for e in intake.events() if e["id"] not in before):
        body = json.dumps(event).lower()
        assert email not in body and phone not in body, event["type"]


JANE = {"First Name": "Jane", "Last Name": "Doe", "Email": "jane.doe@acme-widgets.com",
        "Company": "Acme Widgets", "Job Title": "CTO", "Phone": "+49 30 1234567",
        "City": "Berlin"}  # fmt: skip
POSTAL = {"First Name": "Otto", "Last Name": "Post", "Street": "Hauptstr. 5", "Postcode": "10115",
          "City": "Berlin"}  # fmt: skip
COLUMNS = (*HEADERS, "Street", "Postcode")


def test_erasure_keeps_out_every_address_they_used_and_no_colleague(intake: Intake) -> None:
    """An erased person stays out by an address a merged row of theirs used, and by post when
    that is all we had; a colleague who shares their switchboard number still gets in."""
    variant = {**JANE, "Email": "j.doe@acme-widgets.com"}  # the same person, another mailbox
    first = intake.import_list(to_csv([JANE, variant, POSTAL], COLUMNS), "Expo", vendor="ListCo")
    assert (first["accepted"], first["duplicates_in_file"]) == (2, 1)
    with intake.db.reader() as session:
        leads = session.execute(select(contacts.c.lead_id, contacts.c.last_name)).all()
    for lead_id, _ in leads:
        assert intake.client.delete(f"/leads/{lead_id}", headers=intake.headers).status_code == 204

    bob = {**JANE, "First Name": "Bob", "Last Name": "Stone", "Email": "bob@acme-widgets.com"}
    again = [variant, POSTAL, {**POSTAL, "Postcode": "", "City": "berlin"}, bob]
    second = intake.import_list(to_csv(again, COLUMNS), "Fair", vendor="ShowCo")
    assert (second["suppressed"], second["accepted"]) == (3, 1)
    assert intake.emails() == [bob["Email"]]
    assert table_rows_containing(intake.db, "j.doe@acme-widgets.com") == {}


def test_erasure_keeps_out_a_first_name_only_contact_and_spares_other_error_rows(
    intake: Intake,
) -> None:
    """Someone known by first name and phone alone is kept out by them; an error row quoting
    another address that merely contains theirs (hal@ for al@) stays."""
    cols = ("First Name", "Email", "Phone", "Notes")
    rows = [
        {"First Name": "Al", "Email": "al@acme.example", "Phone": "+49 30 1234567"},
        {"First Name": "Hal", "Email": "hal@acme.example", "Phone": "+49 30 7654321"},
    ]
    wide = "Hal,hal@acme.example,+49 30 7654321,x,y,z"  # an error row quoting hal@
    data = to_csv(rows, cols) + wide.encode() + b"\n"
    first = intake.import_list(data, "Names", vendor="ListCo", default_region="DE")
    assert (first["accepted"], first["rejected"]) == (2, 1)
    al = intake.lead_id_of("al@acme.example")
    assert intake.client.delete(f"/leads/{al}", headers=intake.headers).status_code == 204
    assert table_rows_containing(intake.db, "hal@acme.example") != {}  # hal's error row stays

    again = [{"First Name": "Al", "Phone": "030 1234567"},  # no address this time
             {"First Name": "Bo", "Phone": "030 1234567"}]  # fmt: skip
    second = intake.import_list(to_csv(again, cols), "Again", vendor="ShowCo",
                                default_region="DE")  # fmt: skip
    assert (second["suppressed"], second["accepted"]) == (1, 1)
