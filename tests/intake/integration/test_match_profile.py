"""contacts.match_profile: what candidates are compared on, kept true to the contact.

Dedup against existing contacts reads only this column for candidates; it must follow every
change of a contact (filled blanks, an unmerge giving values back), and a contact stored
before the column existed (NULL) must still be found.
"""

from sqlalchemy import select, update

from rainmaker_intake.adapters.contact_store import load_contact, unpack_hashes
from rainmaker_intake.adapters.tables import contact_keys, contacts
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.domain.similarity import pack, profile
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


def _stored_and_true(intake: Intake, lead_id: str) -> tuple[str | None, str]:
    with intake.db.reader() as session:
        stored = session.scalar(
            select(contacts.c.match_profile).where(contacts.c.lead_id == lead_id)
        )
        contact = load_contact(session, lead_id)
    assert contact is not None
    return stored, pack(profile(contact))


def _keys_cover_the_contact(intake: Intake, lead_id: str) -> bool:
    """The stored blocking keys include every key of the contact as it now is, and the list
    on the contact (what an erasure deletes by) names exactly its stored keys."""
    with intake.db.reader() as session:
        contact = load_contact(session, lead_id)
        no, listed = session.execute(
            select(contacts.c.contact_no, contacts.c.key_hashes).where(
                contacts.c.lead_id == lead_id
            )
        ).one()
        held = set(
            session.scalars(select(contact_keys.c.key_hash).where(contact_keys.c.contact_no == no))
        )
    assert contact is not None
    assert sorted(unpack_hashes(listed)) == sorted(held)
    return set(Keyed.of(contact).hashes) <= held


def test_the_profile_follows_filled_blanks_and_unmerges(intake: Intake) -> None:
    row = person(1)
    blank = {**row, "Company": "", "Website": ""}
    intake.import_list(to_csv([blank]), "First sighting")
    lead_id = intake.lead_id_of(row["Email"])
    stored, true = _stored_and_true(intake, lead_id)
    assert stored == true

    second = intake.import_list(to_csv([row]), "Second sighting")
    assert second["duplicates_existing"] == 1
    stored, true = _stored_and_true(intake, lead_id)
    assert stored == true and row["Company"].split()[0].lower() in true  # the filled company
    assert _keys_cover_the_contact(intake, lead_id)  # its company keys were added

    decision = intake.lead(lead_id)["decisions"][0]
    assert set(decision["filled"]) == {"company", "company_key"}  # what the row filled
    r = intake.client.post(
        f"/leads/{lead_id}/unmerge",
        json={"decision_id": decision["decision_id"]},
        headers=intake.headers,
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    stored, true = _stored_and_true(intake, lead_id)
    assert stored == true  # the company given back: no longer in the survivor's profile
    restored, restored_true = _stored_and_true(intake, r.json["lead_id"])
    assert restored == restored_true


def test_a_contact_without_a_stored_profile_is_still_matched(intake: Intake) -> None:
    rows = [person(i) for i in range(5)]
    intake.import_list(to_csv(rows), "Before the column existed")
    with intake.db.transaction() as session:
        session.execute(update(contacts).values(match_profile=None))
    again = intake.import_list(to_csv(rows), "Again", vendor="OtherCo")
    assert (again["accepted"], again["duplicates_existing"]) == (0, 5)
    assert intake.contact_count() == 5


def test_a_fill_that_adds_keys_records_only_the_fields_it_filled(intake: Intake) -> None:
    """A filled phone adds phone keys to the contact (and to its list of keys), while the
    decision records only the phone: that is what an unmerge gives back."""
    row = person(2)
    intake.import_list(to_csv([{**row, "Phone": ""}]), "Without the phone")
    second = intake.import_list(to_csv([row]), "With it")
    assert second["duplicates_existing"] == 1
    lead_id = intake.lead_id_of(row["Email"])
    assert set(intake.lead(lead_id)["decisions"][0]["filled"]) == {"phone"}
    assert _keys_cover_the_contact(intake, lead_id)
