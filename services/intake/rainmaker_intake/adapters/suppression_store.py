"""Who must never enter: suppressed emails and domains, and the hashes of erased people."""

import hashlib
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from rainmaker_db.bulk import rows_where_in
from rainmaker_intake.adapters.tables import erasures, suppressions
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.domain.dedup_words import ROLE_ACCOUNTS
from rainmaker_intake.domain.similarity import Profile, profile
from rainmaker_intake.domain.web import registrable_domain

# Suppressions of a kind, or erasures, up to this many are read whole for a batch of at least
# WHOLE_FOR_ROWS rows (an import's chunk); a smaller batch (a referral) asks for its values.
SMALL_TABLE = 5_000
WHOLE_FOR_ROWS = 1_000
# Hosts whose registrable domain is one of their dot-separated suffixes (no IDN, no port).
_PLAIN_HOST = re.compile(r"[a-z0-9.-]+")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def email_hash(email: str) -> str:
    return _sha(f"email:{email}")


def erasure_hashes(
    contact: NormalisedContact,
    p: Profile | None = None,
    *,
    checking: bool = False,
    emails: Sequence[str] = (),
) -> list[str]:
    """What an erased person leaves behind (`checking`: what a later row is checked against):
    hashes of their e-mail addresses (the contact's and `emails`, the others their rows
    used); of their phone, and of their street address (someone known only by post), each
    with a name. A role mailbox (info@) goes with the name too: colleagues share it, as they
    share a switchboard, and alone it kept every one of them out. See `_name_forms` for the
    names: a later row that gives the phone or address with the erased person's surname and
    initial, or with their surname and no given name, is kept out, whatever else it lacks;
    a colleague of the same surname and another initial gets in."""
    p = p or profile(contact)
    names = _name_forms(p, checking=checking)
    out = []
    for email in sorted({e for e in (contact.email, *emails) if e}):
        if email.partition("@")[0] in ROLE_ACCOUNTS:
            out += [_sha(f"email:{email}:{n}") for n in names]
        else:
            out.append(email_hash(email))
    if contact.phone:
        out += [_sha(f"phone:{contact.phone}:{n}") for n in names]
    if p.street:  # by postcode and by city: a later row may give either
        places = {place for place in (p.postcode, p.city) if place}
        out += [_sha(f"address:{pl}:{p.house}:{p.street}:{n}") for pl in places for n in names]
    return out


def _name_forms(p: Profile, *, checking: bool) -> list[str]:
    """The names a phone, an address or a role mailbox is hashed with.

    Erasing Robert (or Bob) Novak: "novak/r", the surname with the initial of the formal given
    name, and "novak/", for a later row that gives the surname alone. Erasing someone without
    a surname and given name: the first known of surname, given name, company (the earlier
    rule's form). Checking a row: its own "surname/initial" ("surname/" without a given name),
    then each name alone, which finds what the earlier rule and the fallback left."""
    initial = (p.formal or p.first)[:1]
    if not checking:
        if p.last and initial:
            return [f"{p.last}/{initial}", f"{p.last}/"]
        return [n for n in (p.last, p.first, p.company) if n][:1]
    own = f"{p.last}/{initial}" if p.last else ""
    return [n for n in (own, p.last, p.first, p.company) if n]


def _checked_hashes(contact: NormalisedContact, p: Profile | None) -> list[str]:
    """`erasure_hashes`, and what erasures made under earlier rules left: the phone alone,
    and a role mailbox alone. The people those stand for must stay out."""
    out = erasure_hashes(contact, p, checking=True)
    if contact.phone:
        out.append(_sha(f"phone:{contact.phone}"))
    if contact.email and contact.email.partition("@")[0] in ROLE_ACCOUNTS:
        out.append(email_hash(contact.email))
    return out


def _domain(email: str | None) -> str | None:
    """The registrable domain of a mailbox: fay@eu.corp.com is covered by corp.com."""
    if not email or "@" not in email:
        return None
    host = email.rsplit("@", 1)[1]
    return registrable_domain(host) or host


def _own_domains(c: NormalisedContact, among: set[str] | None) -> set[str]:
    """A contact's domains (its mailbox's registrable domain, its website's), or, when the
    suppressed domains are known (`among`), those of them that can be among them. A mailbox's
    registrable domain (a public-suffix look-up) is a suffix of its host, so it is only worked
    out when some suffix of a plain host is suppressed: 2.5 us a row less of an import. None
    can be among no suppressed domain at all (the usual case: 3.8% of an import worker)."""
    if among is not None and not among:
        return set()
    email = c.email
    if among is not None and email and "@" in email:
        host = email.rsplit("@", 1)[1]
        if _PLAIN_HOST.fullmatch(host) and not _any_suffix_in(host, among):
            email = None
    return {d for d in (_domain(email), c.website_domain) if d}


def _any_suffix_in(host: str, among: set[str]) -> bool:
    """True when `host` (".corp.com." as given, or trimmed of dots) or any of its parent
    domains is in `among`."""
    if host in among:
        return True
    labels = host.strip(".").split(".")
    return any(".".join(labels[i:]) in among for i in range(len(labels)))


def blocked(
    session: Session, batch: Sequence[NormalisedContact], keyed: Sequence[Keyed] | None = None
) -> list[str | None]:
    """Per contact: why it may not enter ('suppressed email', ...) or None. `keyed`: the
    contacts already folded for matching, whose profiles the erasure check reuses."""
    emails = {c.email for c in batch if c.email}
    rows = len(batch)
    sup_emails = _members(session, emails, _whole(session, rows, "email"), "email")
    # Each contact's domains and erasure hashes once: both are asked of the whole batch.
    whole_domains = _whole(session, rows, "domain")
    own_domains = [_own_domains(c, whole_domains) for c in batch]
    domains = set().union(*own_domains)
    sup_domains = _members(session, domains, whole_domains, "domain")
    all_erased = _whole(session, rows)
    if all_erased == set():  # the usual case: nothing to hash each row for
        own_hashes: list[list[str]] = [[] for _ in batch]
        erased: set[str] = set()
    else:
        profiles = [k.profile for k in keyed] if keyed else [None] * len(batch)
        own_hashes = [_checked_hashes(c, p) for c, p in zip(batch, profiles, strict=True)]
        erased = _members(session, set().union(*own_hashes), all_erased)
    reasons: list[str | None] = []
    for c, mine, hashed in zip(batch, own_domains, own_hashes, strict=True):
        if c.email in sup_emails:
            reasons.append("suppressed email")
        elif mine & sup_domains:
            reasons.append("suppressed domain")
        elif erased.intersection(hashed):
            reasons.append("erased person")
        else:
            reasons.append(None)
    return reasons


def _whole(session: Session, rows: int, kind: str | None = None) -> set[str] | None:
    """Every suppressed value of `kind` (every erasure hash if None) when there are at most
    SMALL_TABLE and the batch has WHOLE_FOR_ROWS rows or more, else None. Read whole once a
    batch: with each of a chunk's ~20,000 addresses and hashes asked for, the check took 7 us
    a row of an import, 3 us this way (and with no erasure at all, no row's hashes are
    computed). A referral's few rows ask for their own values instead."""
    if rows < WHOLE_FOR_ROWS:
        return None
    if kind is None:
        query = select(erasures.c.hash)
    else:
        query = select(suppressions.c.value).where(suppressions.c.kind == kind)
    held = set(session.scalars(query.limit(SMALL_TABLE + 1)))
    return held if len(held) <= SMALL_TABLE else None


def _members(
    session: Session, wanted: set[str], whole: set[str] | None, kind: str | None = None
) -> set[str]:
    """Which of `wanted` are suppressed as `kind` (erased if None): from `whole` when the table
    was small enough to read, else asked of it (straight through the driver: `wanted` holds
    a chunk's rows)."""
    if whole is not None or not wanted:
        return (whole or set()) & wanted
    if kind is None:
        rows = rows_where_in(session, erasures, ("hash",), "hash", wanted)
    else:
        rows = rows_where_in(session, suppressions, ("value",), "value", wanted, {"kind": kind})
    return {v for (v,) in rows}
