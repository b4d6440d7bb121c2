"""`GET /lists/{id}/leads`: a list's contacts, paged in lead order, each with its touches (list,
row number in the file, the row's original values) and the dedup decisions that merged them;
read from the index by source, never by scanning every touch."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


def _page(intake: Intake, list_id: str, page: int, size: int) -> tuple[list[Any], int]:
    r = intake.client.get(
        f"/lists/{list_id}/leads?page={page}&page_size={size}", headers=intake.headers
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json, json.loads(r.headers["X-Pagination"])["total"]


def test_a_list_pages_its_own_leads_with_touches_and_decisions(intake: Intake) -> None:
    list_a = intake.import_list(to_csv(person(i) for i in range(25)), "A", vendor="ListCo")
    b_rows = [person(i) for i in range(5)] + [person(100 + i) for i in range(3)]
    b_rows.append(person(100, Phone=""))  # the same new person twice in list B
    list_b = intake.import_list(to_csv(b_rows), "B", vendor="DataHouse", default_region="GB")
    # An event referrer's id is the caller's own: one spelling list A's id is not list A's.
    stranger = {"first_name": "Ida", "last_name": "Rhodes", "email": "ida@rhodes.example",
                "referrer": {"type": "event", "name": "Expo", "id": list_a["list_id"]}}  # fmt: skip
    r = intake.client.post("/referrals", json=stranger, headers=intake.headers)
    assert r.status_code == 201, r.get_data(as_text=True)

    first, total = _page(intake, list_a["list_id"], 1, 10)
    pages = [first] + [_page(intake, list_a["list_id"], p, 10)[0] for p in (2, 3)]
    assert total == 25 and [len(p) for p in pages] == [10, 10, 5]
    ids = [lead["lead_id"] for p in pages for lead in p]
    assert ids == sorted(ids) and len(set(ids)) == 25
    assert intake.lead_id_of(stranger["email"]) not in ids
    assert {lead["email"] for p in pages for lead in p} == {person(i)["Email"] for i in range(25)}

    leads_b, total_b = _page(intake, list_b["list_id"], 1, 50)
    assert total_b == len(leads_b) == 8  # five shared, three new; a repeat is one lead
    by_email = {lead["email"]: lead for lead in leads_b}
    shared = by_email[person(0)["Email"]]
    assert [(t["source_id"], t["row_number"]) for t in shared["touches"]] == [
        (list_a["list_id"], 2),
        (list_b["list_id"], 2),
    ]
    assert shared["touches"][1]["original"]["email"] == person(0)["Email"]  # by field
    assert [d["kind"] for d in shared["decisions"]] == ["existing"]
    repeat = by_email[person(100)["Email"]]
    assert [t["row_number"] for t in repeat["touches"]] == [7, 10]
    assert [(d["kind"], d["rule"]) for d in repeat["decisions"]] == [("in_file", "email")]


def test_browsing_asks_for_the_right_role_and_a_known_list(
    intake: Intake, keys: dict[str, dict[str, str]]
) -> None:
    listed = intake.import_list(to_csv([person(1)]), "A", vendor="ListCo")
    url = f"/lists/{listed['list_id']}/leads"
    assert intake.client.get(url, headers=keys["manager"]).status_code == 200
    assert intake.client.get(url, headers=keys["account_manager"]).status_code == 403
    assert intake.client.get(url).status_code == 401
    assert intake.client.get("/lists/nope/leads", headers=intake.headers).status_code == 404


@contextmanager
def _statements() -> Iterator[list[tuple[str, Any]]]:
    """The SQL every engine runs meanwhile (the app has its own engine on the same database)."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        seen.append((sql, params))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_a_page_reads_the_index_by_source_without_a_scan_or_a_sort(intake: Intake) -> None:
    """SQLite's own plan for the statements a page runs: a 1M-row list took 1.7-2.0 s a page
    when they scanned the touches and sorted their leads (0.2-0.3 s with the index)."""
    if intake.db.engine.dialect.name != "sqlite":
        return  # the plan is SQLite's; PostgreSQL's depends on its statistics
    listed = intake.import_list(to_csv(person(i) for i in range(3)), "A", vendor="ListCo")
    with _statements() as seen:
        _page(intake, listed["list_id"], 1, 2)
    by_source = [(sql, p) for sql, p in seen if "touches.source_type = " in sql]
    assert len(by_source) == 2  # the count and the page
    with intake.db.engine.connect() as conn:
        for sql, params in by_source:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql}", params))  # fmt: skip
            assert "USING COVERING INDEX ix_touches_source_lead" in plan, plan
            assert "SCAN touches" not in plan and "TEMP B-TREE" not in plan, plan
