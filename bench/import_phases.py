"""Where an import's time goes, chunk by chunk: the service layer alone, in this process.

    .venv/bin/python bench/import_phases.py [FILE] [--rows 100000] [--rows-per-chunk N]
        [--inline] [--every 10] [--background-checkpoints] [--keep]

Imports FILE (default: bench/import.py's generated list of --rows rows, made if missing)
into a fresh SQLite file with
`run_import`, as the worker does (with its helper process unless --inline), and times each
phase of `ingest` by wrapping its functions: suppression check, candidate fetch, settling
matches, inserts, events; "commit" is a chunk's time outside `ingest` (its errors, progress
and the commit itself). Prints the phases of every --every-th chunk, so growth with the table
shows, and the totals. No broker, no web app: bench/import.py is the end-to-end figure; this
is the breakdown behind it. Not a test and no target of its own.
"""

import argparse
import functools
import importlib
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]  # tests.support and bench/ import from the repo root

from rainmaker_db import var_dir  # noqa: E402
from rainmaker_intake.adapters import contact_store  # noqa: E402
from rainmaker_intake.service_layer import importer, ingest  # noqa: E402
from rainmaker_intake.service_layer.prepare import CHUNK_ROWS  # noqa: E402
from tests.support.imports import import_directly  # noqa: E402

spent: defaultdict[str, float] = defaultdict(float)  # seconds by phase
# Phases timed inside another wrapped phase: shown, but not taken from the matching loop twice.
NESTED = frozenset({"insert_keys"})


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return wrapper


def patch(owner: Any, name: str, label: str) -> None:
    setattr(owner, name, timed(label, getattr(owner, name)))


def instrument(every: int) -> None:
    patch(ingest, "blocked", "suppression")
    patch(contact_store.DbCandidates, "fetch", "fetch")
    patch(ingest, "_settle", "settle")
    patch(contact_store, "insert_contacts", "insert_contacts")
    patch(contact_store, "insert_keys", "insert_keys")  # inside insert_contacts
    patch(ingest, "insert_rows", "insert_touches_decisions")
    patch(ingest, "insert_values", "insert_touches_decisions")
    patch(ingest, "announce", "events")
    patch(importer, "ingest", "ingest")
    store_chunk = importer._store_chunk
    chunks = [0]

    def chunk(*args: Any, **kwargs: Any) -> None:
        before = dict(spent)
        start = time.perf_counter()
        store_chunk(*args, **kwargs)
        spent["chunk"] += time.perf_counter() - start
        chunks[0] += 1
        if chunks[0] % every == 0:
            mine = {k: spent[k] - before.get(k, 0.0) for k in spent}
            print(f"chunk {chunks[0]:4d}: " + _line(mine), flush=True)

    setattr(importer, "_store_chunk", chunk)  # noqa: B010 (mypy: a function replaced)


def _line(phases: dict[str, float]) -> str:
    total, inside = phases.get("chunk", 0.0), phases.get("ingest", 0.0)
    shown = {k: v for k, v in phases.items() if k not in ("chunk", "ingest")}
    # What ingest spends outside the wrapped calls: folding, matching, building rows.
    shown["matching loop"] = inside - sum(v for k, v in shown.items() if k not in NESTED)
    shown["commit"] = total - inside
    return f"{total:.2f} s = " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(shown.items()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, nargs="?")
    ap.add_argument("--rows", type=int, default=100_000, help="without FILE: the list's size")
    ap.add_argument("--rows-per-chunk", type=int, default=CHUNK_ROWS)  # as the worker
    ap.add_argument("--inline", action="store_true", help="no helper process")
    ap.add_argument("--every", type=int, default=10, help="print every N-th chunk")
    ap.add_argument("--background-checkpoints", action="store_true",
                    help="WAL checkpoints on a thread, as the import worker runs them")  # fmt: skip
    ap.add_argument("--keep", action="store_true", help="keep the database (path printed)")
    args = ap.parse_args()
    path = args.file or var_dir() / "bench" / f"import_listgen_{args.rows}.csv"
    if not path.exists():  # bench/import.py's list ("import" is a keyword: by name)
        importlib.import_module("bench.import").make_list(path, args.rows, "listgen")
    instrument(args.every)
    work = Path(tempfile.mkdtemp(prefix="import-phases-"))
    start = time.perf_counter()
    try:
        import_directly(
            path,
            work,
            helper_min_bytes=1 << 62 if args.inline else 0,
            chunk_rows=args.rows_per_chunk,
            background_checkpoints=args.background_checkpoints,
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work)
    print(f"import took {time.perf_counter() - start:.1f} s; totals: " + _line(dict(spent)))
    return 0


if __name__ == "__main__":  # guarded: the helper process is spawned and imports this module
    sys.exit(main())
