"""Messy purchased lists built byte by byte, with the truth about every row written beside.

`build(encoding, delimiter)` gives the file as bytes and, for each data row, the line it
starts on (header = line 1; blank lines and quoted newlines count, as in an editor), whether
intake must reject it, and the problems it must report (column, value, a fragment of the
reason). The mess: a BOM or none, CRLF or LF, blank and whitespace-only lines, lines of bare
delimiters, quoted newlines, cells holding the other delimiters and quotes, formula cells
(= + - @, and a DDE payload) in names, titles, notes, e-mails and phones, non-Latin names
(Cyrillic, CJK, Arabic) where the encoding can hold them, cp1252-only letters (Š Ž Œ € “ ”)
where it cannot, an unknown column, and 5% invalid rows with known reasons.
"""

import csv
import io
from dataclasses import dataclass, field

HEADERS = [
    "First Name", "Last Name", "E-mail Address", "Company Name", "Job Title", "Phone", "City",
    "Notes", "Lead Source",
]  # fmt: skip
FIRST, LAST, EMAIL, COMPANY, JOB, PHONE, CITY, NOTES, SOURCE = range(len(HEADERS))
ROWS = 200  # 10 of them (5%) invalid

NO_REACH = "no way to reach"
NO_NAME = "no name or company"
BAD_EMAIL = "invalid email"
BAD_PHONE = "invalid phone"
TOO_WIDE = "cells but the header has 9 columns"

# (first names, last names, cities) per script; combined so that no two rows share a name.
LATIN_1 = (
    ["José", "Zoë", "Jürgen", "François", "Åsa", "Björn", "Inès", "Øyvind", "Léa", "Ñuria"],
    ["García", "Lefèvre", "Müller", "Ødegård", "Brontë", "Çelik", "Señor", "Größer", "Dupré",
     "Ångström"],
    ["München", "Zürich", "Malmö", "Besançon", "A Coruña"],
)  # fmt: skip
CP1252_ONLY = (  # letters Windows-1252 has and Latin-1 lacks
    ["Šárka", "Žofia", "Œdipe", "Ÿvonne", "Šimon"],
    ["Šustr", "Žák", "Bœuf", "Šebesta", "Žižka"],
    ["Šibenik", "Žilina"],
)
CYRILLIC = (
    ["Иван", "Ольга", "Дмитрий", "Наталья", "Сергей", "Анна"],
    ["Петров", "Смирнова", "Кузнецов", "Иванова", "Соколов", "Попова"],
    ["Москва", "Санкт-Петербург", "Новосибирск"],
)
CJK = (
    ["伟", "娜", "健", "陽子", "明", "芳"],
    ["王", "李", "佐藤", "鈴木", "张", "田中"],
    ["東京", "北京", "大阪"],
)
ARABIC = (
    ["محمد", "فاطمة", "أحمد", "ليلى", "يوسف", "مريم"],
    ["العلي", "الحسن", "منصور", "حداد", "خوري", "الشامي"],
    ["دبي", "الرياض", "القاهرة"],
)
TITLES = ["CTO", "Head of Sales", "Einkäufer", "Directeur général", "VP Engineering"]
NOTES_PLAIN = [
    "Met at the fair; asked for a demo, call back | urgent",
    'Said "call me after Easter", then emailed\tagain',
    "first line\nsecond line",
    "Budget approved.\n\nNeeds a quote\nby Friday",
    "",
]
# Kept verbatim as data: only the CSV export (the error report) must neutralise them.
FORMULAS = [
    "=1+2",
    "+1 for the demo",
    "-2+3 priority",
    "@Sales please follow up",
    '=HYPERLINK("http://evil.example.com/x","Profile")',
    "=cmd|' /C calc'!A0",
]


@dataclass(frozen=True)
class Problem:
    column: str  # as intake reports it: a field name, or "*" for the whole row
    value: str
    reason: str  # a fragment the reported reason must contain


@dataclass
class Row:
    cells: list[str]
    rejected: bool = False
    problems: list[Problem] = field(default_factory=list)
    line: int = 0  # where the record starts in the file; set by build()
    phone_e164: str | None = None


@dataclass
class MessyList:
    data: bytes
    encoding: str
    delimiter: str
    rows: list[Row]

    @property
    def valid(self) -> list[Row]:
        return [r for r in self.rows if not r.rejected]

    @property
    def invalid(self) -> list[Row]:
        return [r for r in self.rows if r.rejected]


def _pools(encoding: str) -> list[tuple[list[str], list[str], list[str]]]:
    if encoding == "latin-1":
        return [LATIN_1]
    if encoding == "cp1252":
        return [LATIN_1, CP1252_ONLY]
    return [LATIN_1, CP1252_ONLY, CYRILLIC, CJK, ARABIC]


def _person(i: int, encoding: str) -> Row:
    pools = _pools(encoding)
    firsts, lasts, cities = pools[i % len(pools)]
    k = i // len(pools)  # distinct (first, last) pairs within a pool for every k < 36
    first, last = firsts[k % len(firsts)], lasts[(k // len(firsts) + k) % len(lasts)]
    phone, e164 = "", None
    if i % 3:  # two in three rows have a phone, in national or international form
        n = 2_000_000 + i * 13
        phone = f"+49 30 {n}" if i % 2 else f"030 {n}"
        e164 = f"+4930{n}"
    notes = NOTES_PLAIN[i % len(NOTES_PLAIN)]
    if encoding in ("cp1252", "utf-8") and i % 11 == 0:
        notes = "Preis 5 € – “Premium” • Œuvre"  # noqa: RUF001  (cp1252-only characters)
    cells = [
        first if i % 9 else f"  {first} ",  # stray spaces
        last,
        f"P{i}.Contact@Firma{i}.DE" if i % 4 == 0 else f"p{i}.contact@firma{i}.de",
        f"Firma {i} GmbH",
        TITLES[i % len(TITLES)],
        phone,
        cities[i % len(cities)],
        notes,
        f"Fair {2020 + i % 5}",
    ]
    if i % 10 == 3:
        cells[NOTES] = FORMULAS[(i // 10) % len(FORMULAS)]
    if i % 25 == 4:
        cells[JOB] = FORMULAS[(i // 25) % len(FORMULAS)]
    return Row(cells, phone_e164=e164)


def _spoil(i: int, row: Row, kind: int) -> None:
    """Make row `i` one intake must reject, and say why (10 kinds, one each)."""
    c = row.cells
    row.rejected, row.phone_e164 = True, None
    reach = Problem("*", "", NO_REACH)
    if kind == 0:  # nobody to reach
        c[EMAIL] = c[PHONE] = ""
        row.problems = [reach]
    elif kind in (1, 2, 3, 4):  # a broken e-mail (some of them formulas) and no phone
        c[EMAIL] = [
            f"p{i}.contact.firma{i}.de",
            "@SUM(A1)",
            '=HYPERLINK("http://evil.example.com","click")',
            f"p{i} contact@firma{i}.de",
        ][kind - 1]
        c[PHONE] = ""
        row.problems = [Problem("email", c[EMAIL], BAD_EMAIL), reach]
    elif kind == 5:  # no name and no company
        c[FIRST] = c[LAST] = c[COMPANY] = ""
        row.problems = [Problem("*", "", NO_NAME)]
    elif kind == 6:  # a formula where the phone should be, and no e-mail
        c[EMAIL], c[PHONE] = "", "-12 34"
        row.problems = [Problem("phone", "-12 34", BAD_PHONE), reach]
    elif kind == 7:  # placeholders only: nothing to reach, nobody named
        c[FIRST], c[LAST], c[EMAIL], c[COMPANY], c[PHONE] = "-", "?", "n/a", "N/A", "null"
        row.problems = [reach, Problem("*", "", NO_NAME)]
    elif kind == 8:  # more cells than the header has columns
        c[FIRST] = "@Evil"
        c.append("spilled over")
        row.problems = [Problem("*", "", TOO_WIDE)]  # value checked separately (joined cells)
    else:  # a formula phone, no e-mail, and only a company to name
        c[FIRST] = c[LAST] = c[EMAIL] = ""
        c[PHONE] = "=1+2"
        row.problems = [Problem("phone", "=1+2", BAD_PHONE), reach]


def _warn(row: Row, n: int) -> None:
    """A valid row that loses one bad value (reported) but still imports by its e-mail."""
    value = ("=1+2", "+1 for the demo", "@SUM(A1)", "12")[n % 4]
    row.cells[PHONE], row.phone_e164 = value, None
    row.problems = [Problem("phone", value, BAD_PHONE)]


def build(encoding: str, delimiter: str, rows: int = ROWS) -> MessyList:
    """A list in `encoding` ('utf-8', 'utf-8-sig', 'cp1252', 'latin-1') and `delimiter`."""
    people = [_person(i, encoding) for i in range(rows)]
    bad = [i for i in range(rows) if i % 20 == 7]
    for kind, i in enumerate(bad):
        _spoil(i, people[i], kind % 10)
    for n, i in enumerate(i for i in range(rows) if i % 50 == 13):
        _warn(people[i], n)
    newline = "\r\n" if encoding in ("utf-8", "cp1252") else "\n"
    quote_all = delimiter in ("|", ";") and encoding != "latin-1"
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting)  # type: ignore[arg-type]
    if encoding == "latin-1":
        out.write(newline)  # a blank line before the header
    writer.writerow(HEADERS)
    for i, row in enumerate(people):
        if i % 17 == 5:
            out.write(newline)  # blank line
        if i % 23 == 6:
            out.write("   " + newline)  # whitespace only
        if i % 29 == 8:
            out.write(delimiter * (len(HEADERS) - 1) + newline)  # bare delimiters
        row.line = out.getvalue().count("\n") + 1
        writer.writerow(row.cells)
    out.write(newline + newline)  # trailing blank lines
    data = out.getvalue().encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    return MessyList(data, encoding, delimiter, people)
