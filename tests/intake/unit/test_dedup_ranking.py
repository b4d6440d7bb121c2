"""Of several contacts a row matches, the best by rank: score, rule, then evidence (what else
the pair shares); full ties keep the first indexed, whatever order the candidates came in."""

import pytest

from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import DedupIndex
from rainmaker_intake.domain.dedup_rules import Decision, evidence
from rainmaker_intake.domain.similarity import profile


def contact(**kw: object) -> NormalisedContact:
    values: dict[str, object] = {"first_name": "Ada", "last_name": "Byron",
                                 "company": "Acme Ltd", "company_key": "acme"}  # fmt: skip
    values.update(kw)
    return NormalisedContact(row_number=2, **values)  # type: ignore[arg-type]


# An undone merge: the survivor and the row restored from it, alike by name and company.
SURVIVOR = contact(email="ada@acme.com", city="London")
RESTORED = contact(phone="+442079460099", city="Manchester", job_title="CTO")


@pytest.mark.parametrize("order", [("survivor", "restored"), ("restored", "survivor")])
def test_the_restored_rows_data_goes_to_the_restored_lead(order: tuple[str, str]) -> None:
    index = DedupIndex()
    for lead_id in order:
        index.add(lead_id, SURVIVOR if lead_id == "survivor" else RESTORED)
    found = index.find(RESTORED)
    assert found is not None and found[0] == "restored"
    assert found[1] == Decision("phone+name", 1.0)


@pytest.mark.parametrize("order", [("london", "manchester"), ("manchester", "london")])
def test_one_rule_and_score_the_most_evidence_wins(order: tuple[str, str]) -> None:
    index = DedupIndex()
    for city in order:
        index.add(city, contact(city=city.title(), street="1 Main St"))
    found = index.find(contact(city="Manchester"))  # name+company 1.0 with both
    assert found is not None and found[0] == "manchester"
    assert (found[1].rule, found[1].score, found[1].evidence) == ("name+company", 1.0, 2)


@pytest.mark.parametrize("first", ["a", "b"])
def test_a_full_tie_keeps_the_first_indexed(first: str) -> None:
    index = DedupIndex()
    for lead_id in sorted("ab", key=lambda x: x != first):
        index.add(lead_id, contact())
    found = index.find(contact())
    assert found is not None and found[0] == first


def test_the_stronger_rule_wins_a_tie_on_score() -> None:
    index = DedupIndex()
    # An address match that shares more (city, street, house) against a phone match.
    index.add("address", contact(company=None, company_key=None, street="1 Main St",
                                 city="Leeds", postcode="LS1 1AA"))  # fmt: skip
    index.add("phone", contact(company=None, company_key=None, phone="+441130000000"))
    row = contact(company=None, company_key=None, phone="+441130000000", street="1 Main St",
                  city="Leeds", postcode="LS1 1AA")  # fmt: skip
    found = index.find(row)
    assert found is not None and found[0] == "phone"


def test_evidence_counts_shared_identifiers_less_those_that_differ() -> None:
    a = profile(contact(email="ada@acme.com", phone="+441130000000", city="Leeds"))
    assert evidence(a, a) == 4  # e-mail, phone, company, city
    b = profile(contact(email="byron@acme.com", city="Leeds"))
    assert evidence(a, b) == 1  # company and city, less the e-mail; no phone on b
    assert evidence(a, profile(contact(first_name="Zed", company=None, company_key=None))) == 0


@pytest.mark.parametrize("order", [("survivor", "restored"), ("restored", "survivor")])
def test_last_the_likeness_decides_blanks_included(order: tuple[str, str]) -> None:
    # The row adds nothing to the survivor: score, rule and evidence tie; only the restored
    # lead also lacks the e-mail address.
    phone = {"phone": "+442079460099", "city": "Leeds"}
    index = DedupIndex()
    for lead_id in order:
        extra = {"email": "ada@acme.com"} if lead_id == "survivor" else {}
        index.add(lead_id, contact(**phone, **extra))
    found = index.find(contact(**phone))
    assert found is not None and found[0] == "restored"
