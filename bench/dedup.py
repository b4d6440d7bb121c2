"""Benchmark: within-file de-duplication with DedupIndex, next to exact-email dedup (a dict).

    .venv/bin/python bench/dedup.py [--sizes 100000,1000000] [--seed 7] [--compare-scorers]

For each size, generates a list (rainmaker_intake.testing.listgen: 10% repeats of people with
typos, nicknames, swapped names, other mailboxes...; 2% bad rows) unless it is already in
--workdir, runs it through the real reader and normaliser in chunks (not timed), and times on
the same contacts, in the same run: `DedupIndex.find_or_add` per contact, and the reference,
exact normalised email in a dict. Reports contacts/s for both and their ratio, the index's
size, and pairwise precision/recall against the generator's truth. --compare-scorers also
measures every name scorer at three thresholds on a 20,000-row list plus a 10,000-row second
list (30% of it people from the first). Writes bench/results/dedup.json.
"""

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "services" / "intake")]

from rainmaker_intake.adapters.reader import open_list  # noqa: E402
from rainmaker_intake.domain.dedup import DedupConfig, DedupIndex  # noqa: E402
from rainmaker_intake.domain.name_scores import NAME_SCORERS  # noqa: E402
from rainmaker_intake.domain.normalise import normalise  # noqa: E402
from rainmaker_intake.testing.dedup_eval import contacts_of, evaluate, score, true_people  # noqa: E402
from rainmaker_intake.testing.listgen import generate  # noqa: E402
from rainmaker_intake.testing.truth import load  # noqa: E402

CHUNK = 20_000


def _list(workdir: Path, name: str, rows: int, seed: int, **kw: Any) -> Path:
    path = workdir / name
    if not path.with_name(path.stem + ".meta.json").exists():
        t = time.perf_counter()
        generate(path, rows, seed=seed, **kw)
        print(f"  generated {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def _index_bytes(index: DedupIndex) -> int:
    """Approximate: the key table, its lists, the hashes, the packed profiles and ids."""
    blocks = index._blocks
    total = sys.getsizeof(blocks) + 32 * len(blocks)
    total += sum(sys.getsizeof(v) for v in blocks.values() if isinstance(v, list))
    total += sum(sys.getsizeof(s) for s in index._packed) + sys.getsizeof(index._packed)
    total += sum(sys.getsizeof(s) for s in index._ids) + sys.getsizeof(index._ids)
    return total + 28 * len(index._packed)  # one int object per slot


def throughput(path: Path) -> dict[str, Any]:
    region = load(path).default_region
    index, emails = DedupIndex(), dict[str, int]()
    assigned: dict[tuple[str, int], str] = {}
    rules: Counter[str] = Counter()
    timed = reference = 0.0
    chunk: list[Any] = []
    rows = iter(open_list(path).rows())
    while True:
        chunk = [c for r in _take(rows, CHUNK) if (c := normalise(r, default_region=region)[0])]
        if not chunk:
            break
        t = time.perf_counter()
        for c in chunk:
            found = index.find_or_add(str(c.row_number), c)
            if found:
                rules[found[1].rule] += 1
            assigned[(path.name, c.row_number)] = found[0] if found else str(c.row_number)
        timed += time.perf_counter() - t
        t = time.perf_counter()
        for c in chunk:
            if c.email:
                emails.setdefault(c.email, c.row_number)
        reference += time.perf_counter() - t
    n = len(assigned)
    scores = score(assigned, true_people([path]), rules)
    return {
        "contacts": n,
        "dedup_contacts_per_s": round(n / timed),
        "reference_exact_email_per_s": round(n / reference),
        "slowdown_vs_reference": round(timed / reference, 1),
        "duplicates_found": sum(rules.values()),
        "decisions_by_rule": dict(rules),
        "precision": round(scores.precision, 5),
        "recall": round(scores.recall, 5),
        "true_pairs": scores.true_pairs,
        "index_keys": len(index._blocks),
        "index_mb": round(_index_bytes(index) / 2**20),
    }


def _take(rows: Any, n: int) -> list[Any]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) == n:
            break
    return out


def compare_scorers(workdir: Path, seed: int) -> list[dict[str, Any]]:
    a = _list(workdir, "scorers_a.csv", 20_000, seed)
    b = _list(workdir, "scorers_b.csv", 10_000, seed + 1, cross_list_from=a, cross_rate=0.3,
              encoding="cp1252", delimiter=";")  # fmt: skip
    lists = [(a, contacts_of(a)), (b, contacts_of(b))]
    out = []
    for scorer in NAME_SCORERS:
        for threshold in (0.8, 0.85, 0.9):
            config = DedupConfig(scorer=scorer, name_threshold=threshold,
                                 phone_name_threshold=threshold)  # fmt: skip
            s = evaluate(lists, config)
            row = {"scorer": scorer, "threshold": threshold, "true_pairs": s.true_pairs,
                   "precision": round(s.precision, 5), "recall": round(s.recall, 5),
                   "predicted_pairs": s.predicted_pairs}  # fmt: skip
            out.append(row)
            print(f"  {scorer:20} {threshold:.2f}  P={s.precision:.4f}  R={s.recall:.4f}")
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "dedup")
    p.add_argument("--compare-scorers", action="store_true")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "dedup.json")
    a = p.parse_args()
    a.workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "benchmark": "dedup",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "config": vars(DedupConfig()),
        "runs": [],
    }
    for size in (int(s) for s in a.sizes.split(",")):
        print(f"== {size:,} rows", flush=True)
        path = _list(a.workdir, f"list_{size}_{a.seed}.csv", size, a.seed)
        run = throughput(path)
        print("  " + json.dumps(run), flush=True)
        result["runs"].append(run)
    if a.compare_scorers:
        print("== name scorers", flush=True)
        result["scorers"] = compare_scorers(a.workdir, a.seed)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
