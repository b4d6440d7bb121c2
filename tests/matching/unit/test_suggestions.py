"""An AM's ranked list through the service layer: profile, reasons, filters, exclusions."""

import pytest

from rainmaker_matching.domain.commands import ClaimProspect, ProspectFilter, SuggestProspects
from rainmaker_matching.domain.model import UnknownAccountManager
from rainmaker_matching.service_layer.claims import claim_prospect
from rainmaker_matching.service_layer.suggestions import ProspectList, suggest

from ..builders import am_event, deal, lead, new_id, stage, tagged


def ask(db, am_id: str = "am-1", limit: int = 20, **filters) -> ProspectList:
    with db.reader() as s:
        return suggest(s, SuggestProspects(am_id, limit, ProspectFilter(**filters)))


def ids(result: ProspectList) -> list[str]:
    return [item["lead_id"] for item in result.items]


def add_lead(deliver, *tags: str, minutes: int = 0, **fields) -> str:
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id, minutes, **fields)]})
    if tags:
        deliver("leads.tagged", {"leads": [tagged(lead_id, *tags)]})
    return lead_id


def win(deliver, am_id: str, value: int, *tags: str) -> None:
    lead_id = add_lead(deliver, *tags)
    deliver("deal.closed", deal(lead_id, am_id, value_minor=value))


@pytest.fixture
def warm(db, deliver):
    """am-1 has won three deals (software twice, emea once); am-2 won finance."""
    deliver("account_manager.upserted", am_event("am-1", 5, territory_tags=["region/emea"]))
    deliver("account_manager.upserted", am_event("am-2", 5))
    win(deliver, "am-1", 300_000, "industry/software", "size/smb")
    win(deliver, "am-1", 100_000, "industry/software")
    win(deliver, "am-1", 100_000, "interest/crm")
    win(deliver, "am-2", 900_000, "industry/finance")


def test_prospects_most_like_the_ams_won_deals_come_first_with_reasons(db, deliver, warm) -> None:
    best = add_lead(deliver, "industry/software", "size/smb", minutes=1)
    good = add_lead(deliver, "industry/software", minutes=2)
    territory = add_lead(deliver, "region/emea", minutes=3)
    unrelated = add_lead(deliver, "industry/finance", minutes=4)
    result = ask(db)
    assert result.profile_basis == "won_deals"
    assert result.won_deals == 3
    assert ids(result) == [best, good, territory, unrelated]
    first = result.items[0]
    assert first["reasons"] == [
        "industry/software: 2 of your 3 won deals, 80% of their value",
        "size/smb: 1 of your 3 won deals, 60% of their value",
    ]
    assert result.items[2]["reasons"] == ["region/emea: your territory"]
    assert result.items[3]["score"] == 0.0
    assert result.items[3]["reasons"] == ["no tag in common with your won deals"]
    assert first["score"] > result.items[1]["score"] > result.items[2]["score"] > 0
    assert first["source"] == {"type": "rented_list", "id": "list-1"}
    assert first["stage"] == "suspect"
    assert {t["tag"] for t in first["tags"]} == {"industry/software", "size/smb"}


def test_another_ams_deals_shape_their_list_not_mine(db, deliver, warm) -> None:
    software = add_lead(deliver, "industry/software", minutes=1)
    finance = add_lead(deliver, "industry/finance", minutes=2)
    assert ids(ask(db, "am-2")) == [finance, software]


def test_cold_start_ranks_by_specialty_and_territory(db, deliver) -> None:
    deliver(
        "account_manager.upserted",
        am_event("am-1", territory_tags=["region/emea"], specialty_tags=["industry/software"]),
    )
    both = add_lead(deliver, "industry/software", "region/emea", minutes=1)
    newest_unrelated = add_lead(deliver, "industry/finance", minutes=9)
    result = ask(db)
    assert result.profile_basis == "specialty_and_territory"
    assert ids(result) == [both, newest_unrelated]
    assert result.items[0]["score"] == 1.0
    assert result.items[0]["reasons"] == [
        "industry/software: your specialty",
        "region/emea: your territory",
    ]


def test_an_am_with_nothing_to_match_gets_the_newest_prospects(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    older = add_lead(deliver, "industry/software", minutes=1)
    newer = add_lead(deliver, minutes=2)
    result = ask(db)
    assert result.profile_basis == "empty"
    assert ids(result) == [newer, older]
    assert {item["score"] for item in result.items} == {0.0}


def test_limit_cuts_the_list(db, deliver, warm) -> None:
    for minutes in range(5):
        add_lead(deliver, "industry/software", minutes=minutes)
    assert len(ask(db, limit=3).items) == 3


def test_filters(db, deliver, warm) -> None:
    sw_de = add_lead(
        deliver,
        "industry/software",
        minutes=1,
        industry="Software",
        country="DE",
        source={"type": "event", "id": "expo-2026"},
    )
    fin_emea = add_lead(deliver, "industry/financial-services", "region/emea", minutes=2)
    crm = add_lead(deliver, "interest/crm", "industry/software", minutes=3, region="EMEA")
    assert ids(ask(db, tags=("industry/software", "interest/crm"))) == [crm]
    assert set(ids(ask(db, industry="software"))) == {sw_de, crm}
    assert ids(ask(db, industry="Financial Services")) == [fin_emea]
    assert set(ids(ask(db, region="emea"))) == {fin_emea, crm}
    assert ids(ask(db, region="de")) == [sw_de]
    assert ids(ask(db, source_type="event")) == [sw_de]
    assert ids(ask(db, source_id="expo-2026")) == [sw_de]
    assert set(ids(ask(db, source_type="rented_list"))) == {fin_emea, crm}
    assert ids(ask(db, source_type="referral")) == []


def test_claimed_closed_merged_erased_and_parked_leads_are_not_suggested(db, deliver, warm) -> None:
    visible = add_lead(deliver, "industry/software")
    claimed = add_lead(deliver, "industry/software")
    closed = add_lead(deliver, "industry/software")
    merged = add_lead(deliver, "industry/software")
    erased = add_lead(deliver, "industry/software")
    parked = add_lead(deliver, "industry/software")
    deliver("account_manager.upserted", am_event("am-3"))
    with db.transaction() as s:
        claim_prospect(s, ClaimProspect("am-3", claimed))
    deliver("deal.closed", deal(closed, "am-2", outcome="lost"))
    merge = {"merge_id": new_id(), "survivor_id": visible, "merged_id": merged}
    deliver("leads.merged", {"merges": [{**merge, "rule": "email", "score": 1.0}]})
    deliver("lead.erased", {"lead_id": erased})
    deliver("lead.stage_changed", stage(parked, "nurture"))
    assert ids(ask(db)) == [visible]
    assert ids(ask(db, "am-3")) == [visible]


def test_an_am_at_capacity_gets_an_empty_list_and_the_flag(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1", capacity=1))
    first, second = add_lead(deliver, minutes=1), add_lead(deliver, minutes=2)
    with db.transaction() as s:
        claim_prospect(s, ClaimProspect("am-1", first))
    result = ask(db)
    assert (result.capacity_reached, result.open_claims, result.items) == (True, 1, [])
    # the held lead closes: capacity frees up
    deliver("lead.stage_changed", stage(first, "lost"))
    result = ask(db)
    assert (result.capacity_reached, result.open_claims, ids(result)) == (False, 0, [second])


def test_an_inactive_am_gets_nothing(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1", active=False))
    add_lead(deliver)
    result = ask(db)
    assert (result.active, result.items) == (False, [])


def test_an_unknown_am_is_an_error(db) -> None:
    with pytest.raises(UnknownAccountManager):
        ask(db, "am-nobody")


def test_deals_won_in_another_currency_do_not_skew_the_value_shares(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    eur = add_lead(deliver, "industry/software")
    deliver("deal.closed", deal(eur, "am-1", value_minor=100_000))
    jpy = add_lead(deliver, "industry/finance")
    deliver("deal.closed", {**deal(jpy, "am-1", value_minor=10_000_000), "currency": "JPY"})
    software = add_lead(deliver, "industry/software", minutes=1)
    finance = add_lead(deliver, "industry/finance", minutes=2)
    result = ask(db)
    # equal shares: equal scores, newest first, and no claim about value
    assert ids(result) == [finance, software]
    assert result.items[0]["score"] == result.items[1]["score"] == 0.5
    assert result.items[0]["reasons"] == ["industry/finance: 1 of your 2 won deals"]
