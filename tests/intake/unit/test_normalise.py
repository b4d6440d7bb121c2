"""normalise(): each rule, what is dropped with which reason, and when a row is rejected."""

import pytest

from rainmaker_intake.domain.address import postcode, street_line
from rainmaker_intake.domain.company import company_key
from rainmaker_intake.domain.contact import MAX_LENGTHS, RawRow, RowError
from rainmaker_intake.domain.countries import country_code
from rainmaker_intake.domain.emails import normalise_email
from rainmaker_intake.domain.employees import employee_count
from rainmaker_intake.domain.names import person_name, split_full_name
from rainmaker_intake.domain.normalise import NO_NAME, NO_REACH, normalise
from rainmaker_intake.domain.web import employer_domain, website_domain

OOO = "\u041e\u041e\u041e"  # the Russian legal form OOO, in Cyrillic letters


def norm(
    values: dict[str, str], region: str | None = "DE", attributes: dict[str, str] | None = None
):
    return normalise(RawRow(7, values, attributes or {}), default_region=region)


def test_a_full_row_is_normalised() -> None:
    contact, errors = norm(
        {
            "email": " Jane.DOE@Acme-Corp.co.uk ", "phone": "030 1234567",
            "full_name": "Dr. Jane van der Berg", "company": "  ACME  Holdings GmbH ",
            "job_title": " Head  of Sales ", "website": "n/a", "street": "Hauptstraße 5",
            "street2": "Hinterhaus", "city": "BERLIN", "postcode": " 10115 ",
            "country": "Deutschland", "employees": "1,200", "revenue": "5M EUR",
            "notes": "=1+1", "region": "", "industry": "Software",
        },
        attributes={"Lead Source": " Fair ", "Empty": "  "},
    )  # fmt: skip

    assert errors == []
    assert contact is not None
    assert contact.row_number == 7
    assert contact.email == "jane.doe@acme-corp.co.uk"
    assert contact.phone == "+49301234567"
    assert (contact.first_name, contact.last_name) == ("Jane", "van der Berg")
    assert (contact.company, contact.company_key) == ("ACME Holdings GmbH", "acme holdings")
    assert contact.job_title == "Head of Sales"
    assert contact.website_domain == "acme-corp.co.uk"  # website "n/a" is blank: from email
    assert (contact.street, contact.city, contact.postcode) == ("hauptstr 5", "Berlin", "10115")
    assert (contact.country, contact.employees, contact.region) == ("DE", 1200, None)
    assert contact.notes == "=1+1"  # formula-like text is kept as data
    assert contact.attributes == {
        "Lead Source": "Fair",
        "street2": "hinterhaus",
        "revenue": "5M EUR",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("o'brien+tag@sub.example.org", "o'brien+tag@sub.example.org"),
        ("mailto:Bob@Example.com", "bob@example.com"),
        ("Bob Smith <bob@example.com>", "bob@example.com"),
        ("jörg@müller.de", "jörg@müller.de"),
    ],
)
def test_valid_emails_are_lower_cased(raw: str, expected: str) -> None:
    assert normalise_email(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("jane.example.com", "must have an @-sign"),
        ("a@b@example.com", "invalid characters: '@'"),
        ("jane@", "something after the @-sign"),
        ("jane@localhost", "should have a period"),
        ("jane..doe@example.com", "two periods in a row"),
        ("jane@example.test", "special-use or reserved name"),
        ("jane doe@example.com", "invalid characters"),
        ("=HYPERLINK(1)@x.com", "invalid characters"),
    ],
)
def test_invalid_emails_give_the_reason(raw: str, reason: str) -> None:
    email, why = normalise_email(raw)
    assert email is None
    assert why is not None and why.startswith("invalid email: ") and reason in why


def test_an_invalid_email_is_dropped_and_the_row_survives_by_phone() -> None:
    contact, errors = norm({"email": "jane@", "phone": "+49 30 1234567", "last_name": "Doe"})

    assert contact is not None and contact.email is None and contact.phone == "+49301234567"
    assert [(e.row_number, e.column, e.value) for e in errors] == [(7, "email", "jane@")]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("call me", "not a phone number"),
        ("12", "not a valid number in DE (+49)"),
        ("030 1234567890123456", "too long"),
        ("+1 415", "too short"),
        ("+999 1234567", "unknown or missing country code"),
    ],
)
def test_an_invalid_phone_is_dropped_with_its_reason(raw: str, reason: str) -> None:
    contact, errors = norm({"email": "a@x.com", "phone": raw, "company": "Acme"})

    assert contact is not None and contact.phone is None
    assert errors == [RowError(7, "phone", raw, f"invalid phone: {reason}")]


def test_mobile_feeds_phone_and_a_second_number_is_kept() -> None:
    only_mobile, _ = norm({"mobile": "0151 23456789", "company": "Acme"})
    both, _ = norm({"phone": "030 1234567", "mobile": "0151 23456789", "company": "Acme"})

    assert only_mobile is not None and only_mobile.phone == "+4915123456789"
    assert both is not None and both.phone == "+49301234567"
    assert both.attributes["mobile"] == "+4915123456789"


def test_the_rows_country_beats_the_lists_default_region() -> None:
    contact, _ = norm({"phone": "01 23 45 67 89", "country": "France", "company": "X"}, "DE")

    assert contact is not None and contact.phone == "+33123456789"


def test_without_a_region_a_national_number_is_refused() -> None:
    contact, errors = norm({"phone": "030 1234567", "email": "a@x.com", "company": "X"}, None)

    assert contact is not None and contact.phone is None
    assert (
        errors[0].reason
        == "invalid phone: no country code (+..) and no default region for the list"
    )


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Dr. Jane van der Berg", "Jane", "van der Berg"),
        ("Berg, Jane", "Jane", "Berg"),
        ("Berg, Dr. Jane Marie", "Jane Marie", "Berg"),
        ("Doe, Jane, PhD", "Jane", "Doe"),
        ("JOHN MCDONALD JR.", "John", "McDonald"),
        ("mary ann   smith", "Mary Ann", "Smith"),
        ("Prof. Dr. Hans Müller", "Hans", "Müller"),
        ("ИВАН ПЕТРОВ", "Иван", "Петров"),
        ("王 小明", "小明", "王"),
        ("محمد علي", "محمد", "علي"),
        ("Madonna", "Madonna", None),
    ],
)
def test_full_names_are_split(full: str, first: str, last: str | None) -> None:
    assert split_full_name(full) == (first, last)


def test_given_names_are_trimmed_and_case_fixed_only_when_all_caps_or_lower() -> None:
    assert person_name("  JANE ", " doe", None) == ("Jane", "Doe")
    assert person_name("DeShawn", "McAdams", None) == ("DeShawn", "McAdams")
    assert person_name("Jane", None, "Jane Q. Public") == ("Jane", "Public")
    assert person_name(None, None, None) == (None, None)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME, Inc.", "acme"), ("Acme Incorporated", "acme"), ("Acme LLC", "acme"),
        ("Acme Ltd", "acme"), ("Acme Limited", "acme"),
        ("Acme Holdings GmbH & Co. KG", "acme holdings"),
        ("Acme AG", "acme"), ("Acme S.A.", "acme"), ("Acme SAS", "acme"), ("Acme SARL", "acme"),
        ("Acme B.V.", "acme"), ("Acme N.V.", "acme"), ("Acme Oy", "acme"), ("Acme AB", "acme"),
        ("Acme plc", "acme"), ("Acme Co.", "acme"), ("Acme Corp", "acme"),
        ("Acme Corporation", "acme"), ("The Acme Company", "acme"),
        ("Société Générale S.A.", "societe generale"), ("Procter & Gamble", "procter and gamble"),
        ("Novo Nordisk A/S", "novo nordisk"), ("Company", "company"), (f"{OOO} Ромашка", "ромашка"),
    ],
)  # fmt: skip
def test_company_keys_fold_case_accents_punctuation_and_legal_forms(name: str, key: str) -> None:
    assert company_key(name) == key


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("https://www.Example.co.uk/about?x=1", "example.co.uk"),
        ("www.shop.example.com", "example.com"),
        ("http://user@example.de:8080", "example.de"),
        ("example.github.io", "github.io"),
        ("localhost", None),
        ("192.168.0.1", None),
        ("not a website", None),
    ],
)
def test_website_to_registrable_domain_offline(value: str, domain: str | None) -> None:
    assert website_domain(value) == domain


def test_email_domain_is_the_website_unless_free_mail() -> None:
    assert employer_domain("jane@mail.acme.co.uk") == "acme.co.uk"
    for free in ("gmail.com", "yahoo.co.uk", "hotmail.fr", "gmx.de", "web.de", "outlook.com"):
        assert employer_domain(f"jane@{free}") is None


def test_a_bad_website_is_reported_and_the_email_domain_used() -> None:
    contact, errors = norm({"email": "a@acme.com", "website": "localhost", "company": "Acme"})

    assert contact is not None and contact.website_domain == "acme.com"
    assert [(e.column, e.reason) for e in errors] == [("website", "not a web address or domain")]


@pytest.mark.parametrize(
    ("street", "folded"),
    [
        ("12 Main Street", "12 main st"), ("12 main st.", "12 main st"),
        ("5 Abbey Road", "5 abbey rd"), ("350 Fifth Avenue, Suite 100", "350 fifth ave ste 100"),
        ("Hauptstraße 5", "hauptstr 5"), ("Hauptstrasse 5", "hauptstr 5"),
        ("Hauptstr. 5", "hauptstr 5"), ("Berliner Straße Nr. 12", "berliner str 12"),
        ("  12   Boulevard   Haussmann ", "12 blvd haussmann"),
    ],
)  # fmt: skip
def test_streets_fold_case_spacing_and_abbreviations(street: str, folded: str) -> None:
    assert street_line(street) == folded


def test_postcodes_and_countries() -> None:
    assert postcode(" sw1a   1aa ") == "SW1A 1AA"
    for name in ("Germany", "Deutschland", "DE", "deu", "Allemagne"):
        assert country_code(name) == "DE"
    for name in ("United Kingdom", "UK", "Großbritannien", "Vereinigtes Königreich"):
        assert country_code(name) == "GB"
    assert country_code("U.S.A.") == "US" and country_code("Österreich") == "AT"
    assert country_code("Atlantis") is None


def test_an_unknown_country_is_kept_as_written() -> None:
    contact, _ = norm({"email": "a@x.com", "company": "X", "country": "  Atlantis "})

    assert contact is not None and contact.country == "Atlantis"


@pytest.mark.parametrize(
    ("raw", "count"),
    [
        ("1200", 1200), ("1,200", 1200), ("1.200", 1200), ("1 200", 1200), ("50-200", 50),
        ("51 to 200", 51), ("500+", 500), (">1000", 1000), ("10k", 10_000), ("1.5k", 1500),
        ("ca. 300", 300), ("approx. 45 employees", 45), ("none", None), ("lots", None),
    ],
)  # fmt: skip
def test_employees_parse_to_the_lower_bound(raw: str, count: int | None) -> None:
    assert employee_count(raw) == count


def test_unparseable_employees_are_reported() -> None:
    contact, errors = norm({"email": "a@x.com", "company": "X", "employees": "lots"})

    assert contact is not None and contact.employees is None
    assert [(e.column, e.reason) for e in errors] == [("employees", "not a number of employees")]


@pytest.mark.parametrize(
    "values",
    [
        {"email": "a@x.com", "first_name": "Jane"},
        {"phone": "+49 30 1234567", "company": "Acme"},
        {"street": "Main St 1", "city": "Springfield", "last_name": "Simpson"},
        {"street": "Main St 1", "postcode": "12345", "company": "Acme"},
    ],
)
def test_reachable_and_named_rows_are_accepted(values: dict[str, str]) -> None:
    contact, errors = norm(values)

    assert contact is not None and errors == []


@pytest.mark.parametrize(
    ("values", "reasons"),
    [
        ({"first_name": "Jane", "company": "Acme"}, [NO_REACH]),
        ({"street": "Main St 1", "last_name": "Simpson"}, [NO_REACH]),  # street alone
        ({"email": "a@x.com", "job_title": "CEO"}, [NO_NAME]),
        ({"notes": "hello"}, [NO_REACH, NO_NAME]),
        ({"email": "N/A", "first_name": "-", "company": "null"}, [NO_REACH, NO_NAME]),
    ],
)
def test_rows_missing_reach_or_name_are_rejected_with_reasons(
    values: dict[str, str], reasons: list[str]
) -> None:
    contact, errors = norm(values)

    assert contact is None
    assert [(e.column, e.reason) for e in errors] == [("*", r) for r in reasons]


def test_an_invalid_email_as_the_only_reach_rejects_the_row_with_both_reasons() -> None:
    contact, errors = norm({"email": "jane(at)acme.com", "first_name": "Jane"})

    assert contact is None
    assert [e.column for e in errors] == ["email", "*"]
    assert errors[1].reason == NO_REACH


def test_non_latin_contacts_normalise() -> None:
    contact, errors = norm(
        {"email": "ivan@example.ru", "full_name": "ИВАН ПЕТРОВ", "company": f"{OOO} Ромашка"}
    )

    assert errors == []
    assert contact is not None
    assert (contact.first_name, contact.last_name, contact.company_key) == (
        "Иван",
        "Петров",
        "ромашка",
    )


def test_a_value_longer_than_its_column_is_a_field_error_and_the_row_lives_on() -> None:
    title, code = "Head of " + "Very " * 80 + "Important Things", "X" * 60
    contact, errors = norm({"email": "a@x.com", "first_name": "Jane", "job_title": title,
                            "postcode": code, "city": "Berlin"})  # fmt: skip

    assert contact is not None
    assert (contact.job_title, contact.postcode, contact.city) == (None, None, "Berlin")
    assert [(e.row_number, e.column) for e in errors] == [(7, "job_title"), (7, "postcode")]
    limit = MAX_LENGTHS["job_title"]
    assert errors[0].reason == f"longer than {limit} characters, the most it may hold"
    assert errors[0].value == title[:100] + "…"


def test_a_company_too_long_to_store_cannot_name_the_row() -> None:
    contact, errors = norm({"email": "a@x.com", "company": "Acme " * 70})

    assert contact is None
    assert [(e.column, e.reason) for e in errors][1:] == [("*", NO_NAME)]
    assert errors[0].column == "company"


def test_values_up_to_their_limit_are_kept_whole() -> None:
    names = ("first_name", "last_name", "job_title", "industry", "region")
    values = {name: "x" * MAX_LENGTHS[name] for name in names}
    contact, errors = norm({"email": "a@x.com", **values})

    assert errors == [] and contact is not None
    assert all(len(getattr(contact, name)) == len(v) for name, v in values.items())


def test_a_short_value_that_folding_lengthens_past_its_column_is_refused() -> None:
    contact, errors = norm({"email": "a@x.com", "first_name": "Jane", "postcode": "\ufb03" * 20})

    assert contact is not None and contact.postcode is None
    assert [e.column for e in errors] == ["postcode"]
