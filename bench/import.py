"""Benchmark: a generated 1,000,000-row, 12-column list through the real intake system.

    .venv/bin/python bench/import.py [--rows N] [--workers K] [--postgres] [--downstream]
        [--file PATH] [--generator listgen|fast] [--deadline S] [--profile] [--keep]
    .venv/bin/python bench/import.py --summarise var/bench/import_worker_<run>.pyspy.txt

Starts intake as real processes (the commands of tests/e2e/stack.py: migrate, topology
declare, gunicorn web app, K `rainmaker consume intake.imports` workers, the intake relay;
--downstream also starts tagging, pipeline and matching) on a fresh vhost of a private
RabbitMQ node, with SQLite (default) or PostgreSQL (--postgres: a 100,000-row run unless
--rows is given). The list is listgen's (10% repeats, 2% bad rows) cut to 12 columns.
Uploads it through POST /lists and times from the start of the upload to the broker's confirm
of the last `leads.ingested` (the relay stamps `published_at` only after the confirm; the run
ends once the import is done and no outbox row is unpublished). Next to it, in the same run
and on the same file: `pandas.read_csv` (C engine) and the stdlib csv reader. Prints rows/s,
the ratio, each process's peak RSS (VmHWM from /proc) and CPU seconds, and merges the run into
bench/results/import.json under "<database>-<rows>-rows-<K>-workers". A run still going at
--deadline (default 900 s) is stopped and reported as incomplete with its partial rate.
--profile samples the import worker with py-spy (pip install py-spy into the venv), idle time
included, and prints where its wall time goes: read/parse, normalise, dedup, DB writes, events.

Nodes: RAINMAKER_BENCH_RABBIT_{NAME,AMQP_PORT,DIST_PORT,MANAGEMENT_PORT} and
RAINMAKER_BENCH_POSTGRES_{NAME,PORT} (default: the `dev` presets, as `make bench` starts them);
a node this script starts, it stops. Targets (issue 3): 1M rows end to end <= 60 s on the
2-core machine, peak RSS <= 1 GiB per process.
"""

import argparse
import csv
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]  # infra, tests.e2e.stack and bench.read_normalise import from here

from sqlalchemy import func, select  # noqa: E402

from infra.devnodes import PostgresCluster, RabbitNode, var_dir  # noqa: E402
from rainmaker_bus.tables import outbox  # noqa: E402
from rainmaker_db import Database  # noqa: E402
from rainmaker_intake.entrypoints.cli_client import IntakeClient  # noqa: E402
from rainmaker_intake.testing.rows import HEADERS as LISTGEN_HEADERS  # noqa: E402
from rainmaker_web import KeyStore, Role  # noqa: E402
from tests.e2e.stack import BIN, CONSUMER_QUEUES, REPO, SERVICES, Stack, free_port  # noqa: E402
from tests.support import unique_id  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "import.json"
TARGET_S, TARGET_ROWS, TARGET_RSS = 60.0, 1_000_000, 1 << 30
DROPPED = ("Industry", "Notes")  # listgen writes 14 columns; the benchmark list has 12


# -- the list -----------------------------------------------------------------------------------
def make_list(path: Path, rows: int, generator: str) -> None:
    """listgen's realistic list (10% repeats, 2% bad rows) cut to 12 columns, or --generator
    fast: bench/read_normalise.py's unique-row list (no repeats, ~4% bad values)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    took = time.perf_counter()
    if generator == "fast":
        from bench.read_normalise import generate

        generate(path, rows)
    else:
        from rainmaker_intake.testing.listgen import generate as listgen

        full = path.with_suffix(".14col.csv")
        listgen(full, rows, seed=7)
        keep = [i for i, h in enumerate(LISTGEN_HEADERS) if h not in DROPPED]
        with full.open(newline="", encoding="utf-8") as f, path.open("w", newline="") as out:
            writer = csv.writer(out)
            for cells in csv.reader(f):
                writer.writerow([cells[i] for i in keep if i < len(cells)])
        for extra in full.parent.glob(full.stem + "*"):
            extra.unlink()
    print(f"generated {rows:,} rows ({generator}) in {time.perf_counter() - took:.1f} s: {path}")


def reference(path: Path) -> dict[str, Any]:
    import pandas

    out = {}
    for name, run in {
        "pandas_read_csv": lambda: len(pandas.read_csv(path, dtype=str)),
        "stdlib_csv": lambda: count_rows(path),
    }.items():
        took = time.perf_counter()
        rows = run()
        took = time.perf_counter() - took
        out[name] = {"rows": rows, "wall_s": round(took, 3), "rows_per_s": round(rows / took)}
        print(f"{name:>16}: {rows:,} rows in {took:.2f} s = {rows / took:,.0f} rows/s")
    return out


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


# -- profile ------------------------------------------------------------------------------------
# A sample of the import (stacks through run_import; the AMQP thread idles beside it) goes to
# the phase of its OUTERMOST frame named here: ingest() itself is not named, so its parts are
# told apart. Names are matched without their class (py-spy writes `DedupIndex.find`).
PHASES = (
    ("read/parse (reader, csv)", ("_chunks", "rows")),
    ("normalise (email, phone, names, company, web)", ("normalise",)),
    ("event building (wire dicts, envelopes, JSON)",
     ("wire_lead", "lead", "announce", "add_events", "add_event", "make_envelope")),
    ("dedup (index, blocking keys, candidate and suppression look-ups, settling matches)",
     ("find", "add", "find_keyed", "add_keyed", "add_packed", "block_keys", "fetch", "blocked",
      "touched_by_import", "_touched_by", "_count_owned", "_settle")),
    ("DB writes (inserts, fills, progress, commit)",
     ("insert_contacts", "insert_values", "insert_rows", "_write_errors", "advance", "finish",
      "_fill", "execute", "commit", "__exit__")),
    ("ids (new_ids)", ("new_ids",)),
    ("waiting for the helper's next chunk (and unpickling it)", ("prepared_in_helper",)),
)  # fmt: skip
LIBRARY_FRAMES = ("execute", "commit", "__exit__")  # matched outside rainmaker code too


def _frames(stack: str) -> list[tuple[str, str]]:
    """py-spy raw frames `Class.func (path:line)` -> (func, path), root first."""
    out = []
    for frame in stack.split(";"):
        func, _, where = frame.partition(" (")
        out.append((func.strip(), where.rsplit(":", 1)[0]))
    return out


def raw_samples(path: Path) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """(samples, frames root first) for each stack of a py-spy raw profile."""
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield int(count), _frames(stack)


def _phase(frames: list[tuple[str, str]]) -> str:
    # Below run_import only: the bus's frames above it have names of their own (`_settle`).
    below = next((i + 1 for i, (fn, _) in enumerate(frames) if fn == "run_import"), 0)
    for fn, where in frames[below:]:
        name = fn.rsplit(".", 1)[-1]
        for phase, names in PHASES:
            if name in names and ("rainmaker" in where or name in LIBRARY_FRAMES):
                return phase
    return "other (job bookkeeping, bus)"


def summarise_profile(path: Path, top: int = 15) -> dict[str, Any]:
    """Phase shares of the import's wall time, and the functions with the most self and
    inclusive time; shares are of the samples whose stack runs through run_import."""
    phases: dict[str, int] = {}
    self_time: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = every = 0
    for n, frames in raw_samples(path):
        every += n
        if not any(fn == "run_import" for fn, _ in frames):
            continue
        total += n
        phase = _phase(frames)
        phases[phase] = phases.get(phase, 0) + n
        leaf = f"{frames[-1][0]} ({Path(frames[-1][1]).name})"
        self_time[leaf] = self_time.get(leaf, 0) + n
        below = next(i for i, (fn, _) in enumerate(frames) if fn == "run_import") + 1
        for fn, where in set(frames[below:]):  # the frames above run the job: always 100%
            if "rainmaker" in where:
                key = f"{fn} ({Path(where).name})"
                inclusive[key] = inclusive.get(key, 0) + n

    def share(counts: dict[str, int]) -> list[list[Any]]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
        return [[name, round(100 * n / max(total, 1), 1)] for name, n in ranked]

    summary: dict[str, Any] = {
        "samples_import": total, "samples_all_threads": every, "rate_hz": 100,
        "phases_pct": share(phases), "self_pct": share(self_time),
        "inclusive_pct": share(inclusive),
    }  # fmt: skip
    print(f"\nimport worker profile (py-spy, idle included, so shares are of wall time; "
          f"{total:,} samples of the import at 100 Hz):")  # fmt: skip
    for title, key in (("phases", "phases_pct"), ("self time", "self_pct"),
                       ("inclusive (rainmaker, under run_import)", "inclusive_pct")):  # fmt: skip
        print(f"  {title}:")
        for name, pct in summary[key]:
            print(f"    {pct:5.1f}%  {name}")
    return summary


# -- processes ----------------------------------------------------------------------------------
def proc_status(pid: int) -> dict[str, int]:
    """VmHWM (peak RSS) and VmRSS in bytes, CPU seconds x100 (utime+stime ticks)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) * 1024
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out["cpu_ticks"] = int(stat[11]) + int(stat[12])
    except (OSError, ValueError, IndexError):
        pass
    return out


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


class Sampler(threading.Thread):
    """Polls /proc for every watched process (and gunicorn's workers): peak RSS (VmHWM, since
    the process started: for a broker that outlives runs, since ITS start) and the CPU seconds
    spent during the run. The last reading of a process that exits is kept."""

    def __init__(self, pids: dict[str, int], interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pids, self.interval = dict(pids), interval
        for name, pid in pids.items():  # gunicorn's workers, forked before the run starts
            if name.endswith("-web"):
                for i, child in enumerate(sorted(children(pid))):
                    self.pids[f"{name}-worker{i + 1}"] = child
        self.seen: dict[str, dict[str, int]] = {}
        self.first_ticks: dict[str, int] = {}
        self.halt = threading.Event()
        self.sample()

    def sample(self) -> None:
        # Children that appear during the run: an import worker's read/normalise helper.
        for name, pid in list(self.pids.items()):
            if "imports" in name:
                for child in children(pid):
                    if child not in self.pids.values():
                        self.pids[f"{name}-helper{child}"] = child
        for name, pid in self.pids.items():
            status = proc_status(pid)
            if status:
                # An exiting process (a zombie) has lost its memory lines: keep the peak seen.
                peak = max(status.get("VmHWM", 0), self.seen.get(name, {}).get("VmHWM", 0))
                self.seen[name] = {**status, "VmHWM": peak}
                self.first_ticks.setdefault(name, status.get("cpu_ticks", 0))

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            self.sample()

    def stop(self) -> dict[str, dict[str, float]]:
        self.halt.set()
        self.join()
        self.sample()
        tick = os.sysconf("SC_CLK_TCK")
        return {
            name: {
                "peak_rss_mib": round(s.get("VmHWM", 0) / 2**20, 1),
                "cpu_s": round((s.get("cpu_ticks", 0) - self.first_ticks.get(name, 0)) / tick, 2),
            }
            for name, s in sorted(self.seen.items())
        }


class ImportStack(Stack):
    """Intake only (web, K import workers, intake.events consumer, relay), or everything."""

    workers: int = 1
    downstream: bool = False

    def start(self) -> None:
        self.run_cli("migrate")
        self.run_cli("topology", "declare")
        for svc in SERVICES if self.downstream else ("intake",):
            self.ports[svc] = free_port()
            gunicorn = [str(BIN / "gunicorn"), "-c", str(REPO / "infra/gunicorn.conf.py"),
                        "--bind", f"127.0.0.1:{self.ports[svc]}", "--workers", "2",
                        f"rainmaker_{svc}.entrypoints.http:create_app()"]  # fmt: skip
            self._spawn(f"{svc}-web", gunicorn)
            for queue in CONSUMER_QUEUES[svc]:
                copies = self.workers if queue == "intake.imports" else 1
                for i in range(copies):
                    suffix = f"-{i + 1}" if copies > 1 else ""
                    self._spawn(f"{queue}{suffix}", [str(BIN / "rainmaker"), "consume", queue])
            self._spawn(f"{svc}-relay", [str(BIN / "rainmaker"), "relay", svc])
        for svc in self.ports:
            self.wait_http(f"{self.url(svc)}/readyz")


# -- the run ------------------------------------------------------------------------------------
def unpublished(db: Database) -> int:
    """Outbox rows the relay has not had confirmed yet (a partial index answers this)."""
    with db.reader() as session:
        pending = session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    return int(pending or 0)


def last_confirmed(db: Database) -> datetime | None:
    """When the broker confirmed the last `leads.ingested` (a full scan: asked once)."""
    with db.reader() as session:
        last: datetime | None = session.scalar(
            select(func.max(outbox.c.published_at)).where(outbox.c.event_type == "leads.ingested")
        )
    return last


def ingested_leads(db: Database) -> tuple[int, int]:
    """(messages, leads) of `leads.ingested` in the outbox, all published."""
    messages = leads = 0
    with db.reader() as session:
        bodies = session.execute(
            select(outbox.c.body)
            .where(outbox.c.event_type == "leads.ingested")
            .execution_options(yield_per=50)
        )
        for (body,) in bodies:
            messages += 1
            leads += len(json.loads(body)["data"]["leads"])
    return messages, leads


def utc(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


COUNTS = ("rows_total", "rows_done", "accepted", "duplicates_in_file", "duplicates_existing",
          "suppressed", "rejected")  # fmt: skip


def run_import(stack: ImportStack, key: str, path: Path, db: Database, rows: int,
               profile_to: Path | None, deadline_s: float | None) -> dict[str, Any]:  # fmt: skip
    client = IntakeClient(stack.url("intake"), key)
    spy = None
    if profile_to is not None:
        worker = stack.procs[next(n for n in stack.procs if n.startswith("intake.imports"))].pid
        spy = subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--pid", str(worker), "--rate", "100", "--format",
             "raw", "--output", str(profile_to), "--nonblocking", "--idle"],
            stdout=(stack.log_dir / "py-spy.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
    fields = {"name": f"bench {unique_id('list')}", "vendor": "bench", "cost": "1200.00",
              "currency": "EUR", "tags": "industry/software", "default_region": "US"}  # fmt: skip
    wall0, t0 = datetime.now(UTC), time.perf_counter()
    accepted = client.upload("/lists", fields, path)
    uploaded = time.perf_counter() - t0
    print(f"uploaded in {uploaded:.1f} s: import {accepted['import_id']}")
    shown, timeline, complete = -5.0, [], True
    while True:
        stack.check_alive()
        job = client.json("GET", f"/imports/{accepted['import_id']}")
        pending = unpublished(db)
        now = time.perf_counter() - t0
        if job["status"] == "failed":
            raise RuntimeError(f"import failed: {job['error']}\n{stack.logs()}")
        if job["status"] == "done" and pending == 0:
            break
        if now - shown >= 5:
            shown = now
            timeline.append([round(now, 1), job["rows_done"], pending])
            print(f"  {now:6.1f} s {job['status']:>7} {job['rows_done']:>9,}/{job['rows_total']:,}"
                  f" rows, {pending:,} outbox rows unpublished", flush=True)  # fmt: skip
        if deadline_s and now > deadline_s:
            complete = False
            break
        time.sleep(0.5)
    detected = time.perf_counter() - t0
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C, not on SIGTERM
        spy.wait(120)
    base = {"import_id": accepted["import_id"], "complete": complete,
            "counts": {k: job[k] for k in COUNTS},
            "timeline_s_rows_unpublished": timeline}  # fmt: skip
    if not complete:
        done = job["rows_done"]
        return {**base, "stopped_after_s": round(detected, 1),
                "rows_per_s": round(done / detected),
                "phases_s": {"upload": round(uploaded, 3)}}  # fmt: skip
    started, finished = utc(job["started_at"]), utc(job["finished_at"])
    confirmed = utc(last_confirmed(db))
    assert started and finished and confirmed
    end_to_end = (confirmed - wall0).total_seconds()
    messages, leads = ingested_leads(db)
    outcomes = sum(job[k] for k in COUNTS[2:])
    return {
        **base,
        "end_to_end_s": round(end_to_end, 3),
        "rows_per_s": round(rows / end_to_end),
        "phases_s": {
            "upload": round(uploaded, 3),
            "queued": round((started - wall0).total_seconds() - uploaded, 3),
            "import": round((finished - started).total_seconds(), 3),
            "relay_tail": round((confirmed - finished).total_seconds(), 3),
            "detected_by_polling": round(detected, 3),
        },
        "quality": job["quality"],
        "leads_ingested_messages": messages,
        "leads_ingested_leads": leads,
        "checks": {
            "every_row_has_one_outcome": outcomes == job["rows_done"] == rows,
            "one_lead_per_accepted_row": leads == job["accepted"],
            "at_most_1000_leads_a_message": messages >= math.ceil(leads / 1000),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, help="default 1,000,000 (100,000 with --postgres)")
    parser.add_argument("--workers", type=int, default=1, help="intake.imports consumers")
    parser.add_argument("--postgres", action="store_true", help="intake on PostgreSQL")
    parser.add_argument(
        "--downstream",
        action="store_true",
        help="also run tagging, pipeline and matching (they share the 2 cores)",
    )
    parser.add_argument("--file", type=Path, help="a list to use instead of generating one")
    parser.add_argument("--generator", choices=("listgen", "fast"), default="listgen")
    parser.add_argument("--profile", action="store_true", help="py-spy the import worker")
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs, DB)")
    parser.add_argument("--deadline", type=float, default=900,
                        help="stop after this many seconds and report the partial rate "
                             "(default 900 = 15 x the target; 0: no deadline)")  # fmt: skip
    parser.add_argument("--summarise", type=Path, metavar="RAW",
                        help="only summarise a saved py-spy raw profile of the worker")  # fmt: skip
    args = parser.parse_args()
    if args.summarise:
        summarise_profile(args.summarise)
        return
    rows = args.rows or (100_000 if args.postgres else 1_000_000)
    path = args.file or var_dir() / "bench" / f"import_{args.generator}_{rows}.csv"
    if args.file is None and not path.exists():
        make_list(path, rows, args.generator)
    if args.file is not None:
        rows = count_rows(path)
    print(f"list: {path} ({path.stat().st_size / 2**20:.0f} MiB, {rows:,} rows)")
    ref = reference(path)

    run_dir = var_dir() / "bench" / unique_id("import")
    (run_dir / "logs").mkdir(parents=True)
    rabbit = RabbitNode.from_env("RAINMAKER_BENCH_RABBIT", default="dev")
    started_rabbit = not rabbit.is_running()
    rabbit.start()
    vhost = unique_id("bench")
    amqp_url = rabbit.add_vhost(vhost)
    pg = (
        PostgresCluster.from_env("RAINMAKER_BENCH_POSTGRES", default="dev")
        if args.postgres
        else None
    )
    started_pg = pg is not None and not pg.is_running()
    databases: list[str] = []
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(AMQP_URL=amqp_url, RAINMAKER_VAR_DIR=str(run_dir), PYTHONUNBUFFERED="1",
               RAINMAKER_AUTH_DATABASE_URL=f"sqlite:///{run_dir / 'auth.db'}",
               INTAKE_MAX_ROWS=str(max(rows, 1_000_000)),
               INTAKE_MAX_UPLOAD_BYTES=str(max(path.stat().st_size * 2, 512 << 20)))  # fmt: skip
    for svc in SERVICES:
        if pg is not None:
            pg.start()
            databases.append(unique_id(f"bench_{svc}"))
            env[f"{svc.upper()}_DATABASE_URL"] = pg.create_database(databases[-1])
        else:
            env[f"{svc.upper()}_DATABASE_URL"] = f"sqlite:///{run_dir / svc}.db"
    stack = ImportStack(env=env, log_dir=run_dir / "logs")
    stack.workers, stack.downstream = args.workers, args.downstream
    db = Database(env["INTAKE_DATABASE_URL"])
    profile_to = run_dir / "worker.pyspy.txt" if args.profile else None
    try:
        stack.start()
        key = KeyStore(env["RAINMAKER_AUTH_DATABASE_URL"]).create(Role.MARKETING, label="bench")
        pids = {name: p.pid for name, p in stack.procs.items()}
        if rabbit.pid:
            pids["rabbitmq"] = rabbit.pid
        sampler = Sampler(pids)
        sampler.start()
        load0 = os.getloadavg()
        result = run_import(stack, key, path, db, rows, profile_to, args.deadline)
        processes = sampler.stop()
        load1 = os.getloadavg()
    finally:
        db.dispose()
        stack.stop()
        rabbit.delete_vhost(vhost)
        if started_rabbit:
            rabbit.stop()
        for name in databases:
            assert pg is not None
            pg.drop_database(name)
        if started_pg and pg is not None:
            pg.stop()
    report(args, rows, path, ref, result, processes, (load0, load1), profile_to, run_dir)
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)


def report(args: argparse.Namespace, rows: int, path: Path, ref: dict[str, Any],
           result: dict[str, Any], processes: dict[str, dict[str, float]],
           load: tuple[Any, Any], profile_to: Path | None, run_dir: Path) -> None:  # fmt: skip
    pandas_rate = ref["pandas_read_csv"]["rows_per_s"]
    ratio = result["rows_per_s"] / pandas_rate
    watched = {n: p for n, p in processes.items() if n.startswith(("intake.imports", "intake-"))}
    peak = max(p["peak_rss_mib"] for p in watched.values())
    if result["complete"]:
        # Linear: a lower bound when the rate falls as the database grows.
        projected = result["end_to_end_s"] * TARGET_ROWS / rows
        print(f"\nend to end (upload -> last leads.ingested confirmed): "
              f"{result['end_to_end_s']:.1f} s = {result['rows_per_s']:,} rows/s; "
              f"pandas.read_csv {pandas_rate:,} rows/s; ratio {ratio:.4f}")  # fmt: skip
        print(f"checks: {result['checks']}")
    else:
        done = result["counts"]["rows_done"]
        projected = result["stopped_after_s"] * TARGET_ROWS / max(done, 1)
        print(f"\nNOT COMPLETE: stopped at the --deadline after {result['stopped_after_s']:.0f} s "
              f"with {done:,}/{rows:,} rows imported = {result['rows_per_s']:,} rows/s; "
              f"pandas.read_csv {pandas_rate:,} rows/s; ratio {ratio:.4f}")  # fmt: skip
    print("phases (s): " + ", ".join(f"{k} {v}" for k, v in result["phases_s"].items()))
    print("counts: " + ", ".join(f"{k} {v:,}" for k, v in result["counts"].items()))
    for name, proc in processes.items():
        print(f"  {name:<28} peak RSS {proc['peak_rss_mib']:>8.1f} MiB"
              f"  CPU in run {proc['cpu_s']:>8.1f} s")  # fmt: skip
    time_met = result["complete"] and projected <= TARGET_S
    rss_met = peak * 2**20 <= TARGET_RSS
    print(f"target 1M rows <= {TARGET_S:.0f} s: {'met' if time_met else 'NOT met'}"
          f" (>= {projected:.0f} s for 1M at this rate);"
          f" peak RSS <= 1 GiB per intake process: {'met' if rss_met else 'NOT met'}"
          f" ({peak:.0f} MiB)")  # fmt: skip
    database = "postgresql" if args.postgres else "sqlite"
    key = f"{database}-{rows}-rows-{args.workers}-workers" + ("-downstream" * args.downstream)
    profile = None
    if profile_to is not None and profile_to.exists():
        profile = summarise_profile(profile_to)
        raw = var_dir() / "bench" / f"import_worker_{key}.pyspy.txt"  # MBs: kept out of git
        shutil.copyfile(profile_to, raw)
        profile["raw_stacks"] = str(raw)
    run = {
        "benchmark": "import", "rows": rows, "columns": 12, "file": str(path),
        "file_mib": round(path.stat().st_size / 2**20, 1), "generator": args.generator,
        "database": database, "workers": args.workers,
        "downstream_services": args.downstream, "reference": ref, **result,
        "ratio_vs_pandas_read_csv": round(ratio, 4), "processes": processes,
        "targets": {"end_to_end_s_for_1m": TARGET_S, "peak_rss_bytes": TARGET_RSS,
                    "projected_1m_s_lower_bound": round(projected, 1),
                    "time_met": time_met, "rss_met": rss_met},
        "profile": profile, "load_average_before_after": [list(load[0]), list(load[1])],
        **run_facts(),
    }  # fmt: skip
    save_run(RESULTS, key, run)
    print(f"wrote {RESULTS} [{key}]" + (f" (run dir kept: {run_dir})" if args.keep else ""))


def run_facts() -> dict[str, Any]:
    """Where and how a benchmark ran, for its JSON result."""
    return {
        "python": sys.version.split()[0], "machine": platform.machine(),
        "cpus": os.cpu_count(), "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
    }  # fmt: skip


def save_run(results: Path, key: str, run: dict[str, Any]) -> None:
    """Merge `run` into the JSON results file under `key`, as the latest run."""
    saved = json.loads(results.read_text()) if results.exists() else {}
    saved.setdefault("runs", {})[key] = run
    saved["latest"] = key
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(saved, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
