"""De-duplication quality on generated lists with known truth (the intake issue's bar).

Two lists: 6,000 rows (10% repeats of people earlier in the list) and a second of 3,000 rows
in Windows-1252 with ';' (10% repeats within it, 30% people of the first list). Rows go
through the real reader and normaliser, then one DedupIndex in list order (the first list
stands for the contacts we already hold). Pairwise precision >= 0.99, recall >= 0.95.
"""

from pathlib import Path

import pytest

from rainmaker_intake.domain.blocking import block_keys
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.testing.dedup_eval import Scores, contacts_of, evaluate, true_people
from rainmaker_intake.testing.listgen import generate

Lists = list[tuple[Path, list[NormalisedContact]]]


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> Lists:
    folder = tmp_path_factory.mktemp("dedup_quality")
    first = generate(folder / "first.csv", 6000, seed=21, dup_rate=0.1)
    second = generate(folder / "second.csv", 3000, seed=22, dup_rate=0.1, encoding="cp1252",
                      delimiter=";", cross_list_from=first.path, cross_rate=0.3)  # fmt: skip
    return [(g.path, contacts_of(g.path)) for g in (first, second)]


@pytest.fixture(scope="module")
def scores(lists: Lists) -> Scores:
    return evaluate(lists)


def test_the_truth_is_big_enough_to_mean_something(lists: Lists, scores: Scores) -> None:
    assert sum(len(contacts) for _, contacts in lists) >= 8500
    people = true_people([path for path, _ in lists])
    cross = {p for (name, _), p in people.items() if name == "second.csv"} & {
        p for (name, _), p in people.items() if name == "first.csv"
    }
    assert scores.true_pairs >= 1500 and len(cross) >= 700


def test_pairwise_precision_and_recall(scores: Scores) -> None:
    assert scores.precision >= 0.99, scores
    assert scores.recall >= 0.95, scores


def test_every_rule_decides_some_pairs(scores: Scores) -> None:
    assert set(scores.rules) == {"email", "phone+name", "name+company", "name+address"}


def test_blocking_keeps_true_pairs_together_and_blocks_small(lists: Lists) -> None:
    keys = {(path.name, c.row_number): block_keys(c) for path, cs in lists for c in cs}
    people = true_people([path for path, _ in lists])
    by_person: dict[int, list[tuple[str, int]]] = {}
    for row, p in people.items():
        if row in keys:
            by_person.setdefault(p, []).append(row)
    pairs = [(a, b) for rows in by_person.values() for i, a in enumerate(rows) for b in rows[:i]]
    together = sum(bool(keys[a] & keys[b]) for a, b in pairs)
    assert together / len(pairs) >= 0.99
    sizes: dict[str, int] = {}
    for ks in keys.values():
        for k in ks:
            sizes[k] = sizes.get(k, 0) + 1
    candidates = sum(sizes[k] for ks in keys.values() for k in ks) / len(keys)
    assert candidates < 30  # comparisons per contact stay few: cost near-linear in rows
