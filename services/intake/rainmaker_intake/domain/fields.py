"""Header synonyms: which column of a purchased list feeds which contact field."""

import re

SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "work email"),
    "first_name": ("first name", "firstname", "given name", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "company": ("company", "company name", "organisation", "organization", "account", "employer"),
    "job_title": ("job title", "title", "position", "role"),
    "phone": ("phone", "telephone", "phone number", "tel", "work phone"),
}

_LOOKUP = {syn: field for field, syns in SYNONYMS.items() for syn in syns}


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


def map_headers(headers: list[str]) -> dict[int, str]:
    """Column index -> contact field for the headers we recognise (first one wins)."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, header in enumerate(headers):
        field = _LOOKUP.get(_key(header))
        if field and field not in taken:
            mapping[i] = field
            taken.add(field)
    return mapping
