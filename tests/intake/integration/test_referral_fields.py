"""Referrals take what list rows take and a referrer by name or id; a referrer too long to be a
source is refused as a field error (422), never a server error."""

from typing import Any

import pytest

from rainmaker_intake.service_layer.referrals import referrer_source
from tests.intake.integration.conftest import Intake


def post(intake: Intake, *leads: dict[str, Any], region: str | None = None) -> Any:
    body: dict[str, Any] = {"leads": list(leads)}
    if region:
        body["default_region"] = region
    return intake.client.post("/referrals", json=body, headers=intake.headers)


def referrer_errors(r: Any) -> dict[str, list[str]]:
    assert r.status_code == 422, r.get_data(as_text=True)
    errors: dict[str, list[str]] = r.json["errors"]["json"]["leads"]["0"]["referrer"]
    return errors


def test_a_referrer_known_by_its_id_alone(intake: Intake) -> None:
    r = post(intake, {"email": "ada@engines.co.uk", "first_name": "Ada",
                      "referrer": {"type": "customer", "id": "cust-42"}})  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    [touch] = intake.lead(r.json["results"][0]["lead_id"])["touches"]
    assert (touch["source_type"], touch["source_id"]) == ("referral", "customer/cust-42")
    assert touch["source_name"] == "customer: cust-42"

    r = post(intake, {"email": "grace@cobol.com", "first_name": "Grace",
                      "referrer": {"type": "event", "id": "expo-2025"}})  # fmt: skip
    assert r.status_code == 201, r.get_data(as_text=True)
    [touch] = intake.lead(r.json["results"][0]["lead_id"])["touches"]
    assert (touch["source_type"], touch["source_id"]) == ("event", "expo-2025")


@pytest.mark.parametrize("referrer", [{"type": "employee"}, {"type": "employee", "name": None},
                                      {"type": "employee", "id": None, "name": None}])  # fmt: skip
def test_a_referrer_needs_a_name_or_an_id(intake: Intake, referrer: dict[str, Any]) -> None:
    r = post(intake, {"email": "ada@engines.co.uk", "first_name": "Ada", "referrer": referrer})
    assert referrer_errors(r) == {"name": ["A referrer needs a name or an id."]}
    assert intake.contact_count() == 0


def test_a_referral_takes_the_fields_a_list_row_takes(intake: Intake) -> None:
    both = {"first_name": "Katherine", "last_name": "Johnson", "email": "kj@orbits.com",
            "phone": "020 7946 0111", "mobile": "07911 123456", "street": "1 Launch Road",
            "street2": "Building 4", "city": "Hampton", "region": "Virginia",
            "postcode": "SW1A 1AA", "employees": "51-200", "revenue": "EUR 12m",
            "referrer": {"type": "analyst", "name": "Gartner"}}  # fmt: skip
    mobile_only = {"first_name": "Dorothy", "company": "Compute Ltd", "mobile": "07400 123457",
                   "employees": 250, "revenue": 1000000,
                   "referrer": {"type": "analyst", "name": "Gartner"}}  # fmt: skip
    r = post(intake, both, mobile_only, region="GB")
    assert r.status_code == 201, r.get_data(as_text=True)
    assert [x["status"] for x in r.json["results"]] == ["new", "new"]

    lead = intake.lead(r.json["results"][0]["lead_id"])
    assert (lead["phone"], lead["region"], lead["employees"]) == ("+442079460111", "Virginia", 51)
    assert lead["attributes"] == {"mobile": "+447911123456", "street2": "bldg 4",
                                  "revenue": "EUR 12m"}  # fmt: skip
    assert lead["touches"][0]["original"]["mobile"] == "07911 123456"

    lead = intake.lead(r.json["results"][1]["lead_id"])
    assert (lead["phone"], lead["employees"]) == ("+447400123457", 250)
    assert lead["attributes"] == {"revenue": "1000000"}

    bad = post(intake, {**both, "employees": True, "mobile": ["x"]})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]["leads"]["0"]) == {"employees", "mobile"}


@pytest.mark.parametrize(
    ("referrer", "field"),
    [
        ({"type": "employee", "name": "Sam " * 60}, "name"),  # the source id
        ({"type": "customer", "name": "x" * 295}, "name"),  # the source's label
        ({"type": "customer", "id": "c" * 101}, "id"),
        ({"type": "partner", "id": "ok", "name": "y" * 295}, "name"),
        ({"type": "event", "name": "İ" * 120}, "name"),  # İ lower-cases to two characters
    ],
)
def test_a_referrer_too_long_to_be_a_source_is_a_field_error(
    intake: Intake, referrer: dict[str, Any], field: str
) -> None:
    r = post(intake, {"email": "ada@engines.co.uk", "first_name": "Ada", "referrer": referrer})
    errors = referrer_errors(r)
    assert list(errors) == [field], errors
    assert intake.contact_count() == 0


def test_the_longest_referrer_accepted_fits_the_touches(intake: Intake) -> None:
    longest = [{"type": "customer", "name": "n" * 180}, {"type": "customer", "id": "i" * 100},
               {"type": "customer", "id": "i" * 100, "name": "N" * 180}]  # fmt: skip
    leads = [{"email": f"p{i}@engines.co.uk", "first_name": "Ada", "referrer": referrer}
             for i, referrer in enumerate(longest)]  # fmt: skip
    r = post(intake, *leads)
    assert r.status_code == 201, r.get_data(as_text=True)
    touches = [intake.lead(x["lead_id"])["touches"][0] for x in r.json["results"]]
    assert [t["source_id"] for t in touches] == [
        "customer/name:" + "n" * 180,
        "customer/" + "i" * 100,
        "customer/" + "i" * 100,
    ]
    assert touches[2]["source_name"] == "customer: " + "N" * 180


def test_referrers_named_without_letters_are_different_sources() -> None:
    sources = {referrer_source({"type": "partner", "name": n}).id for n in ("!!!", "???", "---")}
    assert len(sources) == 3 and all(s.startswith("partner/name:") for s in sources)
    again = referrer_source({"type": "partner", "name": "!!!"}).id
    assert again in sources  # the same name is the same source
