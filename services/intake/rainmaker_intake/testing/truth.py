"""What the generator knows and the importer must find: true duplicate pairs, bad rows.

Beside `list.csv` the generator writes `list.truth.csv` (one line per pair of rows that are
the same person: `row,other_list,other_row`, `other_list` empty within the file, else the
other list's file name) and `list.meta.json` (encoding, delimiter, bad rows and why).
Row numbers are CSV record numbers as a spreadsheet shows them: the header is row 1.
"""

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class TruthPair:
    row: int
    other_list: str  # "" when the other row is in the same list
    other_row: int


@dataclass(frozen=True)
class GeneratedList:
    path: Path
    rows: int  # data rows, blank lines not counted
    encoding: str
    delimiter: str
    default_region: str
    bad_rows: dict[int, str]  # row number -> reason it must be rejected
    blank_rows: list[int]
    duplicate_rows: int  # rows that repeat a person seen earlier in this list
    cross_rows: int  # rows that repeat a person of `cross_list`
    cross_list: str

    @property
    def truth_path(self) -> Path:
        return truth_path(self.path)

    @property
    def meta_path(self) -> Path:
        return meta_path(self.path)


def truth_path(path: Path) -> Path:
    return path.with_name(path.stem + ".truth.csv")


def meta_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.json")


def write_meta(generated: GeneratedList, seed: int) -> None:
    data: dict[str, Any] = {k: v for k, v in vars(generated).items() if k != "path"}
    data.update(name=generated.path.name, seed=seed, row_numbering="csv record, header = 1")
    meta_path(generated.path).write_text(json.dumps(data, indent=1), encoding="utf-8")


def load(path: Path) -> GeneratedList:
    """The description of a generated list, read back from its meta file."""
    data = json.loads(meta_path(path).read_text(encoding="utf-8"))
    return GeneratedList(
        path=path,
        rows=data["rows"],
        encoding=data["encoding"],
        delimiter=data["delimiter"],
        default_region=data["default_region"],
        bad_rows={int(k): v for k, v in data["bad_rows"].items()},
        blank_rows=data["blank_rows"],
        duplicate_rows=data["duplicate_rows"],
        cross_rows=data["cross_rows"],
        cross_list=data["cross_list"],
    )


def write_truth(path: Path, pairs: Iterable[TruthPair]) -> int:
    count = 0
    with truth_path(path).open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(("row", "other_list", "other_row"))
        for pair in pairs:
            out.writerow((pair.row, pair.other_list, pair.other_row))
            count += 1
    return count


def write_people_truth(path: Path, entity_rows: dict[int, list[int]], from_other: dict[int, int],
                 other_people: dict[int, list[int]], other_name: str) -> None:  # fmt: skip
    """Every pair of rows of one person; a person from the other list pairs with all its rows."""
    other_row = {entity: row for row, entity in from_other.items()}
    pairs: list[TruthPair] = []
    for entity, rows in entity_rows.items():
        pairs += [TruthPair(b, "", a) for i, b in enumerate(rows) for a in rows[:i]]
        if entity in other_row:
            theirs = other_people.get(other_row[entity], [other_row[entity]])
            pairs += [TruthPair(b, other_name, a) for b in rows for a in sorted(theirs)]
    write_truth(path, sorted(pairs, key=lambda p: (p.row, p.other_list, p.other_row)))


def read_truth(path: Path) -> list[TruthPair]:
    """The true pairs of the list at `path` (pass the list, not the truth file)."""
    with truth_path(path).open(newline="", encoding="utf-8") as f:
        return [
            TruthPair(int(r["row"]), r["other_list"], int(r["other_row"]))
            for r in csv.DictReader(f)
        ]


def clusters(pairs: Iterable[tuple[T, T]]) -> dict[T, list[T]]:
    """Union-find over pairs: item -> every item of its cluster (items in no pair: absent)."""
    parent: dict[T, T] = {}

    def root(x: T) -> T:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    members: dict[T, list[T]] = {}
    for x in list(parent):
        members.setdefault(root(x), []).append(x)
    return {x: members[root(x)] for x in parent}
