"""The CLI's text: progress line, quality report, problem details, tables (no server)."""

from rainmaker_intake.entrypoints.cli_client import problem_lines
from rainmaker_intake.entrypoints.cli_render import (
    money,
    per_contact,
    progress_line,
    quality_report,
    table,
    width,
)

JOB = {
    "import_id": "imp-1", "status": "running", "rows_total": 1000, "rows_done": 450,
    "accepted": 400, "duplicates_in_file": 30, "duplicates_existing": 10, "suppressed": 2,
    "rejected": 8, "encoding": "cp1252", "delimiter": ";",
}  # fmt: skip


def test_the_progress_line_shows_the_share_done_the_rate_and_every_outcome():
    line = progress_line(JOB, rate=12345.6, width=200)
    assert line.startswith("running  [#########-----------]  45%  450/1,000 rows  12,346 rows/s")
    assert "new 400 · dup in file 30 · already owned 10 · suppressed 2 · rejected 8" in line


def test_the_progress_line_before_the_total_is_known_and_while_retrying():
    line = progress_line({**JOB, "rows_total": 0, "error": "OperationalError: locked"}, width=200)
    assert "450 rows" in line and "%" not in line
    assert line.endswith("(retrying after: OperationalError: locked)")
    assert len(progress_line(JOB)) == 100  # cut to the terminal


def test_the_quality_report_names_the_sources_and_the_cost_per_new_contact():
    job = {**JOB, "status": "done", "rows_done": 1000, "quality": {
        "rows_new_to_us": 800, "rows_already_owned": 150,
        "owned_by_source": {"rented_list:L1": 100, "referral:employee/emp-7": 50},
        "existing_customers": 12, "duplicates_in_file": 30, "invalid_emails": 9,
        "invalid_phones": 40, "suppressed": 2, "rejected": 18, "cost_minor": 120000,
        "currency": "EUR", "cost_per_new_contact_minor": 150,
    }}  # fmt: skip
    text = quality_report(job, {"rented_list:L1": "list 'SaaS buyers' (ListCo)"})
    lines = text.splitlines()
    assert lines[0] == "List-quality report for import imp-1 (1,000 rows, cp1252, delimiter ';')"
    assert lines[1].split() == ["new", "to", "us", "800", "80.0%"]
    assert lines[3].split()[-2:] == ["100", "10.0%"] and "via list 'SaaS buyers'" in lines[3]
    assert "via referral:employee/emp-7" in lines[4]
    assert "1,200.00 EUR" in text
    assert lines[-1].split()[-2:] == ["1.50", "EUR"]


def test_cost_per_new_contact_keeps_the_cents_of_a_cheap_list():
    assert per_contact(120000, 87000, "EUR") == "0.0138 EUR"
    assert per_contact(120000, 0, "EUR") == "- (no new contacts)"


def test_money_is_shown_in_the_currencys_own_minor_unit():
    assert money(120000, "JPY") == "120,000 JPY"  # yen have no minor unit
    assert money(1234, "KWD") == "1.234 KWD"  # fils: thousandths
    assert money(120000, "EUR") == "1,200.00 EUR"
    assert per_contact(120000, 300, "JPY") == "400 JPY"
    assert per_contact(120000, 87000, "JPY") == "1 JPY"
    assert per_contact(1000, 3000, "JPY") == "0.33 JPY"
    assert per_contact(1234, 2, "KWD") == "0.61700 KWD"


def test_problem_details_become_one_line_per_field():
    lines = problem_lines({
        "status": 422, "title": "Unprocessable Entity", "detail": "Invalid input: see `errors`.",
        "errors": {"form": {"cost": ["Not a valid number."], "tags": ["not a tag", "bad"]},
                   "json": {"leads": {"0": [{"row_number": 1, "column": "email",
                                             "value": "x", "reason": "invalid email"}]}}},
        "request_id": "r-1",
    })  # fmt: skip
    assert lines == [
        "422 Unprocessable Entity: Invalid input: see `errors`.",
        "  form.cost: Not a valid number.",
        "  form.tags: not a tag; bad",
        "  json.leads.0: email 'x': invalid email",
        "  (request_id r-1)",
    ]


def test_tables_align_wide_characters_and_cut_long_cells():
    text = table(["name", "city"], [["王小明", "Beijing"], ["a" * 30, "two\nlines"]], max_cell=10)
    rows = text.splitlines()
    column = [width(rows[2][: rows[2].index("Beijing")]), width(rows[3][: rows[3].index("two")])]
    assert column[0] == column[1] == 12  # display columns: each CJK character takes two
    assert "aaaaaaaaa…" in rows[3]
