"""`rainmaker lists import|status|errors|preview` against the real intake API over HTTP."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import requests

from tests.support import unique_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = "First Name,Last Name,E-mail Address,Company Name,Phone,Favourite Colour\n"
ROWS = [
    "Ada,Lovelace,ada@analytical-engines.co.uk,Analytical Engines Ltd,+44 20 7946 0958,green",
    "Alan,Turing,alan@bletchley-park.org,Bletchley Park,,blue",
    "Ada,Lovelace,ADA@Analytical-Engines.co.uk ,Analytical Engines Ltd.,,green",  # in-file dup
    ",,not-an-email,,,red",  # no way to reach them, no name: rejected
    "Grace,Hopper,grace@cobol-works.com,COBOL Works Inc,12,",  # bad phone: dropped, row kept
    "Edsger,Dijkstra,edsger@shortest-paths.nl,Shortest Paths BV,,",
]


def write_list(tmp_path: Path, rows: list[str] = ROWS, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def import_args(path: Path, name: str, *extra: str) -> list[str]:
    return ["lists", "import", str(path), "--name", name, "--vendor", "ListCo",
            "--cost", "1200.00", "--currency", "EUR", "--tags", "industry/software",
            "--default-region", "GB", *extra]  # fmt: skip


def api(url: str, key: str, path: str) -> Any:
    response = requests.get(url + path, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def import_id_of(output: str) -> str:
    return output.split("import ")[1].split()[0].rstrip(",:")


def test_import_follows_the_job_to_the_end_and_prints_the_quality_report(
    cli, worker, tmp_path, intake_url, keys
):
    worker()
    result = cli(*import_args(write_list(tmp_path), unique_id("list")))

    assert result.exit_code == 0, result.output
    import_id = import_id_of(result.stderr)
    job = api(intake_url, keys["marketing"], f"/imports/{import_id}")
    assert job["status"] == "done"
    q = job["quality"]
    assert (q["rows_new_to_us"], q["duplicates_in_file"], q["rejected"]) == (4, 1, 1)
    out = result.stdout
    assert f"List-quality report for import {import_id} (6 rows" in out
    for label, n in [("new to us", 4), ("duplicates within the file", 1), ("rejected rows", 1),
                     ("invalid phones", q["invalid_phones"]), ("suppressed", 0),
                     ("already owned", 0), ("existing customers", 0)]:  # fmt: skip
        assert any(line.split()[:-2] == label.split() and line.split()[-2] == str(n)
                   for line in out.splitlines()), f"{label} {n}:\n{out}"  # fmt: skip
    assert "1,200.00 EUR" in out
    assert "cost per new contact" in out and "300.00 EUR" in out
    assert f"rainmaker lists errors {import_id}" in out
    assert f"{intake_url}/imports/{import_id}/errors" in out
    assert "done" in result.stderr and "6/6 rows" in result.stderr  # the last progress line


def test_already_owned_rows_are_reported_with_the_list_that_brought_them(cli, worker, tmp_path):
    first = unique_id("first")
    worker()
    assert cli(*import_args(write_list(tmp_path), first)).exit_code == 0
    overlap = [ROWS[1], "Barbara,Liskov,barbara@substitution.edu,MIT,,"]
    worker()
    result = cli(*import_args(write_list(tmp_path, overlap, "second.csv"), unique_id("second")))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    owned = next(line for line in lines if line.strip().startswith("already owned"))
    assert owned.split()[2] == "1"
    assert any(f"via list '{first}' (ListCo)" in line and " 1 " in line for line in lines), lines


def test_suppressed_rows_are_counted_in_the_report(cli, worker, tmp_path):
    assert cli("suppressions", "add", "--domain", "bletchley-park.org").exit_code == 0
    worker()
    result = cli(*import_args(write_list(tmp_path), unique_id("list")))

    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("suppressed"))
    assert line.split()[1] == "1"


def test_the_same_file_again_creates_nothing_and_shows_the_first_import(cli, worker, tmp_path):
    name, path = unique_id("list"), write_list(tmp_path)
    worker()
    first = cli(*import_args(path, name))
    again = cli(*import_args(path, name))

    assert again.exit_code == 0, again.output
    assert "already imported" in again.stderr
    assert import_id_of(again.stderr) == import_id_of(first.stderr)
    assert "new to us" in again.stdout


def test_a_failed_import_exits_non_zero_with_the_reason(cli, worker, tmp_path):
    worker(before=lambda job: Path(job.file_path).unlink())  # the stored file is lost
    result = cli(*import_args(write_list(tmp_path), unique_id("list")))

    assert result.exit_code == 1
    assert "failed" in result.stderr
    assert "the file cannot be read" in result.stderr
    assert "List-quality report" not in result.stdout


def test_no_follow_prints_the_import_id_and_status_follows_later(cli, worker, tmp_path):
    result = cli(*import_args(write_list(tmp_path), unique_id("list"), "--no-follow"))
    assert result.exit_code == 0, result.output
    import_id = result.stdout.strip()

    queued = cli("lists", "status", import_id)
    assert queued.exit_code == 0 and queued.stdout.startswith("queued")
    worker()
    done = cli("lists", "status", import_id, "--follow", role="manager")
    assert done.exit_code == 0, done.output
    assert "List-quality report" in done.stdout


def test_errors_downloads_the_csv_of_rejected_rows_and_dropped_values(cli, worker, tmp_path):
    worker()
    import_id = import_id_of(cli(*import_args(write_list(tmp_path), unique_id("list"))).stderr)
    out = tmp_path / "errors.csv"

    result = cli("lists", "errors", import_id, "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["row"] for r in rows} >= {"5", "6"}  # the rejected row and the bad phone
    to_stdout = cli("lists", "errors", import_id)
    assert list(csv.DictReader(io.StringIO(to_stdout.stdout))) == rows


def test_upload_refused_prints_the_problem_and_each_field_error(cli, tmp_path):
    result = cli("lists", "import", str(write_list(tmp_path)), "--name", "x",
                 "--cost", "lots", "--default-region", "Germany",
                 "--mapping", '{"Favourite Colour": "colour"}')  # fmt: skip

    assert result.exit_code == 1
    err = result.stderr
    assert "422 Unprocessable" in err
    assert "form.cost: Not a valid number." in err
    assert "form.default_region: an ISO 3166-1 alpha-2 code such as DE or GB" in err
    assert "form.mapping: unknown fields ['colour']" in err
    assert "request_id" in err


def test_an_unreadable_file_is_refused_with_the_reason(cli, tmp_path):
    path = tmp_path / "header-only.csv"
    path.write_text(HEADER, encoding="utf-8")
    result = cli("lists", "import", str(path), "--name", unique_id("list"))

    assert result.exit_code == 1
    assert "no data rows" in result.stderr


def test_mapping_must_be_a_json_object(cli, tmp_path):
    result = cli("lists", "import", str(write_list(tmp_path)), "--name", "x", "--mapping", "[1")
    assert result.exit_code == 2
    assert "not JSON" in result.stderr


def test_preview_shows_encoding_delimiter_mapping_and_first_rows(cli):
    result = cli("lists", "preview", str(FIXTURES / "windows1252.tsv"))

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "encoding:  cp1252" in out
    assert "delimiter: tab" in out
    assert "'E-mail' " not in out  # headers are shown as the file has them
    assert "'Email'" in out and "-> email" in out
    assert "'PLZ'" in out and "-> postcode" in out
    assert "jürgen@müller.de" in out and "Müller & Söhne GmbH" in out
    assert "first 2 rows" in out or "first 3 rows" in out


def test_preview_with_a_mapping_override_and_json_output(cli, tmp_path):
    path = write_list(tmp_path)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Favourite Colour": "notes"}))

    result = cli("lists", "preview", str(path), "--mapping", f"@{mapping}", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["mapping"]["Favourite Colour"] == "notes"
    assert answer["rows"][0]["values"]["notes"] == "green"


def test_an_account_manager_cannot_import(cli, tmp_path):
    result = cli(*import_args(write_list(tmp_path), unique_id("list")), role="account_manager")
    assert result.exit_code == 1
    assert "403 Forbidden" in result.stderr


def test_following_gives_up_at_the_timeout_and_says_how_to_resume(cli, tmp_path):
    result = cli(*import_args(write_list(tmp_path), unique_id("list"), "--timeout", "0.2"))

    assert result.exit_code == 1  # no worker runs: the import stays queued
    assert "still queued after 0.2 s" in result.stderr
    assert "rainmaker lists status" in result.stderr and "--follow" in result.stderr


def test_the_list_metadata_reaches_the_api(cli, worker, tmp_path, intake_url, keys):
    name = unique_id("list")
    worker()
    dates = ("--purchased-on", "2026-01-31", "--licence-expires-on", "2027-01-31")
    result = cli(*import_args(write_list(tmp_path), name, *dates, "--tags", "region/emea"))
    assert result.exit_code == 0, result.output

    found = [
        x for x in api(intake_url, keys["manager"], "/lists?page_size=500") if x["name"] == name
    ]
    assert len(found) == 1
    assert (found[0]["purchased_on"], found[0]["licence_expires_on"]) == (
        "2026-01-31",
        "2027-01-31",
    )
    assert found[0]["tags"] == ["industry/software", "region/emea"]
    assert (found[0]["cost_minor"], found[0]["currency"], found[0]["vendor"]) == (
        120000,
        "EUR",
        "ListCo",
    )
