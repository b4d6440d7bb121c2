"""A won deal makes its lead an existing customer: the `deal.closed` event, delivered to
intake's handler table as its consumer delivers it (wire bytes, contract, one transaction),
marks the lead `is_customer`, and a later list that contains the person counts them in its
quality report's `existing_customers`. A lost deal makes nobody a customer."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from rainmaker_contracts import make_envelope, parse_envelope
from rainmaker_intake.adapters.tables import customers
from rainmaker_intake.service_layer.handlers import EVENT_HANDLERS
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv

WON, LOST, PROSPECT, NEW = 1, 2, 3, 30


def deliver_deal_closed(intake: Intake, deal_id: str, lead_id: str, outcome: str) -> None:
    data: dict[str, Any] = {
        "deal_id": deal_id, "lead_id": lead_id, "am_id": "am-1", "outcome": outcome,
        "value_minor": 500000, "currency": "EUR", "product": "Platform",
        "closed_at": datetime(2024, 6, 1, 12, 0, tzinfo=UTC).isoformat(),
    }  # fmt: skip
    body = make_envelope("deal.closed", data, producer="pipeline").to_json()
    envelope, loaded = parse_envelope(body)  # as the consumer reads a delivery
    handler = EVENT_HANDLERS["intake.events"][envelope.type]
    with intake.db.transaction() as session:
        handler(session, envelope, loaded)


def test_a_won_deal_makes_an_existing_customer_and_a_later_list_counts_them(
    intake: Intake,
) -> None:
    first = intake.import_list(to_csv(person(i) for i in range(6)), "Fintech", vendor="A")
    assert first["quality"]["existing_customers"] == 0
    won_id, lost_id = (intake.lead_id_of(person(i)["Email"]) for i in (WON, LOST))

    deliver_deal_closed(intake, "deal-won", won_id, "won")
    deliver_deal_closed(intake, "deal-lost", lost_id, "lost")
    deliver_deal_closed(intake, "deal-won-again", won_id, "won")  # a second win: still one
    assert intake.lead(won_id)["is_customer"] is True
    assert intake.lead(lost_id)["is_customer"] is False

    rows = [person(i) for i in (WON, LOST, PROSPECT, NEW)]
    second = intake.import_list(to_csv(rows), "Payments", vendor="B")
    assert (second["accepted"], second["duplicates_existing"]) == (1, 3)
    assert second["quality"]["existing_customers"] == 1
    assert second["quality"]["rows_already_owned"] == 3

    for i, customer in ((WON, True), (LOST, False), (PROSPECT, False), (NEW, False)):
        assert intake.lead(intake.lead_id_of(person(i)["Email"]))["is_customer"] is customer, i
    # The first list's report is what it was when it ran.
    assert intake.status(first["import_id"])["quality"]["existing_customers"] == 0


def test_a_won_deal_arriving_after_the_erasure_brings_nothing_back(intake: Intake) -> None:
    """The deal closed before the person was erased, but its event was retried and came
    after `lead.erased`: the erased lead does not become a customer row again."""
    intake.import_list(to_csv(person(i) for i in range(3)), "Fintech", vendor="A")
    lead_id = intake.lead_id_of(person(WON)["Email"])
    assert intake.client.delete(f"/leads/{lead_id}", headers=intake.headers).status_code == 204
    deliver_deal_closed(intake, "deal-late", lead_id, "won")
    with intake.db.reader() as session:
        left = session.execute(
            select(func.count()).select_from(customers).where(customers.c.lead_id == lead_id)
        ).scalar_one()
    assert left == 0
