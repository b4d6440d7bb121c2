"""A list's cost is kept in its currency's minor units (ISO 4217): cents for EUR, yen for JPY
(no decimals), fils for KWD (three). The figures downstream are in those units too: GET /lists,
the quality report (cost and cost per new contact) and the `list.imported` event. A cost with
more decimals than its currency has is refused (422 naming `cost`), not rounded."""

from typing import Any

import pytest

from rainmaker_intake.service_layer.importer import run_import
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


@pytest.mark.parametrize(
    ("cost", "currency", "minor"),
    [("120000", "JPY", 120_000), ("120000.00", "JPY", 120_000), ("1234.56", "EUR", 123_456),
     ("1234.5", "EUR", 123_450), ("1.234", "KWD", 1_234), ("0", "CLP", 0)],
)  # fmt: skip
def test_a_cost_is_stored_and_reported_in_its_currencys_minor_units(
    intake: Intake, cost: str, currency: str, minor: int
) -> None:
    status = intake.import_list(to_csv(person(i) for i in range(3)), "Tokyo fintech",
                                cost=cost, currency=currency)  # fmt: skip
    assert status["accepted"] == 3
    lists: Any = intake.client.get("/lists", headers=intake.headers).json
    [listed] = lists
    assert (listed["cost_minor"], listed["currency"]) == (minor, currency)
    quality = status["quality"]
    assert (quality["cost_minor"], quality["currency"]) == (minor, currency)
    assert quality["cost_per_new_contact_minor"] == round(minor / 3)
    [event] = intake.events("list.imported")
    assert (event["data"]["cost_minor"], event["data"]["currency"]) == (minor, currency)


def test_a_jpy_and_a_eur_list_side_by_side(intake: Intake) -> None:
    """The case that was wrong: 120000 JPY was stored as 12,000,000 (as if it had sen)."""
    jpy = intake.import_list(to_csv(person(i) for i in range(4)), "Tokyo", vendor="A",
                             cost="120000", currency="JPY")  # fmt: skip
    eur = intake.import_list(to_csv(person(i) for i in range(10, 14)), "Berlin", vendor="B",
                             cost="800.00", currency="EUR")  # fmt: skip
    assert (jpy["quality"]["cost_minor"], jpy["quality"]["cost_per_new_contact_minor"]) == (
        120_000, 30_000,
    )  # fmt: skip
    assert (eur["quality"]["cost_minor"], eur["quality"]["cost_per_new_contact_minor"]) == (
        80_000, 20_000,
    )  # fmt: skip
    sent = {e["data"]["name"]: (e["data"]["cost_minor"], e["data"]["currency"])
            for e in intake.events("list.imported")}  # fmt: skip
    assert sent == {"Tokyo": (120_000, "JPY"), "Berlin": (80_000, "EUR")}


@pytest.mark.parametrize(
    ("cost", "currency"),
    [("120000.5", "JPY"), ("0.01", "KRW"), ("12.345", "EUR"), ("1.005", "GBP"),
     ("1.2345", "KWD"), ("9.0001", "BHD")],
)  # fmt: skip
def test_a_cost_finer_than_its_currency_is_refused(
    intake: Intake, cost: str, currency: str
) -> None:
    r = intake.upload(to_csv([person(1)]), "Too precise", cost=cost, currency=currency)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.mimetype == "application/problem+json"
    problem: Any = r.json
    [message] = problem["errors"]["form"]["cost"]
    assert currency in message
    assert intake.client.get("/lists", headers=intake.headers).json == []  # nothing created
    # Written to the currency's precision, the same cost is taken.
    r = intake.upload(to_csv([person(1)]), "Precise", cost=cost[: cost.index(".")],
                      currency=currency)  # fmt: skip
    assert r.status_code == 202, r.get_data(as_text=True)
    run_import(intake.db, r.json["import_id"])
    assert intake.status(r.json["import_id"])["status"] == "done"


@pytest.mark.parametrize("cost", ["1E+999997", "1E+999998", "1e20", "1000000000000.01", "NaN"])
def test_an_absurd_cost_is_a_field_error_at_once(intake: Intake, cost: str) -> None:
    """Past 10^12 units the range check refuses it first: no decimal arithmetic on a million
    digits (25 s for 1E+999997), no overflow of the column (a 500)."""
    r = intake.upload(to_csv([person(1)]), "Absurd", cost=cost, currency="JPY")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert list(r.json["errors"]["form"]) == ["cost"]
