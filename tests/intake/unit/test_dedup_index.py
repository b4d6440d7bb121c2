"""DedupIndex for one file, and best_match against a CandidateSource (the database port)."""

from collections.abc import Iterable

from rainmaker_intake.domain.blocking import block_keys
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import CandidateSource, DedupConfig, DedupIndex, best_match


def contact(first: str, last: str, **kw: object) -> NormalisedContact:
    values: dict[str, object] = {"company": "Acme Inc", "company_key": "acme"}
    values.update(kw)
    return NormalisedContact(row_number=2, first_name=first, last_name=last, **values)  # type: ignore[arg-type]


def test_find_or_add_groups_sightings_under_the_first_id() -> None:
    index = DedupIndex()
    assert index.find_or_add("lead-1", contact("Robert", "Smith", email="bob@acme.com")) is None
    found = index.find_or_add("lead-2", contact("Bob", "Smith"))
    assert found is not None and found[0] == "lead-1" and found[1].rule == "name+company"
    assert index.find_or_add("lead-3", contact("Karl", "Huber")) is None
    assert len(index) == 3


def test_a_later_sighting_matches_what_an_earlier_one_added() -> None:
    index = DedupIndex()
    index.add("lead-1", contact("Robert", "Smith", email="bob@acme.com"))
    index.add(
        "lead-1", contact("Robert", "Smith", email="robert.smith@acme.com", phone="+4930123456")
    )
    found = index.find(contact("Rob", "Smith", company=None, company_key=None, phone="+4930123456"))
    assert found is not None and found[0] == "lead-1" and found[1].rule == "phone+name"


def test_the_best_candidate_wins() -> None:
    index = DedupIndex()
    index.add("by-company", contact("Robert", "Smiht"))
    index.add("by-email", contact("Robert", "Smith", email="bob@acme.com"))
    found = index.find(contact("Robert", "Smith", email="bob@acme.com"))
    assert found is not None and found[0] == "by-email" and found[1].score == 1.0


def test_an_oversized_block_only_offers_its_most_recent_members() -> None:
    def filled(config: DedupConfig) -> DedupIndex:
        index = DedupIndex(config)
        index.add("old", contact("Robert", "Smith"))
        for i in range(3):
            index.add(f"other-{i}", contact("Robert", f"Smithers{i}"))  # same keys, others
        return index

    found = filled(DedupConfig()).find(contact("Robert", "Smith"))
    assert found is not None and found[0] == "old"
    assert filled(DedupConfig(max_block=2)).find(contact("Robert", "Smith")) is None


class FakeContacts:
    """A CandidateSource over a dict, recording the keys it was asked for."""

    def __init__(self, contacts: dict[str, NormalisedContact]) -> None:
        self.contacts, self.asked = contacts, set[str]()

    def candidates(self, keys: set[str]) -> Iterable[tuple[str, NormalisedContact]]:
        self.asked |= keys
        return [(i, c) for i, c in self.contacts.items() if block_keys(c) & keys]


def test_best_match_asks_the_source_by_blocking_keys() -> None:
    source = FakeContacts(
        {"lead-9": contact("Robert", "Smith"), "lead-8": contact("Karl", "Huber")}
    )
    port: CandidateSource = source
    found = best_match(contact("Smith", "Robert"), port)
    assert found is not None and found[0] == "lead-9"
    assert source.asked == block_keys(contact("Smith", "Robert"))
    assert best_match(contact("Jane", "Doe"), port) is None
