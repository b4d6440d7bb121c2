"""The list generator: files, formats, truth, and the noise it promises."""

import csv
import json
import random
from pathlib import Path

import phonenumbers
import pytest
from rapidfuzz.distance import Levenshtein

from rainmaker_intake.testing import listgen
from rainmaker_intake.testing.listgen import generate, load, read_truth
from rainmaker_intake.testing.noise import duplicate, typo
from rainmaker_intake.testing.phones import draw, prefixes
from rainmaker_intake.testing.rows import COMPANY, EMAIL, HEADERS, NOTES, POSTCODE

VENDOR_HEADERS = [
    "First Name", "Last Name", "E-mail Address", "Company Name", "Job Title", "Phone", "Website",
    "Street", "City", "Postcode", "Country", "Industry", "Employees", "Notes",
]  # fmt: skip


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> listgen.GeneratedList:
    path = tmp_path_factory.mktemp("lists") / "first.csv"
    return generate(path, 3000, seed=3, dup_rate=0.1, bad_rate=0.05, formula_rate=0.02)


def rows_of(g: listgen.GeneratedList) -> dict[int, list[str]]:
    """Data rows by the line they start on (header = line 1)."""
    out: dict[int, list[str]] = {}
    with g.path.open(newline="", encoding=g.encoding) as f:
        reader = csv.reader(f, delimiter=g.delimiter)
        end = 0
        for cells in reader:
            if end and cells:
                out[end + 1] = cells
            end = reader.line_num
    return out


def test_vendor_headers_and_the_rows_asked_for(first: listgen.GeneratedList) -> None:
    with first.path.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == VENDOR_HEADERS == list(HEADERS)
    rows = rows_of(first)
    assert len(rows) == first.rows == 3000
    assert len(first.bad_rows) == 150 and set(first.bad_rows) <= set(rows)


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, first: listgen.GeneratedList) -> None:
    again = generate(
        tmp_path / "first.csv", 3000, seed=3, dup_rate=0.1, bad_rate=0.05, formula_rate=0.02
    )
    assert again.path.read_bytes() == first.path.read_bytes()
    assert again.truth_path.read_bytes() == first.truth_path.read_bytes()


def test_truth_pairs_name_rows_of_one_person(first: listgen.GeneratedList) -> None:
    rows, truth = rows_of(first), read_truth(first.path)
    assert len(truth) >= first.duplicate_rows >= 250
    for pair in truth:
        assert pair.other_list == "" and pair.other_row < pair.row
        assert pair.row in rows and pair.other_row in rows
        assert pair.row not in first.bad_rows and pair.other_row not in first.bad_rows
    # Repeats keep something a matcher can use: the e-mail, the company or the address.
    for pair in truth:
        a, b = rows[pair.row], rows[pair.other_row]
        assert (
            (a[EMAIL] and a[EMAIL].lower() == b[EMAIL].lower())
            or (a[COMPANY] and b[COMPANY])
            or (a[POSTCODE].replace(" ", "") == b[POSTCODE].replace(" ", ""))
        )


def test_rows_carry_the_mess_of_real_lists(first: listgen.GeneratedList) -> None:
    cells = [c for row in rows_of(first).values() for c in row]
    assert any(c.startswith(("=HYPERLINK(", "@", "+1 for")) for c in cells)  # formula cells
    assert any("\n" in row[NOTES] for row in rows_of(first).values())  # quoted newlines
    assert any(not c.isascii() and any("\u3040" <= ch <= "\u9fff" for ch in c) for c in cells)
    assert any(c.isupper() and len(c) > 3 for c in cells)  # case noise


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("utf-8-sig", ";", True), ("cp1252", "\t", False), ("utf-8", "|", False)],
)
def test_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str, bom: bool) -> None:
    g = generate(
        tmp_path / "l.csv", 400, seed=1, encoding=encoding, delimiter=delimiter, blank_rate=0.02
    )
    raw = g.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") is bom
    text = raw.decode(encoding)
    assert text.splitlines()[0].split(delimiter)[:2] == ["First Name", "Last Name"]
    assert g.blank_rows and all(text.splitlines()[n - 1] == "" for n in g.blank_rows[:3])
    if encoding == "cp1252":
        assert any(not ch.isascii() for ch in text)  # umlauts, accents: not plain ASCII
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    assert load(g.path) == g


def test_cross_list_repeats_point_into_the_other_list(
    tmp_path: Path, first: listgen.GeneratedList
) -> None:
    second = generate(tmp_path / "second.csv", 1000, seed=4, cross_list_from=first.path,
                      cross_rate=0.3, encoding="cp1252")  # fmt: skip
    cross = [p for p in read_truth(second.path) if p.other_list]
    assert second.cross_rows >= 250 and len(cross) >= second.cross_rows
    theirs, ours = rows_of(first), rows_of(second)
    assert all(p.other_list == "first.csv" and p.other_row in theirs for p in cross)
    assert all(p.row in ours and p.other_row not in first.bad_rows for p in cross)


def test_typos_are_one_or_two_edits() -> None:
    rng = random.Random(1)
    for word in ["Katharina", "Smith", "Müller", "Washington"]:
        for edits in (1, 2):
            slipped = typo(word, rng, edits)
            assert 1 <= Levenshtein.distance(word, slipped) <= 2 * edits


def test_duplicates_keep_a_recognisable_name() -> None:
    rng = random.Random(2)
    row = ["Robert", "Smith", "robert.smith@acme.com", "Acme Inc", "CEO", "+1 202-555-0143",
           "acme.com", "12 Main Street", "Springfield", "12345", "US", "Software", "12",
           ""]  # fmt: skip
    seen = {tuple(duplicate(row, rng)[:2]) for _ in range(300)}
    assert ("Bob", "Smith") in seen or ("Rob", "Smith") in seen  # nicknames
    assert ("Smith", "Robert") in seen  # swapped
    emails = {duplicate(row, rng)[EMAIL] for _ in range(300)}
    assert "" in emails and "ROBERT.SMITH@ACME.COM" in emails
    assert any(e.endswith("@acme.com") and e != row[EMAIL] for e in emails)


@pytest.mark.parametrize("region", ["US", "GB", "DE", "FR", "JP", "RU"])
def test_every_phone_format_reads_back_as_the_same_number(region: str) -> None:
    rng = random.Random(5)
    pool = prefixes(region, rng, count=30)
    for _ in range(50):
        phone = draw(pool, rng)
        for style in ("e164", "international", "national", "digits"):
            number = phonenumbers.parse(phone.render(style), region)
            assert phonenumbers.is_valid_number(number), (style, phone.render(style))
            assert (
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                == phone.e164
            )


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "cli.csv"
    listgen.main(
        [str(out), "--rows", "50", "--seed", "9", "--delimiter", "tab", "--bad-rate", "0.1"]
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 50 and summary["bad_rows"] == 5 and summary["delimiter"] == "\t"
    assert out.exists() and (tmp_path / "sub" / "cli.truth.csv").exists()
    assert (tmp_path / "sub" / "cli.meta.json").exists()
