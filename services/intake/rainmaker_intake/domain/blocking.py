"""Blocking keys: a contact is compared only with contacts sharing at least one key.

Keys are plain strings, so the database can store them beside each contact and answer
"who shares any of these keys" with one indexed query (see `dedup.CandidateSource`).

- `e:<email>` the normalised e-mail address;
- `o:<org>:<name key>` for each organisation stem (`org_stem`: the folded company name, the
  web domain and the e-mail domain of a company address, each as its letters and digits
  only, a domain without its public suffix), crossed with a sound-alike key of each name part
  (so a typo in one part, a swapped first/last name or a nickname still share a key). "Acme
  Widgets", acme-widgets.com and @acmewidgets.de give one stem, so one key where there were
  three (at 100k contacts: 6.95 keys a contact instead of 8.66), and a contact known only by
  its company now meets one known only by its website;
- `a:<postcode or city>:<house number>:<name key>` the same name keys at one address, for a
  contact with a street: the address rule needs the same postcode (or city) and house number;
- `p:<phone>:<name key>` the E.164 phone number with the same name keys.

Keys are as selective as the rules allow: each row's candidates are fetched from the database
and compared, so a key shared by everyone in a postcode or at a switchboard costs every row
that has it (at 1M contacts: 14.6 candidate pairs a row with `a:<place>:<name>` and bare
`p:<phone>` keys, 5.5 with these; the same decisions on bench/dedup.py's lists). The price:
two contacts without a street in one place, at spellings of a company that fold differently
("Acme Widgets", "Acme Widget") and without another shared key, are no longer compared;
`a:<place>:<name key>` used to bring them together as a side effect.
"""

import re
import zlib
from functools import lru_cache

from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.similarity import Profile, profile
from rainmaker_intake.domain.web import domain_label

_SILENT = str.maketrans("", "", "aeiouyhw")
_NOT_ALNUM = re.compile(r"[\W_]+")  # any script's letters and digits stay


@lru_cache(maxsize=1 << 16)
def name_key(part: str) -> str:
    """First letter and the next two consonant sounds: smith, smyth and smiht give 'smt'."""
    if not part:
        return ""
    if not part.isascii():
        return part[:2]
    rest = part[1:].translate(_SILENT)
    out = part[0]
    for ch in rest:
        if ch != out[-1]:
            out += ch
            if len(out) == 3:
                break
    return out


# Companies, websites and mailbox domains together: ~110k stems in a 1M-row list (65k missed
# 500k times).
@lru_cache(maxsize=1 << 18)
def org_stem(org: str, is_domain: bool = False) -> str:
    """An organisation as its letters and digits: 'acme widgets' and 'acme-widgets.com' give
    'acmewidgets' (a domain without its public suffix)."""
    return _NOT_ALNUM.sub("", domain_label(org) if is_domain else org)


def profile_keys(p: Profile) -> set[str]:
    keys: set[str] = set()
    if p.email:
        keys.add("e:" + p.email)
    names = {k for k in (name_key(p.first), name_key(p.formal), name_key(p.last)) if k}
    orgs = {
        o
        for o in (
            org_stem(p.company) if p.company else "",
            org_stem(p.domain, True) if p.domain else "",
            org_stem(p.email_domain, True) if p.email_domain else "",
        )
        if o
    }
    place = (p.postcode or p.city) if p.street else ""
    for n in names:
        keys.update(f"o:{o}:{n}" for o in orgs)
        if place:
            keys.add(f"a:{place}:{p.house}:{n}")
        if p.phone:
            # Every rule but e-mail needs the names to agree, so a phone blocks with each name
            # part's key (a typo in one part, or swapped parts, still meet): switchboards are
            # shared by hundreds.
            keys.add(f"p:{p.phone}:{n}")
    return keys


def block_keys(c: NormalisedContact) -> set[str]:
    """The blocking keys of a contact (stable strings: safe to store)."""
    return profile_keys(profile(c))


def key_hash(key: str) -> int:
    """A stable 31-bit hash of a key, as stored (Python's hash() changes per process).

    31 bits: SQLite stores such an integer in 4 bytes, not 8, which made the key table a
    quarter smaller and its commits a quarter shorter (migration 0007). CRC-32: a fifth of
    blake2b's time, for ~9 keys a row. Two keys that share a hash only bring a stranger in as
    a candidate, whom the rules then compare on real values: at 8.7M keys (1M contacts) ~0.4%
    of probes find one."""
    return zlib.crc32(key.encode()) >> 1
