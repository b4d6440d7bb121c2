"""Measure de-duplication against a generated list's truth: pairwise precision and recall.

A row is named (list file name, row number). The truth's pairs are closed transitively into
people; dedup's answer is the grouping `DedupIndex.find_or_add` makes. A pair of rows is
predicted when dedup put them under one id, and true when they are the same person.
Only rows that reached dedup (accepted by the normaliser) count.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rainmaker_intake.adapters.reader import open_list
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.dedup import DEFAULT, DedupConfig, DedupIndex
from rainmaker_intake.domain.normalise import normalise
from rainmaker_intake.testing.truth import clusters, load, read_truth

Row = tuple[str, int]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    rules: dict[str, int]  # decisions per rule


def contacts_of(path: Path) -> list[NormalisedContact]:
    """A generated list through the real reader and normaliser: its accepted contacts."""
    region = load(path).default_region
    found = (normalise(row, default_region=region)[0] for row in open_list(path).rows())
    return [contact for contact in found if contact is not None]


def dedup(
    lists: Iterable[tuple[str, Iterable[NormalisedContact]]], config: DedupConfig = DEFAULT
) -> tuple[dict[Row, str], Counter[str]]:
    """Run lists through one index in order: row -> id of the contact it became or joined."""
    index = DedupIndex(config)
    assigned: dict[Row, str] = {}
    rules: Counter[str] = Counter()
    for name, contacts in lists:
        for contact in contacts:
            row = (name, contact.row_number)
            found = index.find_or_add(f"{name}:{contact.row_number}", contact)
            assigned[row] = found[0] if found else f"{name}:{contact.row_number}"
            if found:
                rules[found[1].rule] += 1
    return assigned, rules


def true_people(paths: Sequence[Path]) -> dict[Row, int]:
    """Row -> person number, for rows the truth files pair with another row."""
    pairs: list[tuple[Row, Row]] = []
    for path in paths:
        for p in read_truth(path):
            pairs.append(((path.name, p.row), (p.other_list or path.name, p.other_row)))
    people = clusters(pairs)
    numbers = {
        id(members): i for i, members in enumerate({id(m): m for m in people.values()}.values())
    }
    return {row: numbers[id(members)] for row, members in people.items()}


def _pairs(groups: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in groups)


def score(assigned: dict[Row, str], person: dict[Row, int], rules: Counter[str]) -> Scores:
    truth = Counter(p for row, p in person.items() if row in assigned)
    predicted = Counter(assigned.values())
    correct = Counter((cid, person[row]) for row, cid in assigned.items() if row in person)
    true_pairs, predicted_pairs, correct_pairs = (
        _pairs(truth.values()), _pairs(predicted.values()), _pairs(correct.values())
    )  # fmt: skip
    return Scores(
        precision=correct_pairs / predicted_pairs if predicted_pairs else 1.0,
        recall=correct_pairs / true_pairs if true_pairs else 1.0,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct_pairs,
        rules=dict(rules),
    )


def evaluate(
    lists: Sequence[tuple[Path, Sequence[NormalisedContact]]], config: DedupConfig = DEFAULT
) -> Scores:
    """Dedup the lists' contacts in order and score against their truth files."""
    assigned, rules = dedup(((path.name, contacts) for path, contacts in lists), config)
    return score(assigned, true_people([path for path, _ in lists]), rules)
