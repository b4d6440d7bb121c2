"""Folding and fuzzy comparison of names, companies and streets for de-duplication.

A contact is folded once into a `Profile` (case, accents, punctuation, nicknames, legal
forms, street abbreviations), so comparing two contacts is a handful of rapidfuzz calls.
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz

from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup_words import CONNECTORS, LEGAL_FORMS, NICKNAMES, STREET_WORDS
from rainmaker_intake.domain.web import employer_domain

_PUNCT = re.compile(r"[^\w]+")


_CACHE = 1 << 16  # lists repeat names, companies, streets and places: fold each once


@lru_cache(maxsize=_CACHE)
def fold(text: str | None) -> str:
    """Lower case, no accents, no dots or apostrophes, other punctuation as single spaces."""
    if not text:
        return ""
    text = text.casefold().replace(".", "").replace("'", "")
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return _PUNCT.sub(" ", text).replace("_", " ").strip()


@lru_cache(maxsize=_CACHE)
def name_part(text: str | None) -> str:
    """A folded name part without spaces ("van der Berg" -> "vanderberg")."""
    return fold(text).replace(" ", "")


@lru_cache(maxsize=_CACHE)
def org_key(text: str | None) -> str:
    """Folded company name without trailing legal forms and without connectors ("and")."""
    tokens = [t for t in fold(text).split() if t not in CONNECTORS]
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    return " ".join(tokens)


@lru_cache(maxsize=_CACHE)
def street_parts(text: str | None) -> tuple[str, str]:
    """(street words, abbreviations spelt out; house numbers)."""
    words, numbers = [], []
    for t in fold(text).split():
        if any(ch.isdigit() for ch in t):
            numbers.append(t)
        elif t.endswith("str") and len(t) > 5:
            words.append(t[:-3] + "strasse")
        else:
            words.append(STREET_WORDS.get(t, t))
    return " ".join(words), " ".join(numbers)


_FORMAL = {name_part(nick): name_part(formal) for nick, formal in NICKNAMES.items()}


class Profile(NamedTuple):
    """What matching needs of a contact, folded once; '' means blank."""

    email: str
    email_domain: str  # the employer's domain; '' for free mail
    phone: str
    first: str
    formal: str  # the formal given name when `first` is a nickname ("bob" -> "robert")
    last: str
    company: str
    domain: str
    postcode: str
    city: str
    street: str
    house: str


_SEP = "\x1f"  # unit separator: folding leaves no control characters in a profile


def pack(p: Profile) -> str:
    """A profile as one string: how the in-memory index keeps it and the database stores it."""
    return _SEP.join(p)


def unpack(packed: str) -> Profile:
    return Profile(*packed.split(_SEP))


def profile(c: NormalisedContact) -> Profile:
    email = (c.email or "").strip().lower()
    street, house = street_parts(c.street)
    first = name_part(c.first_name)
    return Profile(
        email=email,
        email_domain=(employer_domain(email) or "") if "@" in email else "",
        phone=c.phone or "",
        first=first,
        formal=_FORMAL.get(first, ""),
        last=name_part(c.last_name),
        company=org_key(c.company_key or c.company),
        domain=(c.website_domain or "").lower(),
        postcode=fold(c.postcode).replace(" ", ""),
        city=fold(c.city),
        street=street,
        house=house,
    )


def company_score(a: Profile, b: Profile) -> float:
    """1.0 for one web or e-mail domain or the same folded name, else the token-sorted ratio."""
    if (a.domain and a.domain in (b.domain, b.email_domain)) or (
        a.email_domain and a.email_domain in (b.domain, b.email_domain)
    ):
        return 1.0
    if not (a.company and b.company):
        return 0.0
    return 1.0 if a.company == b.company else fuzz.token_sort_ratio(a.company, b.company) / 100


def street_score(a: Profile, b: Profile) -> float:
    """Same postcode (lacking one, city), same house number, then how alike the street is."""
    if a.postcode and b.postcode:
        if a.postcode != b.postcode:
            return 0.0
    elif not (a.city and a.city == b.city):
        return 0.0
    if not (a.street and b.street) or a.house != b.house:
        return 0.0
    return 1.0 if a.street == b.street else fuzz.token_sort_ratio(a.street, b.street) / 100
