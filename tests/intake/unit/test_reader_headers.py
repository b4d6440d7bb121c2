"""Header synonyms: every contact field, several languages, spelling-insensitive."""

import pytest

from rainmaker_intake.domain.contact import FIELDS
from rainmaker_intake.domain.headers import SYNONYMS, header_key, map_headers, synonym_field


def test_every_field_has_synonyms_and_no_synonym_feeds_two_fields() -> None:
    assert set(SYNONYMS) == set(FIELDS)
    owners: dict[str, str] = {}
    for field, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            assert owners.setdefault(synonym.casefold(), field) == field


def test_no_two_fields_share_a_folded_header() -> None:
    """Headers are looked up folded ("State/Region" -> "stateregion"): no key may feed two."""
    owners: dict[str, str] = {}
    for field, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            assert owners.setdefault(header_key(synonym), field) == field, synonym


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail Address", "email"), ("EMAIL", "email"), ("e_mail", "email"), ("Mail", "email"),
        ("E-Mail-Adresse", "email"), ("Courriel", "email"), ("Correo electrónico", "email"),
        ("Company Name", "company"), ("Organisation", "company"), ("Firma", "company"),
        ("Société", "company"), ("Empresa", "company"),
        ("Job Title", "job_title"), ("Position", "job_title"), ("Title", "job_title"),
        ("Full Name", "full_name"), ("Name", "full_name"), ("Contact", "full_name"),
        ("Ansprechpartner", "full_name"), ("Vorname", "first_name"), ("Prénom", "first_name"),
        ("Nachname", "last_name"), ("Apellidos", "last_name"), ("Surname", "last_name"),
        ("Mobile", "mobile"), ("Cell", "mobile"), ("Handy", "mobile"), ("Telefon", "phone"),
        ("Phone Number", "phone"), ("Téléphone", "phone"),
        ("Zip", "postcode"), ("Postal Code", "postcode"), ("PLZ", "postcode"),
        ("Code postal", "postcode"), ("State", "region"), ("Province", "region"),
        ("Bundesland", "region"), ("Address Line 1", "street"), ("Street Address", "street"),
        ("Straße", "street"), ("Address Line 2", "street2"), ("City", "city"), ("Ort", "city"),
        ("Ville", "city"), ("Country", "country"), ("Land", "country"), ("País", "country"),
        ("No. of Employees", "employees"), ("# Employees", "employees"),
        ("Mitarbeiter", "employees"), ("Annual Revenue", "revenue"), ("Umsatz", "revenue"),
        ("Comments", "notes"), ("Notes", "notes"), ("Bemerkungen", "notes"),
        ("Website", "website"), ("URL", "website"), ("Domain", "website"),
        ("Industry", "industry"), ("Branche", "industry"),
        # HubSpot and Salesforce export headers, slashes and all.
        ("State/Region", "region"), ("Country/Region", "country"),
        ("Mobile Phone Number", "mobile"), ("Mailing State/Province", "region"),
        ("Mailing Zip/Postal Code", "postcode"), ("Mailing Street", "street"),
        ("Mailing City", "city"), ("Mailing Country", "country"),
        ("Billing State/Province", "region"), ("Billing Zip/Postal Code", "postcode"),
        ("Organisation Name", "company"), ("Organization Name", "company"),
        ("Website URL", "website"), ("Street Address 2", "street2"),
        ("Province/State", "region"), ("Postal/Zip Code", "postcode"),
    ],
)  # fmt: skip
def test_synonyms(header: str, field: str) -> None:
    assert synonym_field(header) == field


def test_unknown_headers_map_to_nothing() -> None:
    assert synonym_field("Shoe size") is None
    assert map_headers(["Shoe size", "Email"]) == {1: "email"}


def test_first_column_wins_a_field() -> None:
    assert map_headers(["Email", "E-mail Address"]) == {0: "email"}


def test_name_next_to_a_first_name_column_is_the_surname() -> None:
    assert map_headers(["Vorname", "Name", "Firma"]) == {
        0: "first_name",
        1: "last_name",
        2: "company",
    }
    assert map_headers(["Name", "Firma"]) == {0: "full_name", 1: "company"}
