"""What an erasure leaves behind keeps the person out and lets their colleagues in: a phone,
an address and a role mailbox go with the surname and the initial of the formal given name;
hashes left by the earlier rules (phone alone, surname alone, role mailbox alone) still work."""

import hashlib

from rainmaker_intake.adapters.suppression_store import _checked_hashes, erasure_hashes
from rainmaker_intake.domain.contact import NormalisedContact

SWITCHBOARD = "+442079460100"


def contact(first: str | None, last: str | None = "Novak", **kw: object) -> NormalisedContact:
    return NormalisedContact(row_number=2, first_name=first, last_name=last, **kw)  # type: ignore[arg-type]


def kept_out(erased: set[str], row: NormalisedContact) -> bool:
    return bool(erased & set(_checked_hashes(row, None)))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_phone_keeps_out_the_person_by_any_given_name_and_not_a_colleague() -> None:
    erased = set(erasure_hashes(contact("Robert", phone=SWITCHBOARD)))
    assert kept_out(erased, contact("Robert", phone=SWITCHBOARD))
    assert kept_out(erased, contact("Bob", phone=SWITCHBOARD))  # a nickname, the same initial
    assert not kept_out(erased, contact("Helena", phone=SWITCHBOARD))  # same surname
    assert not kept_out(erased, contact("Robert", phone="+442079460999"))
    assert kept_out(erased, contact(None, phone=SWITCHBOARD))  # the surname alone: may be him
    assert not kept_out(erased, contact(None, "Reyes", phone=SWITCHBOARD))


def test_the_street_address_goes_with_the_name_alike() -> None:
    home = {"street": "1 Main St", "postcode": "LS1 1AA", "city": "Leeds"}
    erased = set(erasure_hashes(contact("Robert", **home)))
    assert kept_out(erased, contact("Bob", **home))
    assert kept_out(erased, contact(None, **home))
    assert not kept_out(erased, contact("Helena", **home))


def test_a_role_mailbox_keeps_out_the_person_not_whoever_writes_from_it() -> None:
    erased = set(erasure_hashes(contact("Robert"), emails=["info@novak.example"]))
    assert kept_out(erased, contact("Robert", email="info@novak.example"))
    assert not kept_out(erased, contact("Amara", "Reyes", email="info@novak.example"))
    # A personal address keeps out anyone who gives it.
    mine = set(erasure_hashes(contact("Robert", email="robert@novak.example")))
    assert kept_out(mine, contact("Amara", "Reyes", email="robert@novak.example"))


def test_hashes_left_by_the_earlier_rules_still_keep_out() -> None:
    surname = {sha(f"phone:{SWITCHBOARD}:novak")}  # the phone with the surname alone
    assert kept_out(surname, contact("Robert", phone=SWITCHBOARD))
    alone = {sha(f"phone:{SWITCHBOARD}")}  # the phone alone
    assert kept_out(alone, contact(None, "Reyes", phone=SWITCHBOARD))
    role = {sha("email:info@novak.example")}  # a role mailbox alone
    assert kept_out(role, contact("Amara", "Reyes", email="info@novak.example"))


def test_without_a_given_name_the_surname_alone() -> None:
    erased = set(erasure_hashes(contact(None, phone=SWITCHBOARD)))
    assert kept_out(erased, contact(None, phone=SWITCHBOARD))
    assert kept_out(erased, contact("Helena", phone=SWITCHBOARD))  # could be them: kept out
