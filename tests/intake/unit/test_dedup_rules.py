"""The matching rules, one behaviour per test, on contacts built by hand (no normaliser)."""

from dataclasses import replace

import pytest

from rainmaker_intake.domain.company import company_key
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import Decision, DedupConfig, match


def person(
    first: str | None = "Robert", last: str | None = "Smith", **kw: object
) -> NormalisedContact:
    company = str(kw.pop("company", "Acme Widgets Inc"))
    values: dict[str, object] = {
        "email": None, "phone": None, "website_domain": None, "street": "12 main st",
        "city": "Springfield", "postcode": "12345",
    }  # fmt: skip
    values.update(kw)
    return NormalisedContact(
        row_number=2, first_name=first, last_name=last, company=company or None,
        company_key=company_key(company) if company else None, **values,  # type: ignore[arg-type]
    )  # fmt: skip


def test_same_email_is_one_person_whatever_else_differs() -> None:
    a = person(email="bob.smith@acme.com")
    b = person("Roberta", "Jones", email="bob.smith@acme.com", company="Other", postcode="99999")
    assert match(a, b) == Decision("email", 1.0)


def test_a_shared_role_mailbox_needs_the_names_to_agree() -> None:
    a = person("Anna", "Weber", email="info@acme.com")
    assert match(a, person("Jonas", "Keller", email="info@acme.com", street=None)) is None
    assert match(a, person("Anna", "Weber", email="info@acme.com")) == Decision("email", 1.0)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("Robert", "Smiht"),
        ("Bob", "Smith"),
        ("Smith", "Robert"),
        ("ROBERT", "smith"),
        ("Rob", "Smyth"),
    ],
)
def test_name_and_company_tolerate_typos_nicknames_swaps_and_case(first: str, last: str) -> None:
    a = person(street=None)
    b = person(first, last, company="ACME WIDGETS Incorporated", street=None)
    decision = match(a, b)
    assert decision is not None and decision.rule == "name+company"
    assert 0.85 <= decision.score <= 1.0


def test_the_same_web_domain_stands_for_the_company() -> None:
    a = person(company="Acme", website_domain="acme.com", street=None)
    b = person("Robert", "Smith", company="", website_domain="acme.com", street=None)
    assert match(a, b) == Decision("name+company", 1.0)


def test_another_first_name_at_the_same_company_is_a_colleague() -> None:
    assert match(person("Robert"), person("Rachel")) is None
    # Jaro-Winkler alone rates these 0.92; more than one edit in four letters is no typo.
    assert match(person("Hans", "Müller"), person("Hanna", "Müller")) is None


def test_one_typo_in_each_name_part_is_another_person() -> None:
    a = person("Mary", "Wood", phone="+12025550143", street=None)
    assert match(a, person("Gary", "Hood", phone="+12025550143", street=None)) is None


def test_name_and_address_need_postcode_house_number_and_a_similar_street() -> None:
    a = person(company="")
    b = person(company="", street="12 main street")
    assert match(a, b) == Decision("name+address", 1.0)
    assert match(a, replace(b, street="14 main street")) is None
    assert match(a, replace(b, postcode="54321")) is None
    assert match(a, replace(b, postcode=None, city="Springfield")) == Decision("name+address", 1.0)


def test_phone_and_name() -> None:
    a = person(company="", street=None, phone="+4930123456")
    decision = match(a, person("Robert", "Smiht", company="", street=None, phone="+4930123456"))
    assert decision is not None and decision.rule == "phone+name"
    assert match(a, person("Karl", "Huber", company="", street=None, phone="+4930123456")) is None


def test_different_domains_split_people_unless_phone_and_name_agree() -> None:
    a = person(email="robert.smith@acme.com")
    b = person(email="rsmith@globex.com")
    assert match(a, b) is None
    phoned = match(replace(a, phone="+4930123456"), replace(b, phone="+4930123456"))
    assert phoned == Decision("phone+name", 1.0)


def test_two_mailboxes_at_one_domain() -> None:
    gilbert = person("Faith", "Gilbert", email="faithgilbert@acme.com")
    # The mailbox was made from the right name: the row's name has a typo.
    assert match(gilbert, person("Faith", "Gilbtr", email="faith.gilbert@acme.com")) is not None
    # Each mailbox fits only its own name: colleagues.
    ann = person("Ann", "Robinson", email="ann.robinson@acme.com")
    assert match(ann, person("Anna", "Robinson", email="arobinson@acme.com")) is None
    # Swapped names, each mailbox fits both: one person.
    assert match(person("Stacy", "Garza", email="s.garza@acme.com"),
                 person("Garza", "Stacy", email="garza.stacy@acme.com")) is not None  # fmt: skip


def test_a_name_needs_first_and_last_name() -> None:
    assert match(person(None, "Smith"), person(None, "Smith")) is None
    assert match(person("Robert", None), person("Robert", "Smith")) is None


def test_non_latin_names_match_exactly_or_swapped() -> None:
    a = person("太郎", "山田", company="山田電気株式会社")
    assert match(a, person("山田", "太郎", company="山田電気株式会社")) == Decision(
        "name+company", 1.0
    )
    assert match(a, person("花子", "山田", company="山田電気株式会社")) is None
    cyrillic = person("Дмитрий", "Иванов", company="Ромашка")
    assert match(cyrillic, person("Дима", "Иванов", company="Ромашка")) is not None


def test_the_threshold_is_configurable() -> None:
    a, b = person(street=None), person("Robert", "Smiht", street=None)
    assert match(a, b) is not None
    assert match(a, b, DedupConfig(name_threshold=0.99, phone_name_threshold=0.99)) is None


@pytest.mark.parametrize("scorer", ["jaro_winkler", "osa", "token_sort_ratio", "wratio"])
def test_every_measured_scorer_can_be_chosen(scorer: str) -> None:
    assert match(person(), person(), DedupConfig(scorer=scorer)) == Decision("name+company", 1.0)
