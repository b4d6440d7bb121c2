"""Blocking keys: shared by the sightings of one person, not by strangers."""

from rainmaker_intake.domain.blocking import block_keys, name_key
from rainmaker_intake.domain.contact import NormalisedContact


def contact(first: str, last: str, **kw: object) -> NormalisedContact:
    values: dict[str, object] = {"company": "Acme Inc", "company_key": "acme"}
    values.update(kw)
    return NormalisedContact(row_number=2, first_name=first, last_name=last, **values)  # type: ignore[arg-type]


def test_the_kinds_of_key() -> None:
    keys = block_keys(contact("Robert", "Smith", email="bob@acme.com", phone="+4930123456",
                              website_domain="acme.com", postcode="10115",
                              street="unter den linden 5"))  # fmt: skip
    assert {"e:bob@acme.com", "p:+4930123456:smt"} <= keys
    assert {"o:acme:smt", "o:acme:rbr", "a:10115:5:smt"} <= keys
    assert "p:+4930123456:rbr" in keys
    # e-mail, phone x 2 names, 1 org stem (company, website and mailbox are one) x 2, 2 places
    assert len(keys) == 1 + 2 + 2 + 2


def test_a_company_and_its_domains_are_one_organisation_stem() -> None:
    by_name = block_keys(contact("Ann", "Lee", company="Acme Widgets GmbH",
                                 company_key="acme widgets"))  # fmt: skip
    by_site = block_keys(contact("Ann", "Lee", company=None, company_key=None,
                                 website_domain="acme-widgets.co.uk"))  # fmt: skip
    by_mail = block_keys(contact("Ann", "Leigh", company=None, company_key=None,
                                 email="ann@acmewidgets.de"))  # fmt: skip
    assert "o:acmewidgets:an" in by_name & by_site & by_mail
    other = block_keys(contact("Ann", "Lee", company="Acme Gadgets", company_key="acme gadgets"))
    assert not {k for k in other if k.startswith("o:")} & by_name
    kanji = block_keys(contact("Taro", "Yamada", company="山田 商事", company_key="山田 商事"))
    assert any(k.startswith("o:山田商事:") for k in kanji)  # letters of any script stay


def test_an_address_key_needs_a_street_and_holds_the_house_number() -> None:
    # The address rule compares streets at one house number, so strangers in one postcode
    # with sound-alike names are not candidates (at 1M rows they were 6.5 per row).
    no_street = block_keys(contact("Robert", "Smith", company=None, company_key=None,
                                   postcode="10115"))  # fmt: skip
    assert not any(k.startswith("a:") for k in no_street)
    at_5 = block_keys(contact("Robert", "Smith", postcode="10115", street="hauptstr 5"))
    at_7 = block_keys(contact("Rob", "Smith", postcode="10115", street="hauptstr 7"))
    assert {k for k in at_5 if k.startswith("a:")}.isdisjoint(at_7)


def test_a_switchboard_number_blocks_only_sound_alike_names() -> None:
    smith = block_keys(contact("Robert", "Smith", phone="+4930123456"))
    assert smith & block_keys(contact("Bob", "Smiht", phone="+4930123456", company=None))
    colleague = block_keys(contact("Karl", "Huber", phone="+4930123456"))
    assert not smith & colleague


def test_a_phone_keys_every_name_part() -> None:
    # A typo in one part or swapped parts still meet through the phone, whatever else each
    # row has (a company on one, an address or nothing on the other).
    bare = {"company": None, "company_key": None, "phone": "+4930123456"}
    keys = block_keys(contact("Robert", "Smith", **bare))
    assert keys == {"p:+4930123456:rbr", "p:+4930123456:smt"}
    with_company = block_keys(contact("John", "Thomson", phone="+4930123456"))
    assert with_company & block_keys(contact("John", "Thompson", **bare))
    at_home = {**bare, "street": "hauptstr 5", "postcode": "10115"}
    assert with_company & block_keys(contact("Thomson", "John", **at_home))


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
    no_company = {"company": None, "company_key": None, "street": "hauptstr 5"}
    by_place = block_keys(contact("Robert", "Smith", city="Bonn", **no_company))
    assert by_place & block_keys(contact("Robert", "Smiht", city="bonn", **no_company))


def test_strangers_share_no_key() -> None:
    assert not block_keys(contact("Robert", "Smith")) & block_keys(contact("Karl", "Huber"))
    other_company = contact("Robert", "Smith", company="Globex", company_key="globex")
    assert not block_keys(contact("Robert", "Smith")) & block_keys(other_company)


def test_keys_are_stable_strings() -> None:
    c = contact("Robert", "Smith", email="bob@acme.com")
    assert block_keys(c) == block_keys(c)
    assert all(isinstance(k, str) for k in block_keys(c))
