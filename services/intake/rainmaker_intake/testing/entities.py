"""Companies and people assembled from the pools; each person renders to one clean row."""

import random
import re
from dataclasses import dataclass

from rainmaker_intake.testing.nicknames import canonical
from rainmaker_intake.testing.phones import Phone, draw
from rainmaker_intake.testing.pools import NON_LATIN, TLD, LocalePool, slug
from rainmaker_intake.testing.vocab import (
    DEFAULT_SUFFIX,
    FILLERS,
    FREEMAIL,
    INDUSTRIES,
    PATTERNS,
    SUFFIXES,
)  # fmt: skip


@dataclass(slots=True)
class Company:
    name: str  # base name without the legal form
    suffix: str
    domain: str
    street: str
    city: str
    postcode: str
    country: str
    industry: str
    employees: int
    switchboard: Phone
    pool: LocalePool
    surnames: list[tuple[str, str]]  # of its people: families and common names recur


@dataclass(slots=True)
class Person:
    first: str
    last: str
    email: str
    phone: Phone
    job: str
    company: Company


def split_suffix(name: str) -> tuple[str, str]:
    """'Carroll Inc' -> ('Carroll', 'Inc'); names without a known legal form are kept whole."""
    for form in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(" " + form):
            return name[: -len(form) - 1].rstrip(" ,"), form
    return name, ""


def _company_name(pool: LocalePool, rng: random.Random) -> str:
    """A company name: Faker's own for non-Latin locales, else composed from surnames."""
    patterns = PATTERNS.get(pool.locale[:2])
    if patterns is None:
        return str(pool.faker.company())
    a, b, c = (rng.choice(pool.last_names)[0] for _ in range(3))
    return rng.choice(patterns).format(a=a, b=b, c=c, w=rng.choice(FILLERS))


def make_company(pool: LocalePool, rng: random.Random, taken: set[str]) -> Company:
    base, suffix = split_suffix(_company_name(pool, rng))
    key = re.sub(r"\W+", "", base.lower())
    while key in taken:
        base = f"{base} {rng.choice(FILLERS)}"
        key = re.sub(r"\W+", "", base.lower())
    taken.add(key)
    if not suffix and pool.country in DEFAULT_SUFFIX and rng.random() < 0.6:
        suffix = rng.choice(DEFAULT_SUFFIX[pool.country])
    stem = slug(base) if pool.locale not in NON_LATIN else ""
    stem = stem or slug(f"{rng.choice(pool.last_names)[1]} {rng.choice(INDUSTRIES)}")
    domain = f"{stem}.{TLD[pool.country]}"
    while domain in taken:
        domain = f"{stem}{rng.randrange(2, 99)}.{TLD[pool.country]}"
    taken.add(domain)
    street, number = rng.choice(pool.streets), str(rng.randrange(1, 300))
    city, postcode = rng.choice(pool.places)
    return Company(
        name=base,
        suffix=suffix,
        domain=domain,
        street=f"{number} {street}" if pool.country in ("US", "GB") else f"{street} {number}",
        city=city,
        postcode=postcode,
        country=pool.country,
        industry=rng.choice(INDUSTRIES),
        employees=int(rng.lognormvariate(4, 1.5)) + 1,
        switchboard=draw(pool.phones, rng),
        pool=pool,
        surnames=[],
    )


def make_email(first: str, last: str, domain: str, rng: random.Random) -> str:
    """A typical address for the person; ASCII forms of the names are expected."""
    roll = rng.random()
    if roll < 0.005:
        return f"{rng.choice(('info', 'office', 'contact'))}@{domain}"
    if roll < 0.10:
        return f"{first}.{last}{rng.randrange(1, 99)}@{rng.choice(FREEMAIL)}"
    pattern = rng.choice(("{f}.{l}", "{f}.{l}", "{i}.{l}", "{f}{l}", "{f}_{l}", "{i}{l}", "{f}"))
    local = pattern.format(f=first, l=last, i=first[:1])
    return f"{local}@{domain}"


def make_person(company: Company, pool: LocalePool, rng: random.Random, taken: set[str]) -> Person:
    """A person at `company`; no two share (company, first, last) in either order or nickname,
    and no two share an e-mail address except role accounts (info@, office@...)."""
    for _ in range(20):
        (first, first_a), (last, last_a) = rng.choice(pool.first_names), rng.choice(pool.last_names)
        if company.surnames and rng.random() < 0.1:
            last, last_a = rng.choice(company.surnames)
        keys = {
            f"{company.domain} {canonical(first_a)} {last_a}",
            f"{company.domain} {last_a} {first_a}",
        }
        if not keys & taken:
            break
    taken.update(keys)
    company.surnames.append((last, last_a))
    email = make_email(first_a, last_a, company.domain, rng)
    while email in taken and not email.startswith(("info@", "office@", "contact@")):
        email = f"{first_a}.{last_a}{rng.randrange(2, 999)}@{email.split('@')[1]}"
    taken.add(email)
    direct = rng.random() < 0.7
    return Person(
        first=first,
        last=last,
        email=email,
        phone=draw(pool.phones, rng) if direct else company.switchboard,
        job=rng.choice(pool.jobs),
        company=company,
    )
