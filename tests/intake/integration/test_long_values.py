"""A value longer than its column holds is a row error for that field, on SQLite and on
PostgreSQL alike (PostgreSQL refuses an over-long VARCHAR, which used to fail the chunk's
transaction and so the whole list); the row and the rest of the list go on."""

import pytest

from rainmaker_intake.domain.contact import MAX_LENGTHS
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import HEADERS, person, to_csv


def test_over_long_cells_are_field_errors_and_the_list_imports(intake: Intake) -> None:
    rows = [person(i) for i in range(6)]
    rows[1]["Job Title"] = "Chief " * 60  # 360 characters
    rows[2]["City"] = "C" * (MAX_LENGTHS["city"] + 1)
    rows[3]["Company"] = "Acme " * 70  # with an email and a name: the row lives on
    status = intake.import_list(to_csv(rows, HEADERS), "Long cells", vendor="ListCo")

    assert (status["accepted"], status["rejected"]) == (6, 0)
    errors = intake.client.get(f"/imports/{status['import_id']}/errors", headers=intake.headers)
    lines = errors.get_data(as_text=True).splitlines()[1:]
    assert [line.split(",")[:2] for line in lines] == [["3", "job_title"], ["4", "city"],
                                                      ["5", "company"]]  # fmt: skip
    lead = intake.lead(intake.lead_id_of(person(1)["Email"]))
    assert lead["job_title"] is None and lead["company"] == person(1)["Company"]
    assert intake.lead(intake.lead_id_of(person(3)["Email"]))["company"] is None


def test_an_over_long_referral_value_is_a_field_error_not_a_server_error(intake: Intake) -> None:
    referral = {"first_name": "Ida", "last_name": "Rhodes", "email": "ida@rhodes.example",
                "company": "Rhodes " * 50,
                "referrer": {"type": "employee", "name": "Sam"}}  # fmt: skip
    r = intake.client.post("/referrals", json=referral, headers=intake.headers)

    assert r.status_code == 201, r.get_data(as_text=True)
    [result] = r.json["results"]
    assert result["status"] == "new"
    assert [e["column"] for e in result["errors"]] == ["company"]
    assert intake.lead(result["lead_id"])["company"] is None


def _refused_as_an_interest(intake: Intake, tag: str) -> None:
    referral = {
        "first_name": "Ida",
        "last_name": "Rhodes",
        "email": "ida@rhodes.example",
        "interests": [tag],
        "referrer": {"type": "employee", "name": "Sam"},
    }
    r = intake.client.post("/referrals", json=referral, headers=intake.headers)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "interests" in str(r.json["errors"])


def test_a_tag_longer_than_the_contracts_allow_is_refused_where_it_is_given(
    intake: Intake,
) -> None:
    """Every consumer stores tags in 200 characters; a longer list tag or referral interest
    would have failed every leads.ingested of the list (the contract refuses it)."""
    long_tag = "interest/" + "x" * 192  # 201 characters
    r = intake.upload(
        to_csv([person(0)], HEADERS), "Long tag", tags=f"industry/software,{long_tag}"
    )
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.json["errors"]["form"]["tags"] == [f"longer than 200 characters: {long_tag[:40]}…"]

    _refused_as_an_interest(intake, long_tag)

    ok = "interest/" + "x" * 191  # 200 characters
    status = intake.import_list(to_csv([person(0)], HEADERS), "Tag at the limit", tags=ok)
    assert status["accepted"] == 1


@pytest.mark.parametrize("tag", ["interest/crm/", "interest/a//b", "interest/./b"])
def test_a_tag_with_an_empty_or_dot_step_is_refused_where_it_is_given(
    intake: Intake, tag: str
) -> None:
    r = intake.upload(to_csv([person(0)], HEADERS), "Odd tag", tags=f"industry/software,{tag}")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.json["errors"]["form"]["tags"] == [f"not a tag (namespace/path): {tag}"]
    _refused_as_an_interest(intake, tag)


def test_a_cell_over_the_field_limit_is_blanked_and_its_row_still_counts_once(
    intake: Intake,
) -> None:
    """The reader blanks a cell longer than INTAKE_MAX_FIELD_LENGTH (10,000) and reports it;
    the row itself is imported, so it is accepted, not also rejected."""
    notes = "n" * 20_000
    body = f"first_name,last_name,email,company,notes\nAnn,Lee,ann@example.com,Acme,{notes}\n"
    status = intake.import_list(body.encode(), "Long notes")
    assert (status["rows_total"], status["accepted"], status["rejected"]) == (1, 1, 0)
    errors = intake.client.get(f"/imports/{status['import_id']}/errors", headers=intake.headers)
    assert [line.split(",")[:2] for line in errors.get_data(as_text=True).splitlines()[1:]] == [
        ["2", "notes"]
    ]
