"""Benchmark: after a big list import, how long until tagging, pipeline and matching caught up.

    .venv/bin/python bench/downstream.py [--rows N] [--file PATH] [--deadline S] [--hold]
        [--profile QUEUE] [--profile-rate HZ] [--keep]
    .venv/bin/python bench/downstream.py --summarise RAW.pyspy.txt

Starts the whole system as real processes, as `make run` does (bench/import.py's ImportStack
with --downstream: migrate, topology declare, per service the gunicorn web app, its
`rainmaker consume <queue>` consumers and its `rainmaker relay <service>`), with SQLite
databases under a fresh run directory and a fresh vhost of a private RabbitMQ node (default:
`downstream`, AMQP 5851, dist 25851, no management listener; its state under
$RAINMAKER_VAR_DIR/rabbitmq/). Uploads listgen's list (bench/import.py's: 10% repeats, 2% bad
rows, 12 columns; default 100,000 rows) through POST /lists and follows every consumer:

  intake (the reference)  upload -> the broker's confirm of the last `leads.ingested`
                          (bench/import.py's figure, measured in this same run)
  tagging.events          upload -> the last message routed to it is in its inbox (the inbox
                          row commits with the effect) and its `leads` table holds every
                          accepted lead
  pipeline.events,        the same, once tagging has caught up and its relay has had every
  matching.events         `leads.tagged` confirmed; their lead tables (`leads`, `prospects`)
                          must hold every accepted lead with its tags (`tags_at` set)

"Routed to it" counts the rows of every service's outbox whose event type the queue binds
(topology.py), so leads.touched, list.imported and leads.tagged messages all count. A
consumer's time is its last inbox row's `processed_at` (written just before the commit that
ends the batch) minus the start of the upload. Per consumer: leads/s (accepted leads / that
time), the lag behind intake, its busy window (first to last inbox row), and the ratio of its
leads/s to intake's accepted leads/s in the same run (1.0 = keeps pace with the import).
Every process's CPU seconds and peak RSS (VmHWM) come from /proc (bench/import.py's Sampler).
At the end: every queue's depth (dead-letter and retry queues included, via rabbitmqctl) and
the ERROR/Traceback lines of the processes' logs.

--hold starts the three downstream consumers only once intake is done, so each drains a
backlog with intake idle: its busy window (first to last inbox row) is then its own drain rate
(the three still share the machine), reported as leads_per_s_drain from their start.
--profile QUEUE samples that consumer with py-spy (CPU samples, idle threads left out) from the
upload until it has caught up, and prints its top self-time and inclusive functions; the run is
stored under its own key, since the sampling takes CPU from the processes measured.
Merges the run into bench/results/downstream.json under
"sqlite-<rows>-rows[-hold][-profile-<queue>]".

Node: RAINMAKER_DOWNSTREAM_RABBIT_{NAME,AMQP_PORT,DIST_PORT,MANAGEMENT_PORT} override the
defaults; a node this script starts, it stops.
"""

import argparse
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]  # infra, tests.e2e.stack and bench.import import from here

import pika  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.sql import ColumnElement  # noqa: E402

from infra.devnodes import RabbitNode, var_dir  # noqa: E402
from rainmaker_bus.tables import inbox, outbox  # noqa: E402
from rainmaker_contracts.topology import QUEUES_BY_NAME  # noqa: E402
from rainmaker_db import Database  # noqa: E402
from rainmaker_intake.entrypoints.cli_client import IntakeClient  # noqa: E402
from rainmaker_matching.adapters.tables import prospects  # noqa: E402
from rainmaker_pipeline.adapters.tables import leads as pipeline_leads  # noqa: E402
from rainmaker_tagging.adapters.tables import leads as tagging_leads  # noqa: E402
from rainmaker_web import KeyStore, Role  # noqa: E402
from tests.e2e.stack import BIN, SERVICES  # noqa: E402
from tests.support import unique_id  # noqa: E402

bench_import: Any = importlib.import_module("bench.import")  # `import` is a keyword

RESULTS = ROOT / "bench" / "results" / "downstream.json"
DOWNSTREAM = ("tagging.events", "pipeline.events", "matching.events")
# What each consumer must have caught up with first (its producers of the import's events).
UPSTREAM = {
    "tagging.events": (),
    "pipeline.events": ("tagging.events",),
    "matching.events": ("tagging.events",),
}
NODE_DEFAULTS = {"NAME": "downstream", "AMQP_PORT": "5851", "DIST_PORT": "25851",
                 "MANAGEMENT_PORT": "0"}  # fmt: skip
LOG_TROUBLE = re.compile(r"\b(ERROR|CRITICAL|Traceback|dead.?letter(ed)?)\b", re.IGNORECASE)


# -- the node -----------------------------------------------------------------------------------
def rabbit_node() -> RabbitNode:
    prefix = "RAINMAKER_DOWNSTREAM_RABBIT"
    conf = {k: os.environ.get(f"{prefix}_{k}", v) for k, v in NODE_DEFAULTS.items()}
    return RabbitNode(conf["NAME"], int(conf["AMQP_PORT"]), int(conf["DIST_PORT"]),
                      management_port=int(conf["MANAGEMENT_PORT"]) or None)  # fmt: skip


class QueueDepths:
    """Ready messages per queue (a passive declare on one open connection)."""

    def __init__(self, url: str) -> None:
        self.conn = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.conn.channel()

    def ready(self, queue: str) -> int:
        return int(self.channel.queue_declare(queue, passive=True).method.message_count)

    def consumers(self, queue: str) -> int:
        return int(self.channel.queue_declare(queue, passive=True).method.consumer_count)

    def close(self) -> None:
        if self.conn.is_open:
            self.conn.close()


def all_queues(rabbit: RabbitNode, vhost: str) -> dict[str, dict[str, int]]:
    """Every queue of the vhost (retry and dead-letter queues too): ready, unacked, consumers."""
    out = rabbit.ctl("list_queues", "-p", vhost, "--quiet", "--no-table-headers",
                     "name", "messages_ready", "messages_unacknowledged", "consumers")  # fmt: skip
    queues = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) == 4 and all(c.isdigit() for c in cells[1:]):
            ready, unacked, consumers = (int(c) for c in cells[1:])
            queues[cells[0]] = {"ready": ready, "unacked": unacked, "consumers": consumers}
    return dict(sorted(queues.items()))


def raw_consume(url: str, bodies: list[bytes]) -> dict[str, Any]:
    """bench/bus.py's raw_consume on this run's own `leads.ingested` messages: publish them
    (confirmed) to a scratch queue, then basic_consume with prefetch 200 and one ack each."""
    conn = pika.BlockingConnection(pika.URLParameters(url))
    ch = conn.channel()
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.confirm_delivery()
    for body in bodies:
        ch.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    ch.basic_qos(prefetch_count=200)
    got = {"n": 0, "leads": 0}

    def on_message(ch: Any, method: Any, _props: Any, body: bytes) -> None:
        ch.basic_ack(method.delivery_tag)
        got["n"] += 1
        if got["n"] >= len(bodies):
            ch.stop_consuming()

    took = time.perf_counter()
    ch.basic_consume(queue, on_message)
    ch.start_consuming()
    took = time.perf_counter() - took
    conn.close()
    leads = sum(len(json.loads(b)["data"]["leads"]) for b in bodies)
    return {"messages": len(bodies), "leads": leads, "wall_s": round(took, 3),
            "leads_per_s": round(leads / took)}  # fmt: skip


def ingested_bodies(db: Database) -> list[bytes]:
    with db.reader() as session:
        rows = session.execute(
            select(outbox.c.body).where(outbox.c.event_type == "leads.ingested")
        ).all()
    return [str(body).encode() for (body,) in rows]


# -- the databases ------------------------------------------------------------------------------
def outbox_counts(db: Database) -> tuple[dict[str, int], int]:
    """(rows per event type, rows not yet confirmed by the broker) of a service's outbox."""
    with db.reader() as session:
        per_type = dict(
            session.execute(
                select(outbox.c.event_type, func.count()).group_by(outbox.c.event_type)
            ).all()
        )
        pending = session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    return {str(k): int(v) for k, v in per_type.items()}, int(pending or 0)


def inbox_stats(db: Database, queue: str) -> tuple[int, datetime | None, datetime | None]:
    """(messages handled, first and last processed_at) of a consumer's inbox."""
    with db.reader() as session:
        n, first, last = session.execute(
            select(func.count(), func.min(inbox.c.processed_at), func.max(inbox.c.processed_at))
            .where(inbox.c.queue == queue)
        ).one()  # fmt: skip
    return int(n or 0), bench_import.utc(first), bench_import.utc(last)


LEAD_TABLES = {"tagging.events": tagging_leads, "pipeline.events": pipeline_leads,
               "matching.events": prospects}  # fmt: skip


def lead_rows(db: Database, queue: str, tagged: bool = False) -> int:
    """Leads in the consumer's table; with `tagged`, those holding a tag set from tagging."""
    table = LEAD_TABLES[queue]
    query = select(func.count()).select_from(table)
    if tagged and "tags_at" in table.c:
        condition: ColumnElement[bool] = table.c.tags_at.is_not(None)
        query = query.where(condition)
    with db.reader() as session:
        return int(session.scalar(query) or 0)


def routed(outboxes: Iterable[dict[str, int]], queue: str) -> int:
    keys = QUEUES_BY_NAME[queue].routing_keys
    return sum(n for per_type in outboxes for kind, n in per_type.items() if kind in keys)


def log_trouble(log_dir: Path, keep: int = 5) -> dict[str, dict[str, Any]]:
    found = {}
    for log in sorted(log_dir.glob("*.log")):
        if log.stem == "py-spy":
            continue
        lines = [ln for ln in log.read_text(errors="replace").splitlines()
                 if LOG_TROUBLE.search(ln)]  # fmt: skip
        if lines:
            found[log.stem] = {"lines": len(lines), "first": [ln[:300] for ln in lines[:keep]]}
    return found


# -- profile ------------------------------------------------------------------------------------
def summarise_profile(path: Path, top: int = 20) -> dict[str, Any]:
    """A py-spy raw profile (all threads, recorded without --idle, so shares are of CPU
    samples): top self-time functions (leaf frames), top inclusive rainmaker functions, and
    each sample charged to its deepest rainmaker frame (its own time plus the libraries it
    calls: SQLAlchemy, sqlite3, json), with the part of that spent in SQLAlchemy/sqlite3."""
    self_time: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    deepest: dict[str, int] = {}
    deepest_sql: dict[str, int] = {}
    total = sql = 0
    for n, frames in bench_import.raw_samples(path):
        total += n
        names = [f"{fn} ({Path(where).name})" for fn, where in frames]
        self_time[names[-1]] = self_time.get(names[-1], 0) + n
        ours = [(name, where) for name, (_, where) in zip(names, frames, strict=True)
                if "rainmaker_" in where]  # fmt: skip
        # Inclusive from the consumer's batch down (the frames above it hold every sample).
        below = next((i for i, (name, _) in enumerate(ours) if "_apply_batch" in name), 0)
        for name in {name for name, _ in ours[below:]}:
            inclusive[name] = inclusive.get(name, 0) + n
        owner = ours[-1][0] if ours else "(outside rainmaker code)"
        deepest[owner] = deepest.get(owner, 0) + n
        if any("sqlalchemy" in where or "sqlite3" in where for _, where in frames):
            sql += n
            deepest_sql[owner] = deepest_sql.get(owner, 0) + n

    def pct(n: int) -> float:
        return round(100 * n / max(total, 1), 1)

    def share(counts: dict[str, int]) -> list[list[Any]]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
        return [[name, pct(n)] for name, n in ranked]

    summary: dict[str, Any] = {
        "samples": total, "sqlalchemy_sqlite_pct": pct(sql),
        "self_pct": share(self_time), "inclusive_rainmaker_pct": share(inclusive),
        "deepest_rainmaker_frame_pct": [[name, p, pct(deepest_sql.get(name, 0))]
                                        for name, p in share(deepest)],
    }  # fmt: skip
    print(f"\nprofile {path.name}: {total:,} CPU samples, {pct(sql)}% in SQLAlchemy/sqlite3")
    for title, key in (("self time (leaf frames)", "self_pct"),
                       ("inclusive (rainmaker frames)", "inclusive_rainmaker_pct")):  # fmt: skip
        print(f"  {title}:")
        for name, p in summary[key]:
            print(f"    {p:5.1f}%  {name}")
    print("  deepest rainmaker frame (own time + libraries below it; of which SQL):")
    for name, p, in_sql in summary["deepest_rainmaker_frame_pct"]:
        print(f"    {p:5.1f}%  ({in_sql:4.1f}% SQL)  {name}")
    return summary


# -- the run ------------------------------------------------------------------------------------
class DownstreamStack(bench_import.ImportStack):  # type: ignore[misc]
    """bench/import.py's stack with every service; with `hold`, the three downstream consumers
    start only on release() (the queues fill up meanwhile: a drain from a backlog)."""

    hold = False
    held: dict[str, list[str]] | None = None

    def _spawn(self, name: str, cmd: list[str]) -> None:
        if self.hold and name in DOWNSTREAM:
            self.held = {**(self.held or {}), name: cmd}
            return
        super()._spawn(name, cmd)

    def release(self) -> None:
        for name, cmd in (self.held or {}).items():
            super()._spawn(name, cmd)
        self.held = None


def start_spy(stack: Any, pid: int, rate: int, to: Path) -> subprocess.Popen[bytes]:
    spy = subprocess.Popen(
        [str(BIN / "py-spy"), "record", "--pid", str(pid), "--rate", str(rate),
         "--format", "raw", "--output", str(to), "--nonblocking"],
        stdout=(stack.log_dir / "py-spy.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(1)  # py-spy attaches
    return spy


class Follower:
    """Polls intake's job and every service's outbox, each consumer's inbox and lead table and
    the queues, and notes when each consumer has caught up."""

    def __init__(self, dbs: dict[str, Database], depths: QueueDepths, t0: float,
                 wall0: datetime) -> None:  # fmt: skip
        self.dbs, self.depths, self.t0, self.wall0 = dbs, depths, t0, wall0
        self.intake_done_s: float | None = None
        self.caught_up: dict[str, dict[str, Any]] = {}
        self.timeline: list[dict[str, Any]] = []
        self.outboxes: dict[str, dict[str, int]] = {}
        self.pending: dict[str, int] = {}

    def poll(self, job: dict[str, Any], sample_tables: bool) -> dict[str, Any]:
        now = time.perf_counter() - self.t0
        for svc in SERVICES:
            self.outboxes[svc], self.pending[svc] = outbox_counts(self.dbs[svc])
        if self.intake_done_s is None and job["status"] == "done" and not self.pending["intake"]:
            self.intake_done_s = now
        point: dict[str, Any] = {"t": round(now, 1), "intake_rows_done": job["rows_done"],
                                 "unpublished": dict(self.pending)}  # fmt: skip
        for queue in DOWNSTREAM:
            if queue in self.caught_up:
                continue
            db = self.dbs[queue.split(".")[0]]
            handled, first, last = inbox_stats(db, queue)
            expected = routed(self.outboxes.values(), queue)
            ready = self.depths.ready(queue)
            point[queue] = {"inbox": handled, "routed": expected, "ready": ready}
            if sample_tables:
                point[queue]["lead_rows"] = lead_rows(db, queue)
            producers = ("intake", *(u.split(".")[0] for u in UPSTREAM[queue]))
            upstream_done = all(u in self.caught_up for u in UPSTREAM[queue]) and all(
                self.pending[s] == 0 for s in producers
            )
            if not (self.intake_done_s is not None and upstream_done):
                continue
            if handled < expected or ready:
                continue
            rows, tagged = lead_rows(db, queue), lead_rows(db, queue, tagged=True)
            if rows < job["accepted"] or tagged < job["accepted"]:
                continue
            assert first is not None and last is not None
            self.caught_up[queue] = {
                "caught_up_s": round((last - self.wall0).total_seconds(), 3),
                "first_handled_s": round((first - self.wall0).total_seconds(), 3),
                "detected_s": round(now, 3),
                "messages_handled": handled, "messages_routed": expected,
                "lead_rows": rows, "lead_rows_tagged": tagged,
            }  # fmt: skip
            last_s = self.caught_up[queue]["caught_up_s"]
            print(f"  {now:6.1f} s {queue} caught up: {handled} messages, {rows:,} leads "
                  f"(last commit at {last_s:.1f} s)", flush=True)  # fmt: skip
        self.timeline.append(point)
        return point


def release(stack: DownstreamStack, depths: QueueDepths, samplers: list[Any]) -> float:
    """Start the held consumers; once each is on its queue, sample them too. Returns how long
    they took to get there."""
    took = time.perf_counter()
    stack.release()
    while not all(depths.consumers(q) for q in DOWNSTREAM):
        stack.check_alive()
        if time.perf_counter() - took > 120:
            raise TimeoutError(f"held consumers not on their queues\n{stack.logs()}")
        time.sleep(0.05)
    sampler = bench_import.Sampler({q: stack.procs[q].pid for q in DOWNSTREAM}, interval=0.5)
    sampler.start()
    samplers.append(sampler)
    return time.perf_counter() - took


def run(stack: DownstreamStack, key: str, path: Path, dbs: dict[str, Database],
        depths_url: str, deadline_s: float, profile: str | None, profile_rate: int,
        profile_to: Path, samplers: list[Any]) -> dict[str, Any]:  # fmt: skip
    client = IntakeClient(stack.url("intake"), key)
    spy = None
    if profile is not None and not stack.hold:
        spy = start_spy(stack, stack.procs[profile].pid, profile_rate, profile_to)
    released_s = release_took = None
    fields = {"name": f"bench {unique_id('list')}", "vendor": "bench", "cost": "1200.00",
              "currency": "EUR", "tags": "industry/software", "default_region": "US"}  # fmt: skip
    depths = QueueDepths(depths_url)
    wall0, t0 = datetime.now(UTC), time.perf_counter()
    accepted = client.upload("/lists", fields, path)
    uploaded = time.perf_counter() - t0
    print(f"uploaded in {uploaded:.1f} s: import {accepted['import_id']}")
    follow = Follower(dbs, depths, t0, wall0)
    shown, complete, polls = -5.0, True, 0
    try:
        while True:
            stack.check_alive()
            job = client.json("GET", f"/imports/{accepted['import_id']}")
            if job["status"] == "failed":
                raise RuntimeError(f"import failed: {job['error']}\n{stack.logs()}")
            point = follow.poll(job, sample_tables=polls % 5 == 0)
            polls += 1
            if stack.hold and released_s is None and follow.intake_done_s is not None:
                released_s = time.perf_counter() - t0
                release_took = release(stack, depths, samplers)
                print(f"  {released_s:6.1f} s intake done: downstream consumers started "
                      f"(on their queues after {release_took:.1f} s)", flush=True)  # fmt: skip
                if profile is not None:
                    spy = start_spy(stack, stack.procs[profile].pid, profile_rate, profile_to)
                continue
            if spy is not None and profile in follow.caught_up and spy.poll() is None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
                spy.wait(120)
            if len(follow.caught_up) == len(DOWNSTREAM):
                break
            now = time.perf_counter() - t0
            if now - shown >= 10:
                shown = now
                parts = [f"{q.split('.')[0]} {p['inbox']}/{p['routed']} msgs, ready {p['ready']}"
                         for q, p in point.items()
                         if isinstance(p, dict) and "inbox" in p]  # fmt: skip
                print(f"  {now:6.1f} s intake {job['status']} {job['rows_done']:,} rows; "
                      + "; ".join(parts), flush=True)  # fmt: skip
            if deadline_s and now > deadline_s:
                complete = False
                break
            time.sleep(1.0)
    finally:
        depths.close()
        if spy is not None and spy.poll() is None:
            spy.send_signal(signal.SIGINT)
            spy.wait(120)
    detected = time.perf_counter() - t0
    intake_db = dbs["intake"]
    confirmed = bench_import.utc(bench_import.last_confirmed(intake_db))
    tagged_confirmed = None
    with dbs["tagging"].reader() as session:
        tagged_confirmed = bench_import.utc(
            session.scalar(
                select(func.max(outbox.c.published_at)).where(outbox.c.event_type == "leads.tagged")
            )
        )
    messages, leads = bench_import.ingested_leads(intake_db)
    intake_s = (confirmed - wall0).total_seconds() if confirmed else None
    return {
        "import_id": accepted["import_id"], "complete": complete,
        "stopped_after_s": None if complete else round(detected, 1),
        "upload_s": round(uploaded, 3),
        "held_consumers_started_s": round(released_s, 3) if released_s is not None else None,
        "held_consumers_on_queues_after_s":
            round(release_took, 3) if release_took is not None else None,
        "counts": {k: job[k] for k in bench_import.COUNTS},
        "intake_end_to_end_s": round(intake_s, 3) if intake_s else None,
        "intake_done_detected_s": follow.intake_done_s,
        "leads_ingested_messages": messages, "leads_ingested_leads": leads,
        "tagging_last_leads_tagged_confirmed_s":
            round((tagged_confirmed - wall0).total_seconds(), 3) if tagged_confirmed else None,
        "caught_up": follow.caught_up,
        "outbox_rows_by_type": follow.outboxes,
        "timeline": follow.timeline,
    }  # fmt: skip


def figures(result: dict[str, Any], rows: int,
            processes: dict[str, dict[str, float]]) -> dict[str, Any]:  # fmt: skip
    accepted = result["counts"]["accepted"]
    intake_s = result["intake_end_to_end_s"]
    intake_leads_per_s = accepted / intake_s if intake_s else None
    out: dict[str, Any] = {
        "intake": {
            "end_to_end_s": intake_s,
            "rows_per_s": round(rows / intake_s) if intake_s else None,
            "accepted_leads_per_s": round(intake_leads_per_s) if intake_leads_per_s else None,
        }
    }
    for queue in DOWNSTREAM:
        svc = queue.split(".")[0]
        cpu = {n: processes.get(n, {}) for n in (queue, f"{svc}-relay")}
        row: dict[str, Any] = {
            "consumer_cpu_s": cpu[queue].get("cpu_s"),
            "consumer_peak_rss_mib": cpu[queue].get("peak_rss_mib"),
            "relay_cpu_s": cpu[f"{svc}-relay"].get("cpu_s"),
            "relay_peak_rss_mib": cpu[f"{svc}-relay"].get("peak_rss_mib"),
        }
        done = result["caught_up"].get(queue)
        if done:
            took = done["caught_up_s"]
            busy = took - done["first_handled_s"]
            row.update(
                caught_up_s=took,
                lag_behind_intake_s=round(took - intake_s, 3) if intake_s else None,
                leads_per_s=round(accepted / took),
                busy_window_s=round(busy, 3),
                leads_per_s_busy=round(accepted / busy) if busy > 0 else None,
                consumer_cpu_ms_per_1000_leads=
                    round(1e6 * (row["consumer_cpu_s"] or 0) / accepted, 1),
                ratio_vs_intake_leads_per_s=
                    round(accepted / took / intake_leads_per_s, 3) if intake_leads_per_s else None,
            )  # fmt: skip
            raw = result.get("raw_consume", {}).get("leads_per_s")
            if row["leads_per_s_busy"] and raw:
                row["busy_ratio_vs_raw_consume"] = round(row["leads_per_s_busy"] / raw, 4)
            if result.get("held_consumers_started_s") is not None:
                drain = took - result["held_consumers_started_s"]
                row.update(drain_s=round(drain, 3), leads_per_s_drain=round(accepted / drain))
        out[queue] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", type=Path, help="a list to use instead of generating one")
    parser.add_argument("--deadline", type=float, default=1800,
                        help="stop after this many seconds (0: no deadline)")  # fmt: skip
    parser.add_argument("--hold", action="store_true",
                        help="start the downstream consumers only once intake is done "
                             "(each drains a backlog: its own rate, intake idle)")  # fmt: skip
    parser.add_argument("--profile", choices=DOWNSTREAM, help="py-spy this consumer")
    parser.add_argument("--profile-rate", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs, DB)")
    parser.add_argument("--summarise", type=Path, metavar="RAW",
                        help="only summarise a saved py-spy raw profile")  # fmt: skip
    args = parser.parse_args()
    if args.summarise:
        summarise_profile(args.summarise)
        return
    rows = args.rows
    path = args.file or var_dir() / "bench" / f"import_listgen_{rows}.csv"
    if args.file is None and not path.exists():
        bench_import.make_list(path, rows, "listgen")
    if args.file is not None:
        rows = bench_import.count_rows(path)
    print(f"list: {path} ({path.stat().st_size / 2**20:.0f} MiB, {rows:,} rows)")

    run_dir = var_dir() / "bench" / unique_id("downstream")
    (run_dir / "logs").mkdir(parents=True)
    rabbit = rabbit_node()
    started_rabbit = not rabbit.is_running()
    rabbit.start()
    vhost = unique_id("downstream")
    amqp_url = rabbit.add_vhost(vhost)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(AMQP_URL=amqp_url, RAINMAKER_VAR_DIR=str(run_dir), PYTHONUNBUFFERED="1",
               RAINMAKER_AUTH_DATABASE_URL=f"sqlite:///{run_dir / 'auth.db'}",
               INTAKE_MAX_ROWS=str(max(rows, 1_000_000)),
               INTAKE_MAX_UPLOAD_BYTES=str(max(path.stat().st_size * 2, 512 << 20)))  # fmt: skip
    for svc in SERVICES:
        env[f"{svc.upper()}_DATABASE_URL"] = f"sqlite:///{run_dir / svc}.db"
    stack = DownstreamStack(env=env, log_dir=run_dir / "logs")
    stack.workers, stack.downstream, stack.hold = 1, True, args.hold
    dbs = {svc: Database(env[f"{svc.upper()}_DATABASE_URL"]) for svc in SERVICES}
    profile_to = run_dir / "consumer.pyspy.txt"
    queues: dict[str, dict[str, int]] = {}
    samplers: list[Any] = []
    try:
        stack.start()
        key = KeyStore(env["RAINMAKER_AUTH_DATABASE_URL"]).create(Role.MARKETING, label="bench")
        pids = {name: p.pid for name, p in stack.procs.items()}
        if rabbit.pid:
            pids["rabbitmq"] = rabbit.pid
        print("processes: " + ", ".join(f"{n}={p}" for n, p in pids.items()), flush=True)
        samplers.append(bench_import.Sampler(pids))
        samplers[0].start()
        load0 = os.getloadavg()
        result = run(stack, key, path, dbs, amqp_url, args.deadline, args.profile,
                     args.profile_rate, profile_to, samplers)  # fmt: skip
        processes = {n: p for sampler in samplers for n, p in sampler.stop().items()}
        processes = dict(sorted(processes.items()))
        load1 = os.getloadavg()
        time.sleep(6)  # a quorum queue's counters (unacked) are refreshed every 5 s
        queues = all_queues(rabbit, vhost)
        # The second reference: the broker handing this run's leads.ingested to raw pika.
        result["raw_consume"] = raw_consume(amqp_url, ingested_bodies(dbs["intake"]))
        print(
            f"reference: raw pika consume of the {result['raw_consume']['messages']} "
            f"leads.ingested messages: {result['raw_consume']['leads_per_s']:,} leads/s"
        )
    finally:
        for db in dbs.values():
            db.dispose()
        stack.stop()
        trouble = log_trouble(run_dir / "logs")
        rabbit.delete_vhost(vhost)
        if started_rabbit:
            rabbit.stop()
    report(args, rows, path, result, processes, queues, trouble, (load0, load1),
           profile_to if args.profile else None, run_dir)  # fmt: skip
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)


def _n(value: float | None, spec: str) -> str:
    """A figure, or "n/a" when the reference it needs is missing."""
    return "n/a" if value is None else format(value, spec)


def report(args: argparse.Namespace, rows: int, path: Path, result: dict[str, Any],
           processes: dict[str, dict[str, float]], queues: dict[str, dict[str, int]],
           trouble: dict[str, dict[str, Any]], load: tuple[Any, Any], profile_to: Path | None,
           run_dir: Path) -> None:  # fmt: skip
    figs = figures(result, rows, processes)
    intake = figs["intake"]
    accepted = result["counts"]["accepted"]
    print(
        f"\n{rows:,} rows, {accepted:,} accepted leads"
        + ("" if result["complete"] else f"; NOT COMPLETE after {result['stopped_after_s']} s")
    )
    if intake["end_to_end_s"] is None:  # the import did not finish: no reference
        print("reference: intake did not confirm its last leads.ingested")
    else:
        print(f"reference: intake upload -> last leads.ingested confirmed "
              f"{intake['end_to_end_s']} s = {intake['rows_per_s']:,} rows/s = "
              f"{intake['accepted_leads_per_s']:,} leads/s")  # fmt: skip
    for queue in DOWNSTREAM:
        f = figs[queue]
        if "caught_up_s" in f:
            print(f"{queue:>16}: caught up at {f['caught_up_s']:7.1f} s"
                  f" (lag {_n(f['lag_behind_intake_s'], '6.1f')} s) ="
                  f" {f['leads_per_s']:>6,} leads/s,"
                  f" ratio vs intake {_n(f['ratio_vs_intake_leads_per_s'], '.3f')};"
                  f" busy {f['busy_window_s']:.1f} s ({f['leads_per_s_busy']:,} leads/s);"
                  f" consumer CPU {f['consumer_cpu_s']} s,"
                  f" peak RSS {f['consumer_peak_rss_mib']} MiB")  # fmt: skip
        else:
            print(f"{queue:>16}: did NOT catch up; consumer CPU {f['consumer_cpu_s']} s")
    print("processes:")
    for name, proc in processes.items():
        print(f"  {name:<30} peak RSS {proc['peak_rss_mib']:>8.1f} MiB"
              f"  CPU in run {proc['cpu_s']:>8.1f} s")  # fmt: skip
    left = {q: v for q, v in queues.items() if v["ready"] or v["unacked"]}
    print(f"queues with messages at the end: {left or 'none'}")
    print(f"log lines with ERROR/Traceback/dead letter: "
          f"{ {k: v['lines'] for k, v in trouble.items()} or 'none'}")  # fmt: skip
    profile = None
    key = f"sqlite-{rows}-rows" + ("-hold" * args.hold)
    key += f"-profile-{args.profile}" if args.profile else ""
    if profile_to is not None and profile_to.exists():
        profile = summarise_profile(profile_to)
        raw = var_dir() / "bench" / f"downstream_{key}.pyspy.txt"  # MBs: kept out of git
        shutil.copyfile(profile_to, raw)
        profile.update(queue=args.profile, rate_hz=args.profile_rate, raw_stacks=str(raw))
    run = {
        "benchmark": "downstream", "rows": rows, "file": str(path),
        "file_mib": round(path.stat().st_size / 2**20, 1), "database": "sqlite",
        **{k: v for k, v in result.items() if k != "timeline"},
        "figures": figs, "reference": "intake's accepted leads/s in the same run (upload -> "
        "last leads.ingested confirmed, bench/import.py's measure)",
        "processes": processes, "queues_at_end": queues, "log_trouble": trouble,
        "profile": profile, "load_average_before_after": [list(load[0]), list(load[1])],
        "timeline": result["timeline"][::5],
        **bench_import.run_facts(),
    }  # fmt: skip
    bench_import.save_run(RESULTS, key, run)
    print(f"wrote {RESULTS} [{key}]" + (f" (run dir kept: {run_dir})" if args.keep else ""))


if __name__ == "__main__":
    main()
