"""One read row -> a normalised contact, or the reasons it cannot be one. The import hot path.

Rules (see each helper module): email syntax, lower-cased; phone and mobile to E.164 with the
row's own country when recognised, else the list's default region; names trimmed, case-fixed
and split from a full name; company kept as given and folded into `company_key`; website, or
else a non-free-mail email domain, to the registrable domain; street abbreviated and folded;
country to ISO alpha-2; employees parsed (lower bound of a range). A value that fails its rule
is dropped with a RowError naming the column; the row survives while it still has a way to
reach the person (email, phone, or street with city or postcode) AND a name or a company.
Otherwise the row is rejected: None, with RowErrors in column "*" saying what is missing.
Cells reading "n/a", "null", "-"... count as blank. Values are otherwise kept verbatim:
formula-like text ("=1+1", "@x") is data; the CSV export escapes it.
Fields with no slot in NormalisedContact go to attributes: "mobile" (E.164, when "phone" is
taken), "street2" (folded like street), "revenue" (as given).
"""

from dataclasses import replace
from typing import Any

from rainmaker_intake.domain.address import place, postcode, street_line
from rainmaker_intake.domain.company import company_key
from rainmaker_intake.domain.contact import MAX_LENGTHS, NormalisedContact, RawRow, RowError
from rainmaker_intake.domain.countries import country_code
from rainmaker_intake.domain.emails import normalise_email
from rainmaker_intake.domain.employees import employee_count
from rainmaker_intake.domain.names import clean, person_name
from rainmaker_intake.domain.phones import known_region, to_e164
from rainmaker_intake.domain.web import employer_domain, website_domain

BLANKS = frozenset({"", "-", "--", "n/a", "na", "n.a.", "null", "none", "nil", "#n/a", "?"})
_BLANK_FORMS = frozenset(f(b) for b in BLANKS for f in (str.lower, str.upper, str.title))
NO_REACH = "no way to reach: needs a valid email, a valid phone, or street with city or postcode"
NO_NAME = "no name or company"
# No stored field can overflow while every cell is this short (the shortest limit, and what
# folding adds to a value): longer rows are checked field by field.
_SAFE_LENGTH = min(MAX_LENGTHS.values()) // 2


def _values(row: RawRow) -> dict[str, str]:
    """Mapped cells, stripped, placeholders dropped."""
    return {f: t for f, raw in row.values.items() if (t := raw.strip()) and t not in _BLANK_FORMS}


def normalise(
    row: RawRow, *, default_region: str | None
) -> tuple[NormalisedContact | None, list[RowError]]:
    v = _values(row)
    get = v.get
    n = row.row_number
    errors: list[RowError] = []
    extra = {k: t for k, a in row.attributes.items() if (t := a.strip())} if row.attributes else {}

    email = raw = get("email")
    if raw:
        email, why = normalise_email(raw)
        if why:
            errors.append(RowError(n, "email", raw, why))

    country = get("country")
    iso = country_code(country) if country else None
    region = iso if iso and known_region(iso) else default_region
    phone = None
    for column in ("phone", "mobile"):
        raw = get(column)
        if raw:
            number, why = to_e164(raw, region)
            if number is None:
                errors.append(RowError(n, column, raw, why or "invalid phone"))
            elif phone is None:
                phone = number
            elif number != phone:
                extra["mobile"] = number

    first, last = person_name(get("first_name"), get("last_name"), get("full_name"))
    company = raw = get("company")
    if raw:
        company = clean(raw)

    website = raw = get("website")
    if raw:
        website = website_domain(raw)
        if website is None:
            errors.append(RowError(n, "website", raw, "not a web address or domain"))
    if website is None and email:
        website = employer_domain(email)

    street = raw = get("street")
    if raw:
        street = street_line(raw)
    raw = get("street2")
    if raw and (street2 := street_line(raw)):
        extra["street2"] = street2
    city = raw = get("city")
    if raw:
        city = place(raw)
    post = raw = get("postcode")
    if raw:
        post = postcode(raw)

    employees = None
    raw = get("employees")
    if raw:
        employees = employee_count(raw)
        if employees is None:
            errors.append(RowError(n, "employees", raw, "not a number of employees"))
    raw = get("revenue")
    if raw:
        extra["revenue"] = raw

    contact = NormalisedContact(
        row_number=n,
        email=email,
        phone=phone,
        first_name=first,
        last_name=last,
        company=company,
        company_key=company_key(company) if company else None,
        job_title=clean(raw) if (raw := get("job_title")) else None,
        industry=clean(raw) if (raw := get("industry")) else None,
        website_domain=website,
        street=street,
        city=city,
        region=place(raw) if (raw := get("region")) else None,
        postcode=post,
        country=iso or (clean(country) if country else None),
        employees=employees,
        notes=get("notes"),
        attributes=extra,
    )
    # Folding may lengthen non-ASCII text ("ﬃ" is "ffi"): such rows are always checked.
    if v and (max(map(len, v.values())) > _SAFE_LENGTH or not "".join(v.values()).isascii()):
        contact = _within_limits(contact, errors)
    missing = _missing(contact)
    if missing:
        errors += [RowError(n, "*", "", why) for why in missing]
        return None, errors
    return contact, errors


def _missing(c: NormalisedContact) -> list[str]:
    """Why `c` cannot be a contact: no way to reach them, no name or company; [] if it can."""
    reachable = c.email or c.phone or (c.street and (c.city or c.postcode))
    named = c.first_name or c.last_name or c.company
    return [why for why, ok in ((NO_REACH, reachable), (NO_NAME, named)) if not ok]


def _within_limits(c: NormalisedContact, errors: list[RowError]) -> NormalisedContact:
    """Fields longer than their column holds are dropped with a RowError each (a derived
    matching key is cut instead)."""
    dropped: dict[str, Any] = {}
    for name, limit in MAX_LENGTHS.items():
        value = getattr(c, name)
        if value is None or len(value) <= limit:
            continue
        if name == "company_key":
            c = replace(c, company_key=value[:limit])
            continue
        why = f"longer than {limit:,} characters, the most it may hold"
        errors.append(RowError(c.row_number, name, value[:100] + "…", why))
        dropped[name] = None
        if name == "company":
            dropped["company_key"] = None
    return replace(c, **dropped) if dropped else c
