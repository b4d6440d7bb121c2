"""Read a generated list back: its records by line, and people to repeat in another list."""

import csv
import random
from collections.abc import Iterator
from pathlib import Path

from rainmaker_intake.testing.truth import clusters, load, read_truth


def records(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells), header included: quoted newlines count as lines."""
    with path.open(newline="", encoding=encoding) as f:
        reader = csv.reader(f, delimiter=delimiter)
        end = 0
        for cells in reader:
            yield end + 1, cells
            end = reader.line_num


def writable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def pick_rows(
    other: Path, count: int, rng: random.Random, encoding: str
) -> Iterator[tuple[int, list[str]]]:
    """`count` good rows of another generated list (with replacement), in random order,
    leaving out rows the target `encoding` cannot write."""
    meta = load(other)
    skip = set(meta.bad_rows)
    valid = [
        line
        for line, cells in records(other, meta.encoding, meta.delimiter)
        if line > 1 and any(cells) and line not in skip
    ]
    chosen = rng.choices(valid, k=count) if valid else []
    wanted = set(chosen)
    rows = {
        line: cells
        for line, cells in records(other, meta.encoding, meta.delimiter)
        if line in wanted and writable("".join(cells), encoding)
    }
    return ((line, rows[line]) for line in chosen if line in rows)


def people_of(other: Path) -> dict[int, list[int]]:
    """Row of the other list -> all its rows that are the same person (rows in no pair: absent)."""
    return clusters((p.row, p.other_row) for p in read_truth(other) if not p.other_list)
