"""Generate realistic purchased lists with known duplicates, for tests and benchmarks.

    python -m rainmaker_intake.testing.listgen OUT.csv --rows 100000 --seed 1 \
        [--encoding cp1252] [--delimiter ';'] [--cross-from OTHER.csv --cross-rate 0.2]

writes OUT.csv, OUT.truth.csv (the true duplicate pairs) and OUT.meta.json (see `truth`).
Names, companies and streets come from per-locale Faker pools built once; rows are drawn
from them with one seeded `random.Random`, so the same arguments give the same bytes.
"""

import argparse
import csv
import json
import random
from collections.abc import Mapping
from pathlib import Path

from rainmaker_intake.testing.crosslist import people_of, pick_rows
from rainmaker_intake.testing.people import BAD, CROSS, DUP, NEW, People
from rainmaker_intake.testing.pools import NON_LATIN
from rainmaker_intake.testing.rows import HEADERS, add_formula
from rainmaker_intake.testing.truth import (
    GeneratedList,
    TruthPair,
    load,
    read_truth,
    write_meta,
    write_people_truth,
)

__all__ = [
    "DEFAULT_LOCALES",
    "GeneratedList",
    "TruthPair",
    "generate",
    "load",
    "main",
    "read_truth",
]

DEFAULT_LOCALES = {
    "en_US": 0.35, "en_GB": 0.15, "de_DE": 0.2, "fr_FR": 0.08, "es_ES": 0.05, "nl_NL": 0.05,
    "ja_JP": 0.04, "zh_CN": 0.03, "ru_RU": 0.03, "el_GR": 0.02,
}  # fmt: skip


def generate(
    path: Path,
    rows: int,
    *,
    seed: int = 0,
    encoding: str = "utf-8",
    delimiter: str = ",",
    dup_rate: float = 0.1,
    cross_list_from: Path | None = None,
    cross_rate: float = 0.0,
    bad_rate: float = 0.02,
    locales: Mapping[str, float] | None = None,
    default_region: str = "US",
    formula_rate: float = 0.01,
    blank_rate: float = 0.0,
) -> GeneratedList:
    """Write a list of `rows` data rows to `path`, and its truth and meta files beside it.

    Rates are shares of `rows`: repeats of people earlier in the list (`dup_rate`), of people
    of the list at `cross_list_from` (`cross_rate`), rows to be rejected (`bad_rate`).
    cp1252 lists leave out non-Latin locales. Row numbers are file lines (header = 1).
    """
    rng = random.Random(seed)
    locales = {
        loc: w for loc, w in (locales or DEFAULT_LOCALES).items()
        if encoding != "cp1252" or loc not in NON_LATIN
    }  # fmt: skip
    people = People(rows, rng, locales, encoding, seed, default_region)
    n_cross = round(rows * cross_rate) if cross_list_from else 0
    kinds = [BAD] * round(rows * bad_rate) + [CROSS] * n_cross + [DUP] * round(rows * dup_rate)
    kinds += [NEW] * (rows - len(kinds))
    rng.shuffle(kinds)
    others = pick_rows(cross_list_from, n_cross, rng, encoding) if cross_list_from else iter(())
    entity_rows: dict[int, list[int]] = {}
    bad: dict[int, str] = {}
    blank: list[int] = []
    repeats = {DUP: 0, CROSS: 0, NEW: 0, BAD: 0}
    line = 2
    with path.open("w", newline="", encoding=encoding) as f:
        out = csv.writer(f, delimiter=delimiter)
        out.writerow(HEADERS)
        for kind in kinds:
            if blank_rate and rng.random() < blank_rate:
                out.writerow([])
                blank.append(line)
                line += 1
            cells, entity, reason = people.row(kind, next(others, None) if kind == CROSS else None)
            if reason:
                bad[line] = reason
            elif rng.random() < formula_rate:
                add_formula(cells, rng)
            if entity >= 0:
                seen = entity_rows.setdefault(entity, [])
                repeats[kind] += bool(seen) or kind == CROSS
                seen.append(line)
            out.writerow(cells)
            line += 1 + sum(cell.count("\n") for cell in cells)
    name = cross_list_from.name if cross_list_from else ""
    write_people_truth(
        path,
        entity_rows,
        people.from_other,
        people_of(cross_list_from) if cross_list_from else {},
        name,
    )
    generated = GeneratedList(
        path, rows, encoding, delimiter, default_region, bad, blank,
        duplicate_rows=repeats[DUP], cross_rows=repeats[CROSS], cross_list=name,
    )  # fmt: skip
    write_meta(generated, seed)
    return generated


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m rainmaker_intake.testing.listgen")
    p.add_argument("out", type=Path)
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--encoding", default="utf-8", choices=("utf-8", "utf-8-sig", "cp1252"))
    p.add_argument("--delimiter", default=",", help="one character, or 'tab'")
    p.add_argument("--dup-rate", type=float, default=0.1)
    p.add_argument("--cross-from", type=Path, default=None)
    p.add_argument("--cross-rate", type=float, default=0.0)
    p.add_argument("--bad-rate", type=float, default=0.02)
    p.add_argument("--formula-rate", type=float, default=0.01)
    p.add_argument("--blank-rate", type=float, default=0.0)
    p.add_argument("--default-region", default="US")
    p.add_argument("--locales", default="", help="e.g. en_US=0.6,de_DE=0.4")
    a = p.parse_args(argv)
    locales = {k: float(v) for k, v in (x.split("=") for x in a.locales.split(",") if x)}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    generated = generate(
        a.out, a.rows, seed=a.seed, encoding=a.encoding,
        delimiter="\t" if a.delimiter in ("tab", "\\t") else a.delimiter,
        dup_rate=a.dup_rate, cross_list_from=a.cross_from, cross_rate=a.cross_rate,
        bad_rate=a.bad_rate, locales=locales or None, default_region=a.default_region,
        formula_rate=a.formula_rate, blank_rate=a.blank_rate,
    )  # fmt: skip
    summary = {k: v for k, v in vars(generated).items() if k not in ("bad_rows", "blank_rows")}
    summary.update(path=str(generated.path), bad_rows=len(generated.bad_rows))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
