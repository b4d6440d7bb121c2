"""Blocking keys: shared by the sightings of one person, not by strangers."""

from rainmaker_intake.domain.blocking import block_keys, name_key
from rainmaker_intake.domain.contact import NormalisedContact


def contact(first: str, last: str, **kw: object) -> NormalisedContact:
    values: dict[str, object] = {"company": "Acme Inc", "company_key": "acme"}
    values.update(kw)
    return NormalisedContact(row_number=2, first_name=first, last_name=last, **values)  # type: ignore[arg-type]


def test_the_kinds_of_key() -> None:
    keys = block_keys(contact("Robert", "Smith", email="bob@acme.com", phone="+4930123456",
                              website_domain="acme.com", postcode="10115"))  # fmt: skip
    assert {"e:bob@acme.com", "p:+4930123456"} <= keys
    assert {"o:acme:smt", "o:acme:rbr", "o:acme.com:smt", "a:10115:smt"} <= keys


def test_sound_alike_key_survives_common_typos() -> None:
    assert name_key("smith") == name_key("smyth") == name_key("smiht") == "smt"
    assert name_key("") == ""
    assert name_key("山田") == "山田"


def test_sightings_of_one_person_share_a_key() -> None:
    base = block_keys(contact("Robert", "Smith"))
    for first, last in [
        ("Smith", "Robert"),
        ("Bob", "Smith"),
        ("Robert", "Amith"),
        ("ROBERT", "smith"),
    ]:
        assert base & block_keys(contact(first, last)), (first, last)
    by_place = block_keys(contact("Robert", "Smith", company=None, company_key=None, city="Bonn"))
    assert by_place & block_keys(
        contact("Robert", "Smiht", company=None, company_key=None, city="bonn")
    )


def test_strangers_share_no_key() -> None:
    assert not block_keys(contact("Robert", "Smith")) & block_keys(contact("Karl", "Huber"))
    other_company = contact("Robert", "Smith", company="Globex", company_key="globex")
    assert not block_keys(contact("Robert", "Smith")) & block_keys(other_company)


def test_keys_are_stable_strings() -> None:
    c = contact("Robert", "Smith", email="bob@acme.com")
    assert block_keys(c) == block_keys(c)
    assert all(isinstance(k, str) for k in block_keys(c))
