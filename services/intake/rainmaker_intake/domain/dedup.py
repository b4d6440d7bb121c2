"""De-duplication of contacts: rules, blocking, and an in-memory index for one file.

Rules, strongest first; every decision carries its rule and score for the audit trail:

- ``email``: the same normalised address (1.0); a role mailbox (info@, office@...) also
  needs the names to agree, as colleagues share it.
- ``phone+name``: the same E.164 number and a similar person name.
- ``name+company``: a similar person name at the same company (folded name within
  `company_threshold`, or the same web or e-mail domain).
- ``name+address``: a similar name, the same postcode (else city) and house number, and a
  similar street.

A row that several contacts match goes to the best (`Decision.rank`): the highest score,
then the strongest rule, then the most evidence (identifiers shared less those that
differ), then the most fields alike (blanks included), then the first indexed: in file
order, or the oldest stored contact.

Two different addresses at different domains are two people unless the phone and a
near-identical name agree; at one domain they are colleagues unless a mailbox fits the
other's name (j.smith@ on a "John Smiht" row) or the names agree. A person name needs
first and last name. Precision comes first: a wrong merge hides a person, a missed one
costs a second touch.

Name scorer, measured (``python bench/dedup.py --compare-scorers``: a 20,000-row list plus a
10,000-row cp1252 list, 30% of it people of the first; pairwise P/R at name threshold 0.85):
``jaro_winkler_capped`` P 0.9999 R 0.9974; plain Jaro-Winkler P 0.9996 R 0.9974; OSA
(Levenshtein with transpositions) P 0.9998 R 0.8999 (a typo in a 4-letter name costs 25%);
token_sort_ratio on the whole name P 0.9987 R 0.9894; WRatio P 0.9964 R 0.9924 (partial
matching). Chosen: Jaro-Winkler on first~first and last~last (or swapped, or nickname-folded),
the weaker part deciding, but 0 past a typo's reach (more than 1 edit in names up to 4
letters, more than 2 beyond), which keeps "Hans"/"Hanna" apart. splink / recordlinkage
(Fellegi-Sunter weights learned by EM) were not added: these rules pass the targets with
room, and a learned model would need labelled data and a per-merge explanation of its own.
"""

from collections.abc import Iterable
from typing import Any, Protocol

from rainmaker_intake.domain.blocking import key_hash, profile_keys
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup_rules import DEFAULT, Decision, DedupConfig, decide, ranked
from rainmaker_intake.domain.similarity import Profile, pack, profile, unpack

__all__ = [
    "DEFAULT", "CandidateSource", "Decision", "DedupConfig", "DedupIndex", "Keyed", "Match",
    "best_match", "decide", "match",
]  # fmt: skip
Match = tuple[str, Decision]  # (id of the contact matched, why)


class CandidateSource(Protocol):
    """Existing contacts sharing a blocking key (the database side, wired by the service):
    store `blocking.block_keys(contact)` beside each contact, answer with one indexed query."""

    def candidates(self, keys: set[str]) -> Iterable[tuple[str, NormalisedContact]]: ...


def match(
    a: NormalisedContact, b: NormalisedContact, config: DedupConfig = DEFAULT
) -> Decision | None:
    """Are `a` and `b` the same person? The deciding rule and its score, or None."""
    return decide(profile(a), profile(b), config)


def best_match(
    contact: NormalisedContact, source: CandidateSource, config: DedupConfig = DEFAULT
) -> Match | None:
    """The best candidate from `source` that `contact` duplicates, by `Decision.rank` (ties:
    first seen)."""
    p = profile(contact)
    best: Match | None = None
    for other_id, other in source.candidates(profile_keys(p)):
        decision = ranked(p, profile(other), config)
        if decision and (best is None or decision.rank > best[1].rank):
            best = (other_id, decision)
    return best


class Keyed:
    """A contact folded for matching: packed (as stored) and the hashes of its blocking keys
    (as stored), computed once per row, by the import's helper process for a large file. The
    folded profile itself is unpacked only when a candidate is compared: most rows of a list
    share no key with anyone, and unpacking cost a worker as much as folding."""

    __slots__ = ("_profile", "hashes", "packed")

    def __init__(self, packed: str, hashes: tuple[int, ...], p: Profile | None = None) -> None:
        self.packed = packed
        self.hashes = hashes
        self._profile = p

    @classmethod
    def of(cls, contact: NormalisedContact) -> "Keyed":
        p = profile(contact)
        # Sorted: a set's order depends on the process's hash seed, and a chunk must be the same
        # whichever process folded it.
        return cls(pack(p), tuple(sorted({key_hash(k) for k in profile_keys(p)})), p)

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = unpack(self.packed)
        return self._profile

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keyed) and (self.packed, self.hashes) == (
            other.packed,
            other.hashes,
        )

    def __hash__(self) -> int:
        return hash((self.packed, self.hashes))

    def __reduce__(self) -> tuple[Any, tuple[str, tuple[int, ...]]]:
        return Keyed, (self.packed, self.hashes)  # a string and a few ints pickle cheaply


class DedupIndex:
    """Contacts in memory for one file or one chunk: blocking-key hash -> contacts.

    Keys are held as their stored hashes (`blocking.key_hash`) and profiles as packed strings:
    about 75 MB per 100,000 contacts (bench/dedup.py). One id may hold several profiles (the
    sightings of one person), so a third sighting can match the second one's e-mail address.
    """

    def __init__(self, config: DedupConfig = DEFAULT) -> None:
        self.config = config
        self._blocks: dict[int, int | list[int]] = {}
        self._ids: list[str] = []
        self._packed: list[str] = []

    def __len__(self) -> int:
        return len(self._packed)

    def add(self, contact_id: str, contact: NormalisedContact) -> None:
        """Index `contact` as (another sighting of) `contact_id`."""
        self.add_keyed(contact_id, Keyed.of(contact))

    def find(self, contact: NormalisedContact) -> Match | None:
        return self.find_keyed(Keyed.of(contact))

    # The same, for a caller that folded the contact once (`Keyed`) to ask several indexes.
    def add_keyed(self, contact_id: str, keyed: Keyed) -> None:
        self._add(contact_id, keyed.packed, keyed.hashes)

    def find_keyed(self, keyed: Keyed) -> Match | None:
        slots = self._candidates(keyed.hashes)
        return self._best(keyed.profile, slots) if slots else None

    def add_packed(self, contact_id: str, packed: str, hashes: Iterable[int]) -> None:
        """Index a stored contact by its packed profile (contacts.match_profile) under the
        given key hashes: those it shares with the rows that will be looked up."""
        self._add(contact_id, packed, hashes)

    def find_or_add(self, contact_id: str, contact: NormalisedContact) -> Match | None:
        """Match `contact`; a new person is indexed as `contact_id`, a repeat under its match."""
        keyed = Keyed.of(contact)
        found = self.find_keyed(keyed)
        self.add_keyed(found[0] if found else contact_id, keyed)
        return found

    def _add(self, contact_id: str, packed: str, hashes: Iterable[int]) -> None:
        slot = len(self._packed)
        self._ids.append(contact_id)
        self._packed.append(packed)
        for h in hashes:
            held = self._blocks.get(h)
            if held is None:
                self._blocks[h] = slot
            elif isinstance(held, int):
                self._blocks[h] = [held, slot]
            else:
                held.append(slot)

    def _candidates(self, hashes: Iterable[int]) -> set[int]:
        slots: set[int] = set()
        for h in hashes:
            held = self._blocks.get(h)
            if isinstance(held, int):
                slots.add(held)
            elif held is not None:
                slots.update(held[-self.config.max_block :])
        return slots

    def _best(self, p: Profile, slots: set[int]) -> Match | None:
        best: tuple[int, Decision] | None = None
        for slot in sorted(slots):  # ties: the first indexed (file order, or the oldest)
            decision = ranked(p, unpack(self._packed[slot]), self.config)
            if decision and (best is None or decision.rank > best[1].rank):
                best = (slot, decision)
        return (self._ids[best[0]], best[1]) if best else None
