"""Noisy rows of a fixed pool of 30 people at 8 companies, for the de-duplication invariants
(`test_dedup_invariants.py`): every row knows whose it is (`Row.pid`), so a test can tell a
wrong merge from a missed one.

The pool is made to be hard where real lists are: nicknames (Robert/Bob), colleagues with one
surname at one company who share its switchboard number and its info@ mailbox, people known
by a second mailbox at their company or by free mail, and companies written several ways.
A row's noise: case and spacing, a nickname, one typo in a long last name, no e-mail or no
phone, the switchboard instead of a direct line, a role mailbox, the company's street.
"""

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

HEADERS = ("First Name", "Last Name", "Email", "Company", "Phone", "City", "Street", "Postcode")
REGION = "GB"  # every list's and referral batch's default region: national numbers are GB


@dataclass(frozen=True)
class Org:
    names: tuple[str, ...]  # the ways lists write it
    domain: str
    switchboard: str  # national digits after 0, e.g. "2079460100"
    city: str
    street: tuple[str, ...]  # the ways lists write it (one house number)
    postcode: str


@dataclass(frozen=True)
class Person:
    pid: int
    first: str
    last: str
    org: int
    direct: str | None = None  # national digits after 0
    nick: str | None = None
    free_mail: bool = False  # their own address is at gmail.com, not at the company

    @property
    def email(self) -> str:
        host = "gmail.com" if self.free_mail else ORGS[self.org].domain
        return f"{self.first}.{self.last}@{host}".lower()

    @property
    def second_email(self) -> str:
        return f"{self.first[0]}{self.last}@{ORGS[self.org].domain}".lower()


ORGS = (
    Org(("Novak Engineering Ltd", "NOVAK ENGINEERING", "Novak Engineering Limited"),
        "novak-eng.co.uk", "2079460100", "London", ("12 Fleet Street", "12 Fleet St"),
        "EC4Y 1AA"),
    Org(("Bluefin Analytics", "Bluefin Analytics Ltd", "bluefin analytics"),
        "bluefin-analytics.com", "1614960200", "Manchester",
        ("4 Portland Road", "4 Portland Rd"), "M1 4BT"),
    Org(("Copperleaf Foods plc", "Copperleaf Foods", "COPPERLEAF FOODS PLC"),
        "copperleaf.co.uk", "1134960300", "Leeds", ("77 Kirkgate", "77 kirkgate"), "LS2 7DJ"),
    Org(("Reyes & Partners", "Reyes and Partners LLP", "REYES & PARTNERS"),
        "reyespartners.com", "2079460400", "London", ("3 Bream Lane", "3 Bream Ln"),
        "EC4A 1BQ"),
    Org(("Halden Logistics Ltd", "Halden Logistics", "Halden Logistics Limited"),
        "halden-logistics.com", "1174960500", "Bristol", ("9 Quay Street", "9 Quay St"),
        "BS1 4DB"),
    Org(("Holm Design", "Holm Design Ltd", "HOLM DESIGN"),
        "holmdesign.co.uk", "1134960600", "Leeds", ("21 Park Square", "21 Park Sq"), "LS1 2NE"),
    Org(("Tidewater Energy", "Tidewater Energy plc", "tidewater energy"),
        "tidewater-energy.com", "1174960700", "Bristol", ("5 Harbour Drive", "5 Harbour Dr"),
        "BS1 5UH"),
    Org(("Quillon Press", "Quillon Press Ltd", "QUILLON PRESS"),
        "quillonpress.com", "1614960800", "Manchester", ("40 Deansgate", "40 deansgate"),
        "M3 2EG"),
)  # fmt: skip

PEOPLE = (
    Person(0, "Robert", "Novak", 0, "2079460501", nick="Bob"),
    Person(1, "Helena", "Novak", 0, "2079460502"),  # Robert's colleague, one surname
    Person(2, "Samuel", "Achebe", 0, "2079460503", nick="Sam"),
    Person(3, "Priya", "Raman", 0),
    Person(4, "William", "Okafor", 1, "1614960511", nick="Bill"),
    Person(5, "Margaret", "Lindqvist", 1, "1614960512", nick="Maggie"),
    Person(6, "Hiroshi", "Tanaka", 1, "1614960513", free_mail=True),
    Person(7, "Lucia", "Ferreira", 1),
    Person(8, "Katherine", "Doyle", 2, "1134960521", nick="Kate"),
    Person(9, "Omar", "Haddad", 2, "1134960522"),
    Person(10, "Freya", "Castellano", 2, "1134960523"),
    Person(11, "Dmitri", "Volkov", 2),
    Person(12, "Thomas", "Reyes", 3, "2079460531", nick="Tom"),
    Person(13, "Amara", "Reyes", 3, "2079460532"),  # Thomas's colleague, one surname
    Person(14, "Jennifer", "Walsh", 3, "2079460533", nick="Jen"),
    Person(15, "Kwame", "Mensah", 3),
    Person(16, "Michael", "Brennan", 4, "1174960541", nick="Mike"),
    Person(17, "Sofia", "Marchetti", 4, "1174960542"),
    Person(18, "Elizabeth", "Harrow", 4, "1174960543", nick="Liz"),
    Person(19, "Nadia", "Petrova", 4),
    Person(20, "Ingrid", "Holm", 5, "1134960551"),
    Person(21, "Victor", "Holm", 5),  # Ingrid's colleague, one surname, the switchboard only
    Person(22, "Richard", "Ashworth", 5, "1134960553", nick="Rick"),
    Person(23, "Chloe", "Dubois", 5),
    Person(24, "Andrew", "Kimura", 6, "1174960561", nick="Andy"),
    Person(25, "Beatrix", "Sandoval", 6, "1174960562"),
    Person(26, "Yusuf", "Demir", 6),
    Person(27, "Daniel", "Oyelaran", 7, "1614960571", nick="Dan"),
    Person(28, "Greta", "Johansson", 7, "1614960572", free_mail=True),
    Person(29, "Mateo", "Ruiz", 7),
)


@dataclass
class Row:
    """One noisy sighting of a person, as a list's CSV row (`values`) or a referral."""

    pid: int
    values: dict[str, str]
    email: str | None  # as intake normalises it (lower case), or None
    phone: str | None  # E.164, or None
    role: bool = False  # `email` is a shared role mailbox (info@)
    reachable: bool = True  # False: no e-mail, phone or address; intake must reject it
    notes: list[str] = field(default_factory=list)  # which noise was applied

    def referral(self, referrer: str) -> dict[str, object]:
        keys = {"First Name": "first_name", "Last Name": "last_name", "Email": "email",
                "Company": "company", "Phone": "phone", "City": "city", "Street": "street",
                "Postcode": "postcode"}  # fmt: skip
        item: dict[str, object] = {keys[k]: v for k, v in self.values.items() if v}
        item["referrer"] = {"type": "employee", "name": referrer}
        return item


def _case(rng: random.Random, text: str) -> str:
    return rng.choice((text, text, text.upper(), text.lower(), f"  {text} "))


def _typo(rng: random.Random, last: str) -> str:
    """One substituted letter inside a name of six letters or more (one edit)."""
    if len(last) < 6:
        return last
    at = rng.randrange(2, len(last) - 1)
    letter = rng.choice([c for c in "aeiourstln" if c != last[at].lower()])
    return last[:at] + letter + last[at + 1 :]


def _phone_text(rng: random.Random, digits: str) -> str:
    national = f"0{digits[:2]} {digits[2:6]} {digits[6:]}"
    return rng.choice((national, f"+44 {digits[:2]} {digits[2:6]} {digits[6:]}"))


def noisy_row(rng: random.Random, p: Person) -> Row:
    org = ORGS[p.org]
    notes: list[str] = []
    first = p.first
    if p.nick and rng.random() < 0.3:
        first = p.nick
        notes.append("nickname")
    last = p.last
    if rng.random() < 0.12 and (typo := _typo(rng, last)) != last:
        last = typo
        notes.append("typo")
    pick = rng.random()
    email: str | None = None
    role = False
    if pick < 0.5:
        email = p.email
    elif pick < 0.6:
        email = p.second_email
        notes.append("second mailbox")
    elif pick < 0.7:
        email, role = f"info@{org.domain}", True
        notes.append("role mailbox")
    pick = rng.random()
    phone_digits: str | None = None
    if pick < 0.45 and p.direct:
        phone_digits = p.direct
    elif pick < 0.75:
        phone_digits = org.switchboard
        notes.append("switchboard")
    reachable = True
    if email is None and phone_digits is None:
        if rng.random() < 0.1:
            reachable = False
            notes.append("unreachable")
        else:
            phone_digits = p.direct or org.switchboard
    with_address = reachable and rng.random() < 0.3
    values = {
        "First Name": _case(rng, first),
        "Last Name": _case(rng, last),
        "Email": _case(rng, email) if email else "",
        "Company": rng.choice(org.names) if rng.random() < 0.85 else "",
        "Phone": _phone_text(rng, phone_digits) if phone_digits else "",
        "City": rng.choice((org.city, org.city.upper())) if rng.random() < 0.7 else "",
        "Street": rng.choice(org.street) if with_address else "",
        "Postcode": org.postcode if with_address else "",
    }
    phone = f"+44{phone_digits}" if phone_digits else None
    return Row(p.pid, values, email, phone, role, reachable, notes)


def noisy_list(rng: random.Random, size: int) -> list[Row]:
    """`size` rows of people drawn from the pool with repeats (duplicates in the file)."""
    people = rng.sample(PEOPLE, rng.randint(3, 12))
    return [noisy_row(rng, rng.choice(people)) for _ in range(size)]


def to_csv(rows: Iterable[Row]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(HEADERS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.values)
    return out.getvalue().encode()
