"""Render a person as a vendor-style row, and make the bad rows a list is expected to reject."""

import random

from rainmaker_intake.testing.entities import Person

HEADERS = (
    "First Name", "Last Name", "E-mail Address", "Company Name", "Job Title", "Phone",
    "Website", "Street", "City", "Postcode", "Country", "Industry", "Employees", "Notes",
)  # fmt: skip
FIRST, LAST, EMAIL, COMPANY, JOB, PHONE, WEBSITE, STREET, CITY, POSTCODE = range(10)
COUNTRY, INDUSTRY, EMPLOYEES, NOTES = range(10, 14)
COUNTRY_NAMES = {
    "US": ("United States", "USA", "US"), "GB": ("United Kingdom", "UK", "GB"),
    "DE": ("Germany", "Deutschland", "DE"), "FR": ("France", "FR"), "ES": ("Spain", "ES"),
    "NL": ("Netherlands", "NL"), "JP": ("Japan", "JP"), "CN": ("China", "CN"),
    "RU": ("Russia", "RU"), "GR": ("Greece", "GR"),
}  # fmt: skip
FORMULAS = (
    '=HYPERLINK("http://example.com/x","Profile")', "+1 for the demo", "@Sales please follow up",
    "=1+2", "-2+3 priority",
)  # fmt: skip
IDD_00 = frozenset({"GB", "DE", "FR", "ES", "NL", "CN", "GR"})
# Reasons a bad row must be rejected for (the normaliser words them its own way).
NO_ROUTE, INVALID_EMAIL, NO_NAME, GARBAGE = (
    "no_contact_route", "invalid_email", "no_name_or_company", "garbage"
)  # fmt: skip


def website(domain: str, rng: random.Random) -> str:
    forms = ("www.{}", "https://www.{}", "http://{}/", "{}", "https://{}/contact")
    return rng.choice(forms).format(domain)


def render(person: Person, rng: random.Random, notes: list[str]) -> list[str]:
    """The clean row of a person, phone and website written one of the ways lists do."""
    c = person.company
    # National forms only where the row's country is the number's (the importer reads the
    # number in the row's country); "00" only where that is the international prefix.
    styles = ["international", "e164"]
    styles += ["00"] if c.country in IDD_00 else []
    styles += ["national", "digits", "national"] if person.phone.prefix.region == c.country else []
    style = rng.choice(styles)
    roll = rng.random()
    note = ""
    if roll < 0.3:
        note = rng.choice(notes) if roll > 0.03 else "\n".join(rng.sample(notes, 2))
    has_phone, has_site = rng.random() < 0.85, rng.random() < 0.7
    return [
        person.first,
        person.last,
        person.email,
        f"{c.name} {c.suffix}".strip(),
        person.job,
        person.phone.render(style) if has_phone else "",
        website(c.domain, rng) if has_site else "",
        c.street,
        c.city,
        c.postcode,
        rng.choice(COUNTRY_NAMES[c.country]),
        c.industry,
        str(c.employees),
        note,
    ]


def add_formula(row: list[str], rng: random.Random) -> None:
    """A spreadsheet formula in a free-text cell (the error CSV must neutralise it)."""
    row[rng.choice((NOTES, NOTES, JOB, INDUSTRY))] = rng.choice(FORMULAS)


def bad_row(row: list[str], rng: random.Random) -> tuple[list[str], str]:
    """Spoil a rendered row so that it must be rejected; returns the row and the reason."""
    reason = rng.choice((NO_ROUTE, NO_ROUTE, INVALID_EMAIL, INVALID_EMAIL, NO_NAME, GARBAGE))
    if reason == NO_NAME:
        row[FIRST] = row[LAST] = row[COMPANY] = ""
        return row, reason
    for i in (PHONE, STREET, CITY, POSTCODE):
        row[i] = ""
    if reason == NO_ROUTE:
        row[EMAIL] = ""
    elif reason == INVALID_EMAIL:
        local, _, domain = row[EMAIL].partition("@")
        row[EMAIL] = rng.choice(
            (
                f"{local}{domain}",
                f"{local}@@{domain}",
                f"{local} x@{domain}",
                f"{local}@",
                "@" + domain,
            )
        )
    else:
        junk = ("###", "???", "-", "#N/A", "...", "()", "@@", "*")
        row[:] = [rng.choice(junk) for _ in HEADERS]
    return row, reason
