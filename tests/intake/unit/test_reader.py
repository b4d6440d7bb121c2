"""The list reader on CSV/TSV: encodings, delimiters, row numbers, mapping, limits, rejections.

Fake-versus-real: nothing is faked; files are real files in tmp_path or tests/intake/fixtures.
"""

import codecs
from pathlib import Path

import pytest

from rainmaker_intake.adapters.reader import Limits, open_list
from rainmaker_intake.adapters.records import MAX_RECORD_LINES
from rainmaker_intake.domain.contact import RowError
from rainmaker_intake.domain.model import InvalidUpload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = ["Email", "First Name", "Last Name", "Company"]
ROWS = [
    ["jürgen@müller.de", "Jürgen", "Müller", "Müller & Söhne GmbH"],
    ["zoe@cafe.fr", "Zoë", "Lefèvre", "Café €uro SARL"],
]


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def table(delimiter: str, rows: list[list[str]] = ROWS) -> str:
    return "\r\n".join(delimiter.join(r) for r in [HEADER, *rows]) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
        ("utf-16", b"", "utf-16"),  # Excel's "Unicode text": UTF-16 with BOM
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_encoding_and_delimiter_reads_the_same_rows(
    tmp_path: Path, encoding: str, prefix: bytes, detected: str, delimiter: str
) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(prefix + table(delimiter).encode(encoding))

    listed = open_list(path)

    assert (listed.encoding, listed.delimiter) == (detected, delimiter)
    assert listed.headers == HEADER
    assert [r.values for r in listed.rows()] == [
        dict(zip(["email", "first_name", "last_name", "company"], row, strict=True)) for row in ROWS
    ]


def test_latin1_when_bytes_are_undefined_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"Email,Company\r\na@b.de,Caf\xe9 \x81\r\n")

    listed = open_list(path)

    assert listed.encoding == "latin-1"
    assert next(listed.rows()).values["company"] == "Café \x81"


@pytest.mark.parametrize(
    ("encoding", "header", "row"),
    [
        ("cp1251", "Email;Имя;Фамилия;Компания", "ivan{}@x.ru;Иван;Петров;Ромашка и партнёры"),
        ("cp932", "Email;名前;会社", "taro{}@x.jp;山田太郎;株式会社トヨタ"),
    ],
)
def test_non_latin_code_pages_are_recognised(
    tmp_path: Path, encoding: str, header: str, row: str
) -> None:
    text = header + "\n" + "".join(row.format(i) + "\n" for i in range(100))
    listed = open_list(write(tmp_path, text, encoding))

    assert listed.encoding == encoding
    first = next(listed.rows())
    assert list(first.attributes.values()) + list(first.values.values()) != []
    assert row.format(0).split(";")[1] in (
        list(first.values.values()) + list(first.attributes.values())
    )


def test_a_non_utf8_byte_late_in_a_big_file_is_still_seen(tmp_path: Path) -> None:
    body = "".join(f"user{i}@example.com,Acme\r\n" for i in range(60_000))
    path = tmp_path / "list.csv"
    path.write_bytes(("Email,Company\r\n" + body).encode() + "zoë@x.de,Café\r\n".encode("cp1252"))

    listed = open_list(path)

    assert listed.encoding == "cp1252"
    assert list(listed.rows())[-1].values == {"email": "zoë@x.de", "company": "Café"}


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_excels_separator_hint_names_the_delimiter_and_is_not_the_header(
    tmp_path: Path, delimiter: str
) -> None:
    """Excel writes "sep=;" on the first line of CSVs saved for it: the delimiter is that (the
    sniffer counts it on that line), and the header is the next line (row numbers stay the
    file's lines)."""
    text = f"SEP={delimiter}\r\n" + table(delimiter)
    listed = open_list(write(tmp_path, text, "utf-8-sig"))
    plain = open_list(write(tmp_path, table(delimiter), name="plain.csv"))
    assert listed.delimiter == delimiter
    assert listed.headers == plain.headers
    assert [r.values for r in listed.rows()] == [r.values for r in plain.rows()]
    assert [r.row_number for r in listed.rows()] == [r.row_number + 1 for r in plain.rows()]


def test_windows_1252_tsv_fixture(tmp_path: Path) -> None:
    listed = open_list(FIXTURES / "windows1252.tsv")

    assert (listed.encoding, listed.delimiter) == ("cp1252", "\t")
    rows = list(listed.rows())
    assert rows[0].values["street"] == "Hauptstraße 5"
    assert rows[1].values["company"] == "Café €uro SARL"
    assert rows[0].values["postcode"] == "80331"


def test_messy_fixture_keeps_file_line_numbers_formulas_and_non_latin_names() -> None:
    listed = open_list(FIXTURES / "messy_semicolon_bom.csv")

    assert (listed.encoding, listed.delimiter) == ("utf-8-sig", ";")
    rows = list(listed.rows())
    assert [r.row_number for r in rows] == [3, 5, 8, 9, 10, 11]  # blank lines 2, 6, 7
    jane, mallory, ivan, wang, ali, _ = rows
    assert jane.values["notes"] == "two\r\nlines"  # quoted newline: one row, lines 3-4
    assert jane.attributes == {"Lead Source": "Fair 2024"}
    assert mallory.values["email"] == '=HYPERLINK("http://evil")'  # formulas stay verbatim
    assert mallory.values["company"] == "@SUM(A1)"
    assert mallory.values["notes"] == "-2+3"
    assert (ivan.values["first_name"], ivan.values["company"]) == ("Иван", "ООО Ромашка")  # noqa: RUF001
    assert (wang.values["first_name"], wang.values["last_name"]) == ("小明", "王")
    assert ali.values["first_name"] == "علي"
    assert ali.values["notes"] == "a;b"


def test_quoted_newlines_and_blank_lines_keep_row_numbers_true(tmp_path: Path) -> None:
    text = 'Email,Notes\n\na@x.com,"one\ntwo\nthree"\n\n   \nb@x.com,plain\n,\nc@x.com,"x"\n'
    listed = open_list(write(tmp_path, text))

    assert [(r.row_number, r.values["email"]) for r in listed.rows()] == [
        (3, "a@x.com"),
        (8, "b@x.com"),
        (10, "c@x.com"),
    ]


def test_delimiters_inside_quotes_do_not_fool_detection(tmp_path: Path) -> None:
    text = (
        'Name;Address;Email\n"Doe, Jane";"1, Main St, Springfield";j@x.com\n'
        '"Roe, Rick";"2, High St";r@x.com\n'
    )

    listed = open_list(write(tmp_path, text))

    assert listed.delimiter == ";"
    assert next(listed.rows()).values["street"] == "1, Main St, Springfield"


def test_one_column_list_reads_with_a_comma(tmp_path: Path) -> None:
    listed = open_list(write(tmp_path, "Email\na@x.com\nb@x.com\n"))

    assert listed.delimiter == ","
    assert [r.values for r in listed.rows()] == [{"email": "a@x.com"}, {"email": "b@x.com"}]


def test_unknown_columns_are_attributes_by_header_name(tmp_path: Path) -> None:
    text = "Email,Lead Score,Lead Score,,Company\na@x.com,10,11,free,Acme\nb@x.com,,,,\n"

    listed = open_list(write(tmp_path, text))

    assert listed.headers == ["Email", "Lead Score", "Lead Score (2)", "column 4", "Company"]
    assert listed.mapping == {0: "email", 4: "company"}
    first, second = listed.rows()
    assert first.attributes == {"Lead Score": "10", "Lead Score (2)": "11", "column 4": "free"}
    assert second.attributes == {}
    assert second.values == {"email": "b@x.com", "company": ""}


def test_explicit_mapping_overrides_synonyms(tmp_path: Path) -> None:
    text = "Email,Work Mail,Title,Org\nprivate@x.com,work@acme.com,Dr,Acme\n"

    listed = open_list(
        write(tmp_path, text), mapping={"Work Mail": "email", "title": "", "ORG": "company"}
    )

    assert listed.mapping == {1: "email", 3: "company"}
    row = next(listed.rows())
    assert row.values == {"email": "work@acme.com", "company": "Acme"}
    assert row.attributes == {"Email": "private@x.com", "Title": "Dr"}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Nope": "email"}, "no column 'Nope'"),
        ({"Email": "shoe_size"}, "not a contact field"),
        ({"Email": "email", "Company": "email"}, "mapped from two columns"),
    ],
)
def test_a_bad_explicit_mapping_is_refused(
    tmp_path: Path, mapping: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidUpload, match=message):
        open_list(write(tmp_path, "Email,Company\na@x.com,Acme\n"), mapping=mapping)


def test_preview_shows_detection_mapping_and_first_rows(tmp_path: Path) -> None:
    text = "E-mail Address;Firma;Shoe\n" + "".join(f"u{i}@x.com;Acme;{i}\n" for i in range(50))

    preview = open_list(write(tmp_path, text)).preview(2)

    assert preview["encoding"] == "utf-8" and preview["delimiter"] == ";"
    assert preview["mapping"] == {"E-mail Address": "email", "Firma": "company"}
    assert preview["columns"][2] == {"index": 2, "header": "Shoe", "field": None}
    assert [r["row_number"] for r in preview["rows"]] == [2, 3]
    assert preview["rows"][0]["attributes"] == {"Shoe": "0"}


def test_row_problems_are_row_errors_and_the_file_goes_on(tmp_path: Path) -> None:
    long = "x" * 50
    text = f"Email,Company\na@x.com,Acme\nb@x.com,Acme,EXTRA,MORE\nc@x.com,{long}\nd@x.com,Acme,,\n"
    listed = open_list(write(tmp_path, text), limits=Limits(max_field_length=20))

    rows = list(listed.rows())

    assert [r.row_number for r in rows] == [2, 4, 5]  # trailing empty cells are fine
    assert rows[1].values == {"email": "c@x.com", "company": ""}
    assert [(e.row_number, e.column) for e in listed.errors] == [(3, "*"), (4, "company")]
    assert "4 cells but the header has 2 columns" in listed.errors[0].reason
    assert "longer than 20 characters" in listed.errors[1].reason


def test_rows_past_max_rows_are_one_row_error(tmp_path: Path) -> None:
    text = "Email\n" + "".join(f"u{i}@x.com\n" for i in range(10))
    errors: list[RowError] = []

    rows = list(open_list(write(tmp_path, text), limits=Limits(max_rows=3)).rows(errors.append))

    assert len(rows) == 3
    assert [(e.row_number, e.column) for e in errors] == [(5, "*")]
    assert "more than 3 data rows" in errors[0].reason


def test_a_quote_never_closed_costs_its_own_line_only(tmp_path: Path) -> None:
    """Past MAX_RECORD_LINES the record is a runaway quote: its first line is the error and
    every line after it is read again (csv alone read 128 KiB of rows into one cell)."""
    text = 'Email,Notes\na@x.com,"never closed\n' + "b@x.com,more\n" * 20_000
    listed = open_list(write(tmp_path, text))

    rows = list(listed.rows())

    assert [(e.row_number, e.column) for e in listed.errors] == [(2, "*")]
    assert "quoted value on line 2 is not closed" in listed.errors[0].reason
    assert f"more than {MAX_RECORD_LINES} lines" in listed.errors[0].reason
    assert [r.row_number for r in rows] == list(range(3, 20_003))
    assert {(r.values["email"], r.values["notes"]) for r in rows} == {("b@x.com", "more")}


def test_a_quote_left_open_until_the_end_of_the_file_loses_no_row(tmp_path: Path) -> None:
    text = 'Email,Company\na@x.com,"Acme\n' + "".join(f"u{i}@x.com,Co {i}\n" for i in range(50))
    listed = open_list(write(tmp_path, text))

    rows = list(listed.rows())

    assert [(e.row_number, e.column) for e in listed.errors] == [(2, "*")]
    assert "the file ends inside it" in listed.errors[0].reason
    assert [r.values["email"] for r in rows] == [f"u{i}@x.com" for i in range(50)]
    assert rows[0].row_number == 3


def test_a_quote_left_open_after_a_literal_quote_still_loses_no_row(tmp_path: Path) -> None:
    """A quote inside an unquoted cell (5" tall) is no reason to miss the one left open."""
    rows_after = "".join(f"u{i}@x.com,Co {i},\n" for i in range(30))
    text = 'Email,Company,Notes\na@x.com,5" Pipes,"Acme\n' + rows_after
    listed = open_list(write(tmp_path, text))

    rows = list(listed.rows())

    assert [(e.row_number, e.column) for e in listed.errors] == [(2, "*")]
    assert [r.values["email"] for r in rows] == [f"u{i}@x.com" for i in range(30)]


def test_a_quote_closed_rows_later_by_another_stray_quote_loses_no_row(tmp_path: Path) -> None:
    """The second stray quote would close the first: a line inside the cell with a whole
    row's delimiters gives the record away, and every line after the first is read again."""
    head = "Email,First,Last,Company\n"
    good = "".join(f"u{i}@x.com,Ann,Lee,Co {i}\n" for i in range(5))
    text = head + 'a@x.com,Ann,Lee,"Acme\n' + good + 'z@x.com,Zoe,Kay,5" Pipes\n'
    listed = open_list(write(tmp_path, text))

    rows = list(listed.rows())

    assert [(e.row_number, e.column) for e in listed.errors] == [(2, "*")]
    assert "reads as a whole row" in listed.errors[0].reason
    assert [r.values["email"] for r in rows] == [*(f"u{i}@x.com" for i in range(5)), "z@x.com"]
    assert rows[-1].values["company"] == '5" Pipes'


def test_a_multi_line_cell_in_the_first_column_is_one_row(tmp_path: Path) -> None:
    """Its last line ends the cell and holds all the record's other cells: not a runaway."""
    text = ('Notes,First Name,Last Name,Email,Company\n"Met at expo\nwants demo",Anna,Lee,'
            'a@x.com,Acme\n"one\ntwo\nthree, four",Bo,Li,b@x.com,"Co, Ltd"\n')  # fmt: skip
    listed = open_list(write(tmp_path, text))

    rows = list(listed.rows())

    assert listed.errors == []
    assert [(r.row_number, r.values["notes"]) for r in rows] == [
        (2, "Met at expo\nwants demo"),
        (4, "one\ntwo\nthree, four"),
    ]


def test_a_quoted_cell_may_hold_a_paragraph_of_lines(tmp_path: Path) -> None:
    notes = "\n".join(f"line {i}, with a comma" for i in range(MAX_RECORD_LINES - 1))
    text = f'Email,First,Last,Notes\na@x.com,Ann,Lee,"{notes}"\nb@x.com,Bo,Li,short\n'
    listed = open_list(write(tmp_path, text))

    rows = list(listed.rows())

    assert listed.errors == []
    assert [r.row_number for r in rows] == [2, 2 + MAX_RECORD_LINES - 1]
    assert rows[0].values["notes"] == notes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\r\n\r\n  \r\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"Email,Company\r\n", "header row but no data"),
        (b"Email,Company\r\n,\r\n\r\n", "header row but no data"),
        (b"Email,Company\r\na@x.com\x00,Acme\r\n", "NUL"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Excel"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (bytes(range(1, 32)) * 20, "control characters"),
        (b"PK\x03\x04garbage", "cannot be read"),
    ],
)
def test_files_that_cannot_be_imported_are_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)

    with pytest.raises(InvalidUpload, match=message):
        open_list(path)


def test_too_many_columns_is_refused(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(30))
    path = write(tmp_path, header + "\n" + "x," * 29 + "x\n")

    with pytest.raises(InvalidUpload, match="30 columns, more than the limit of 20"):
        open_list(path, limits=Limits(max_columns=20))


def test_a_missing_file_is_an_invalid_upload(tmp_path: Path) -> None:
    with pytest.raises(InvalidUpload, match="cannot be read"):
        open_list(tmp_path / "gone.csv")
