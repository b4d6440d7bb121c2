"""CSV exports stream and neutralise formulas; list endpoints carry pagination headers."""

import csv
import io
import json

from rainmaker_web import neutralise


def test_neutralise():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    # Spreadsheets skip leading blanks and line breaks before a formula, and some take the
    # full-width signs as formula signs too.
    for dangerous in (
        " =1+1",
        "  @SUM(A1)",
        "\n=1+1",
        "\r\n+1",
        " \t-1",
        "\u00a0=1",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
    ):
        assert neutralise(dangerous) == "'" + dangerous, repr(dangerous)
    assert neutralise("plain") == "plain"
    assert neutralise(" plain") == " plain"
    assert neutralise(-3) == -3
    assert neutralise(None) == ""


def test_csv_response_streams_neutralised_rows(client, bearer):
    r = client.get("/export", headers=bearer("marketing"))
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert r.is_streamed
    assert r.headers["Content-Disposition"] == 'attachment; filename="leads_export.csv"'
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows == [
        ["name", "n", "'=note"],
        ["'=1+1", "5", ""],
        ["'-2", "-3", "'@SUM(A1)"],
        ["'\tx", "plain", "'+x"],
    ]


def test_pagination_headers(client, bearer):
    r = client.get("/contacts?page=2&page_size=10&tag=a", headers=bearer("marketing"))
    assert r.status_code == 200
    meta = json.loads(r.headers["X-Pagination"])
    assert meta["total"] == 120 and meta["page"] == 2 and meta["total_pages"] == 12
    link = r.headers["Link"]
    assert '<http://localhost/contacts?tag=a&page=3&page_size=10>; rel="next"' in link
    assert 'page=1&page_size=10>; rel="prev"' in link
    assert 'page=12&page_size=10>; rel="last"' in link


def test_default_page_size_is_50(client, bearer):
    meta = json.loads(client.get("/contacts", headers=bearer("marketing")).headers["X-Pagination"])
    assert meta["total_pages"] == 3
