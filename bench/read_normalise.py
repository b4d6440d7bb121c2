"""Benchmark: read + normalise a 1,000,000-row, 12-column list on one core.

    .venv/bin/python bench/read_normalise.py [--rows N] [--file PATH] [--repeat N] [--profile]

Generates the list unless --file is given: Faker pools with a fixed seed, recombined per row;
every email and phone number is unique, so no cache in the normaliser can shortcut them; phone
numbers are Faker's that phonenumbers finds valid, ~3% cut short and ~1% of emails broken on
purpose. Then times, in the same run and on the same file: the stdlib csv reader, pandas.read_csv
(C engine), pyarrow.csv, `open_list(...).rows()` alone, and `open_list(...).rows()` +
`normalise(...)`. Prints rows/s and ratios; writes bench/results/read_normalise.json.
The intake target (1M rows end to end in <= 60 s on 2 cores) needs read+normalise well over
~40,000 rows/s on one core.
"""

import argparse
import cProfile
import csv
import json
import platform
import pstats
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["First Name", "Last Name", "E-mail Address", "Phone", "Company Name", "Job Title",
           "Website", "Street Address", "City", "Zip", "Country", "No. of Employees"]  # fmt: skip
LOCALES = {"en_US": ("US", 0.4), "en_GB": ("GB", 0.2), "de_DE": ("DE", 0.25), "fr_FR": ("FR", 0.15)}
COUNTRY_FORMS = {"US": ["United States", "USA", "US"], "GB": ["United Kingdom", "UK", "GB"],
                 "DE": ["Germany", "Deutschland", "DE"], "FR": ["France", "FR"]}  # fmt: skip
TLDS = {"US": ".com", "GB": ".co.uk", "DE": ".de", "FR": ".fr"}
FREE = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "gmx.de", "web.de", "orange.fr"]
SIZES = ["1-10", "11-50", "51-200", "201-500", "1,200", "350", "5000+", "12"]


def _pools(seed: int, size: int = 2000) -> dict[str, dict[str, list[str]]]:
    from faker import Faker

    pools = {}
    for locale, (country, _) in LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        pools[country] = {
            "first": [fake.first_name() for _ in range(size)],
            "last": [fake.last_name() for _ in range(size)],
            "company": [fake.company() for _ in range(size)],
            "job": [fake.job() for _ in range(size // 4)],
            "street": [fake.street_address() for _ in range(size)],
            "city": [fake.city() for _ in range(size // 2)],
            "postcode": [fake.postcode() for _ in range(size)],
            "phone": [p for p in (fake.phone_number() for _ in range(size)) if _valid(p, country)],
        }
    return pools


def _valid(phone: str, region: str) -> bool:
    """Faker makes up many impossible numbers; purchased lists mostly hold real ones."""
    import phonenumbers

    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, region))
    except phonenumbers.NumberParseException:
        return False


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())[:20] or "mail"


def generate(path: Path, rows: int, seed: int = 42) -> None:
    pools, rnd = _pools(seed), random.Random(seed)
    countries = [c for c, _ in LOCALES.values()]
    weights = [w for _, w in LOCALES.values()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for i in range(rows):
            country = rnd.choices(countries, weights)[0]
            pool = pools[country]
            first, last, company = (rnd.choice(pool[k]) for k in ("first", "last", "company"))
            domain = _slug(company) + TLDS[country]
            mailhost = rnd.choice(FREE) if rnd.random() < 0.3 else domain
            email = f"{_slug(first)}.{_slug(last)}{i}@{mailhost}"
            phone = rnd.choice(pool["phone"])
            phone = phone[:-4] + f"{i % 10000:04d}" if phone[-4:].isdigit() else phone
            website = rnd.choice(["https://www.", "www.", "http://", ""]) + domain
            if i % 37 == 0:  # ~3% bad phones, ~1% bad emails: the error path is timed too
                phone = phone[:5]
            if i % 101 == 0:
                email = email.replace("@", " at ")
            out.writerow([first, last, email.upper() if i % 50 == 0 else email, phone, company,
                          rnd.choice(pool["job"]), website, rnd.choice(pool["street"]),
                          rnd.choice(pool["city"]), rnd.choice(pool["postcode"]),
                          rnd.choice(COUNTRY_FORMS[country]), rnd.choice(SIZES)])  # fmt: skip


def _timed(run: Callable[[], int]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, rows): CPU time survives a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()
    return time.perf_counter() - wall, time.process_time() - cpu, count


def _stdlib(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _pandas(path: Path) -> int:
    import pandas

    return len(pandas.read_csv(path, dtype=str))


def _pyarrow(path: Path) -> int:
    from pyarrow import csv as arrow_csv

    options = arrow_csv.ParseOptions(newlines_in_values=True)  # Faker streets have newlines
    return int(arrow_csv.read_csv(path, parse_options=options).num_rows)


def _ours(path: Path, normalise_rows: bool) -> int:
    from rainmaker_intake.adapters.reader import open_list
    from rainmaker_intake.domain.normalise import normalise

    count = 0
    for raw in open_list(path).rows():
        if normalise_rows:
            normalise(raw, default_region="US")
        count += 1
    return count


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in __import__("os").getloadavg()]
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--profile", action="store_true", help="cProfile the read+normalise run")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs (a busy machine)")
    args = parser.parse_args()
    path = args.file or ROOT / "var" / "bench" / f"read_normalise_{args.rows}.csv"
    if args.file is None and not path.exists():
        took = time.perf_counter()
        generate(path, args.rows)
        took = time.perf_counter() - took
        print(f"generated {args.rows:,} rows in {took:.1f} s: {path}")
    runs = {
        "stdlib_csv": lambda: _stdlib(path),
        "pandas_read_csv": lambda: _pandas(path),
        "pyarrow_csv": lambda: _pyarrow(path),
        "read_only": lambda: _ours(path, False),
        "read_normalise": lambda: _ours(path, True),
    }
    results = {}
    for name, run in runs.items():
        wall, cpu, rows = min(_timed(run) for _ in range(args.repeat))
        results[name] = {
            "rows": rows, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "rows_per_s": round(rows / wall), "rows_per_cpu_s": round(rows / cpu),
        }  # fmt: skip
        print(f"{name:>16}: {rows:>9,} rows in {wall:6.2f} s wall = {rows / wall:>9,.0f} rows/s"
              f" | {cpu:6.2f} s CPU = {rows / cpu:>9,.0f} rows/CPU-s")  # fmt: skip
    ours = results["read_normalise"]
    ratios = {f"read_normalise_vs_{k}": round(ours["rows_per_s"] / v["rows_per_s"], 3)
              for k, v in results.items() if k != "read_normalise"}  # fmt: skip
    for name, ratio in ratios.items():
        print(f"{name}: {ratio} (wall-clock rows/s ratio)")
    target = 40_000
    met = ours["rows_per_s"] > target
    print(f"read+normalise {ours['rows_per_s']:,} rows/s wall, "
          f"{ours['rows_per_cpu_s']:,} rows/CPU-s on one core; "
          f"target > {target:,} rows/s: {'met' if met else 'NOT met'}")  # fmt: skip
    report = {"benchmark": "read_normalise", "file": str(path), "repeat": args.repeat,
              "python": sys.version.split()[0],
              "machine": platform.machine(), "results": results, "ratios": ratios,
              "target_rows_per_s_one_core": target, "target_met": met,
              "load_average": _load()}  # fmt: skip
    out = ROOT / "bench" / "results" / "read_normalise.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(_ours, path, True)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
