"""Bus throughput: outbox -> relay -> broker -> consumer (inbox) next to raw pika, same node.

    python bench/bus.py [--events N] [--amqp-url URL] [--leads-per-event 2] [--rounds 3]
                        [--consumers 2] [--per-message-handler]

Events are `leads.ingested` of ~1 KB (a few leads each, as in DESIGN.md section 4). Measured in
one run on one node and vhost, so the figures are ratios that survive a noisy machine:
  raw_publish_blocking   pika BlockingChannel, confirm_delivery, one publish = one round trip
  raw_publish_pipelined  pika SelectConnection, confirms in a window of outstanding publishes
  raw_consume            basic_consume + one basic_ack per message, prefetch 200
  bus_end_to_end         SQLite outbox (pre-filled) -> Relay process -> broker -> Consumer
                         process (effect + inbox in one transaction per batch, ack after commit)
The consumer's effect inserts each event's leads into a table: one insert per run of messages
(a `Batched` handler), or one per message with --per-message-handler. Its batches are sized
for 1 KB events (BUS_PREFETCH=1000, BUS_BATCH_SIZE=250 unless set in the environment).
The pipelined reference and the bus alternate for --rounds rounds; the round with the median
ratio is reported, and every round is in the JSON.
Without --amqp-url a private node is started (infra/devnodes.py) and stopped afterwards.
BENCH_PROFILE=DIR writes a cProfile of the relay and consumer processes into DIR.
Writes bench/results/bus.json and prints a table. Target: end to end >= 50% of raw confirmed
publishing (reported against both raw publishers).
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pika
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

from rainmaker_bus import (
    Batched,
    BusSettings,
    Consumer,
    Handler,
    Relay,
    add_events,
    collector,
    create_bus_tables,
)
from rainmaker_contracts import Envelope
from rainmaker_contracts.topology import EXCHANGE, QUEUES_BY_NAME
from rainmaker_db import Database
from rainmaker_db.bulk import insert_rows

REPO = Path(__file__).resolve().parent.parent
EVENT = "leads.ingested"
QUEUE = QUEUES_BY_NAME["pipeline.events"]
OTHER_QUEUES = [q.name for q in QUEUES_BY_NAME.values() if EVENT in q.routing_keys]
RESULTS = REPO / "bench" / "results" / "bus.json"

META = MetaData()
bench_leads = Table(
    "bench_leads",
    META,
    Column("id", Integer, primary_key=True),
    Column("lead_id", String(64), nullable=False),
    Column("email", String(200)),
    Column("company", String(200)),
)


# -- workload -----------------------------------------------------------------------------------
def lead(i: int, j: int) -> dict[str, Any]:
    return {
        "lead_id": f"L{i:07d}-{j}",
        "source": {"type": "rented_list", "id": "list-bench", "name": "Bench list 2024"},
        "touched_at": "2024-05-01T12:00:00+00:00",
        "email": f"first.last{i}.{j}@example-company-{i % 997}.com",
        "phone": "+442071234567",
        "first_name": "Firstname",
        "last_name": f"Lastname{j}",
        "company": f"Example Company {i % 997} Ltd",
        "job_title": "Head of Procurement",
        "industry": "software",
        "region": "GB-LND",
        "tags": ["industry/software", "region/gb"],
    }


def event_data(i: int, leads_per_event: int) -> dict[str, Any]:
    return {"import_id": "imp-bench", "leads": [lead(i, j) for j in range(leads_per_event)]}


def on_ingested(session: Session, env: Envelope, data: dict[str, Any]) -> None:
    on_ingested_many(session, [(env, data)])


def on_ingested_many(session: Session, messages: list[tuple[Envelope, dict[str, Any]]]) -> None:
    rows = [
        {"lead_id": x["lead_id"], "email": x["email"], "company": x["company"]}
        for _, data in messages
        for x in data["leads"]
    ]
    insert_rows(session, bench_leads, rows)  # as intake writes its bulk rows


# The effect as a service would write it: one insert per run of messages (Batched), or with
# --per-message-handler one insert per message.
BATCHED_HANDLERS: dict[str, Handler | Batched] = {EVENT: Batched(on_ingested_many)}
PER_MESSAGE_HANDLERS: dict[str, Handler | Batched] = {EVENT: on_ingested}


# -- helpers ------------------------------------------------------------------------------------
def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a live process (Linux /proc), 0.0 when it is gone."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds spent by named processes between start() and stop()."""

    def __init__(self, pids: dict[str, int | None]) -> None:
        self.pids = pids
        self.before: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def start(self) -> None:
        self.before = {k: cpu_seconds(p) for k, p in self.pids.items()}

    def stop(self) -> dict[str, float]:
        self.spent = {k: cpu_seconds(p) - self.before[k] for k, p in self.pids.items()}
        return self.spent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connect(url: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.URLParameters(url))


def purge(url: str) -> None:
    conn = connect(url)
    ch = conn.channel()
    for name in OTHER_QUEUES:
        ch.queue_purge(name)
    conn.close()


def depth(url: str, queue: str) -> int:
    conn = connect(url)
    n = int(conn.channel().queue_declare(queue, passive=True).method.message_count)
    conn.close()
    return n


def props() -> pika.BasicProperties:
    return pika.BasicProperties(
        content_type="application/json", delivery_mode=2, message_id=str(uuid.uuid4())
    )


# -- raw pika -----------------------------------------------------------------------------------
def raw_publish_blocking(url: str, bodies: list[bytes]) -> float:
    conn = connect(url)
    ch = conn.channel()
    ch.confirm_delivery()
    start = time.perf_counter()
    for body in bodies:
        ch.basic_publish(EXCHANGE, EVENT, body, props())  # blocks until confirmed
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def raw_publish_pipelined(url: str, bodies: list[bytes], window: int = 1000) -> float:
    state = {"sent": 0, "confirmed": 0, "start": 0.0, "end": 0.0}
    conn: pika.SelectConnection

    def publish_more(ch: Any) -> None:
        while state["sent"] < len(bodies) and state["sent"] - state["confirmed"] < window:
            ch.basic_publish(EXCHANGE, EVENT, bodies[int(state["sent"])], props())
            state["sent"] += 1

    def on_confirm(frame: Any) -> None:
        m = frame.method
        if not isinstance(m, pika.spec.Basic.Ack):
            raise RuntimeError("nacked")
        confirmed = m.delivery_tag if m.multiple else state["confirmed"] + 1
        state["confirmed"] = max(state["confirmed"], confirmed)
        if state["confirmed"] >= len(bodies):
            state["end"] = time.perf_counter()
            conn.close()
        else:
            publish_more(ch_holder[0])

    ch_holder: list[Any] = []

    def on_channel(ch: Any) -> None:
        ch_holder.append(ch)
        ch.confirm_delivery(on_confirm)
        state["start"] = time.perf_counter()
        publish_more(ch)

    conn = pika.SelectConnection(
        pika.URLParameters(url),
        on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
        on_close_callback=lambda c, r: c.ioloop.stop(),
    )
    conn.ioloop.start()
    return state["end"] - state["start"]


def raw_consume(url: str, n: int) -> float:
    conn = connect(url)
    ch = conn.channel()
    ch.basic_qos(prefetch_count=200)
    got = {"n": 0}
    start = time.perf_counter()

    def on_message(ch: Any, method: Any, _p: Any, _b: bytes) -> None:
        ch.basic_ack(method.delivery_tag)
        got["n"] += 1
        if got["n"] >= n:
            ch.stop_consuming()

    ch.basic_consume(QUEUE.name, on_message)
    ch.start_consuming()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


# -- the bus --------------------------------------------------------------------------------------
def setup_db(url: str) -> Database:
    db = Database(url)
    with db.engine.begin() as conn:
        create_bus_tables(conn)
        META.create_all(conn)
    return db


def fill_outbox(db: Database, n: int, leads_per_event: int, chunk: int = 1000) -> float:
    start = time.perf_counter()
    for first in range(0, n, chunk):
        with db.transaction() as session:
            datas = [event_data(i, leads_per_event) for i in range(first, min(n, first + chunk))]
            add_events(session, EVENT, datas, producer="bench")
    return time.perf_counter() - start


def rows_written(db: Database, table: Table) -> int:
    """Rows in an insert-only table: its highest id (one index probe; count(*) scanned the
    whole table every 50 ms, taking CPU from the processes being measured)."""
    with db.reader() as session:
        return int(session.execute(select(func.max(table.c.id))).scalar() or 0)


def bus_end_to_end(
    url: str,
    n: int,
    leads_per_event: int,
    work: Path,
    broker_pid: int | None,
    consumers: int = 1,
    per_message: bool = False,
) -> dict[str, Any]:
    producer_url = f"sqlite:///{work / 'producer.db'}"
    consumer_url = f"sqlite:///{work / 'consumer.db'}"
    producer, consumer_db = setup_db(producer_url), setup_db(consumer_url)
    fill_s = fill_outbox(producer, n, leads_per_event)
    # Consumer batches sized for ~1 KB events (the library defaults suit 1,000-lead messages,
    # where 200 in flight is already ~100 MB); the environment can override them.
    env = {"BUS_PREFETCH": "1000", "BUS_BATCH_SIZE": "250", **os.environ, "AMQP_URL": url}
    me = [sys.executable, str(Path(__file__).resolve())]
    # Interpreter start-up and connecting are not throughput: both processes get ready first,
    # then the relay is released and the clock starts.
    ready, go = work / "relay.ready", work / "go"
    procs = [
        subprocess.Popen(
            [*me, "--role", "consumer", "--db", consumer_url]
            + (["--per-message-handler"] if per_message else []),
            env=env,
        )
        for _ in range(consumers)
    ]
    wait_for(lambda: consumers_on(url, QUEUE.name) >= consumers, procs)
    procs.append(
        subprocess.Popen(
            [*me, "--role", "relay", "--db", producer_url, "--ready", str(ready), "--go", str(go)],
            env=env,
        )
    )
    wait_for(ready.exists, procs)
    go.touch()
    start = time.perf_counter()
    relay_s = None
    from rainmaker_bus.tables import outbox

    pids: dict[str, int | None] = {
        "broker": broker_pid,
        "relay": procs[-1].pid,
        "bench": os.getpid(),  # this process's polling, so its share is seen
    }
    pids.update({f"consumer{i + 1}" if consumers > 1 else "consumer": p.pid
                 for i, p in enumerate(procs[:-1])})  # fmt: skip
    meter = CpuMeter(pids)
    meter.start()

    try:
        while True:
            done = rows_written(consumer_db, bench_leads) // leads_per_event
            if relay_s is None:
                with producer.reader() as s:
                    unsent = s.execute(
                        select(outbox.c.id).where(outbox.c.published_at.is_(None)).limit(1)
                    ).first()
                if unsent is None:
                    relay_s = time.perf_counter() - start
            if done >= n:
                break
            if any(p.poll() is not None for p in procs):
                raise RuntimeError("a bus process died")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        cpu = meter.stop()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    return {
        "seconds": elapsed,
        "relay_seconds": relay_s or elapsed,
        "outbox_fill_seconds": fill_s,
        "cpu": cpu,
    }


def wait_for(ready: Any, procs: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise RuntimeError("a bus process died or never got ready")
        time.sleep(0.05)


def consumers_on(url: str, queue: str) -> int:
    conn = connect(url)
    n = int(conn.channel().queue_declare(queue, passive=True).method.consumer_count)
    conn.close()
    return n


def run_role(role: str, db_url: str, ready: str | None, go: str | None, per_message: bool) -> None:
    import signal

    settings = BusSettings.from_env()
    db = setup_db(db_url)
    if role == "consumer":
        worker: Relay | Consumer = Consumer(
            db, settings, QUEUE, PER_MESSAGE_HANDLERS if per_message else BATCHED_HANDLERS
        )
    else:
        worker = Relay(db, settings)
        worker.link.start()  # connect now; run() finds the link started
        worker.link.wait_ready(60)
        if ready and go:
            Path(ready).touch()
            while not Path(go).exists():
                time.sleep(0.01)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    collector.for_long_running_process()  # as `rainmaker consume` and `rainmaker relay` do
    if os.environ.get("BENCH_PROFILE"):  # a directory: where each process's cProfile goes
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
        worker.run()
        prof.disable()
        prof.dump_stats(f"{os.environ['BENCH_PROFILE']}/{role}-{os.getpid()}.prof")
        return
    worker.run()


# -- main -----------------------------------------------------------------------------------------
def start_node() -> tuple[Any, str]:
    sys.path.insert(0, str(REPO))  # infra/ lives at the repo root
    from infra.devnodes import RabbitNode

    base = Path(tempfile.mkdtemp(prefix="bench-rabbit-"))
    node = RabbitNode(f"bench{os.getpid()}", free_port(), free_port(), base)
    node.start()
    return node, node.url()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--amqp-url", default=None)
    ap.add_argument("--leads-per-event", type=int, default=2)
    ap.add_argument(
        "--blocking-events",
        type=int,
        default=3000,
        help="messages for the (slow) one-by-one confirmed publisher",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternations of the confirmed-publish reference and the bus (median reported)",
    )
    ap.add_argument(
        "--consumers", type=int, default=2, help="also run with this many competing consumers"
    )
    ap.add_argument(
        "--per-message-handler",
        action="store_true",
        help="the consumer's effect as one insert per message instead of per batch (Batched)",
    )
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--role", choices=["relay", "consumer"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--ready", help=argparse.SUPPRESS)
    ap.add_argument("--go", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role:
        run_role(args.role, args.db, args.ready, args.go, args.per_message_handler)
        return 0

    from rainmaker_bus.topology import declare_topology

    node = None
    url = args.amqp_url
    if url is None:
        node, url = start_node()
    n = args.events
    try:
        declare_topology(BusSettings(amqp_url=url))
        purge(url)
        bodies = [
            json.dumps(
                {
                    "id": str(uuid.uuid4()),
                    "type": EVENT,
                    "version": 1,
                    "occurred_at": "2024-05-01T12:00:00+00:00",
                    "producer": "bench",
                    "correlation_id": None,
                    "data": event_data(i, args.leads_per_event),
                },
                separators=(",", ":"),
            ).encode()
            for i in range(n)
        ]
        size = sum(map(len, bodies)) / n
        seconds: dict[str, float] = {}
        counts: dict[str, int] = {}
        cpu: dict[str, dict[str, float]] = {}
        broker_pid = node.pid if node is not None else None

        def raw(name: str, run: Any, count: int) -> None:
            # The client is this process: its CPU is all pika's while a raw phase runs.
            meter = CpuMeter({"broker": broker_pid, "client": os.getpid()})
            meter.start()
            seconds[name], counts[name] = run(), count
            cpu[name] = meter.stop()

        def end_to_end(name: str, consumers: int) -> dict[str, Any]:
            with tempfile.TemporaryDirectory(prefix="bench-bus-") as tmp:
                run = bus_end_to_end(
                    url,
                    n,
                    args.leads_per_event,
                    Path(tmp),
                    broker_pid,
                    consumers,
                    args.per_message_handler,
                )
            purge(url)
            seconds[name], counts[name], cpu[name] = run["seconds"], n, run["cpu"]
            return run

        nb = min(n, args.blocking_events)
        raw("raw_publish_blocking", lambda: raw_publish_blocking(url, bodies[:nb]), nb)
        purge(url)
        # The machine's speed drifts by tens of percent between minutes, so the reference and
        # the bus are measured in alternation, several rounds; the round with the median ratio
        # gives the figures, and every round is kept in the JSON.
        rounds: list[dict[str, Any]] = []
        measured: list[tuple[dict[str, Any], dict[str, float], dict[str, Any]]] = []
        phases = ("raw_publish_pipelined", "bus_end_to_end")
        for r in range(args.rounds):
            raw("raw_publish_pipelined", lambda: raw_publish_pipelined(url, bodies), n)
            if r == 0:
                raw("raw_consume", lambda: raw_consume(url, n), n)
            purge(url)
            run = end_to_end("bus_end_to_end", 1)
            reference = n / seconds["raw_publish_pipelined"]
            rate = n / run["seconds"]
            rounds.append(
                {
                    "raw_publish_pipelined_per_s": round(reference, 1),
                    "bus_end_to_end_per_s": round(rate, 1),
                    "ratio": round(rate / reference, 3),
                }
            )
            measured.append((run, {k: seconds[k] for k in phases}, {k: cpu[k] for k in phases}))
        median = sorted(range(len(rounds)), key=lambda i: rounds[i]["ratio"])[len(rounds) // 2]
        e2e, median_seconds, median_cpu = measured[median]
        seconds.update(median_seconds)
        cpu.update(median_cpu)
        if args.consumers > 1:  # scaling out on the same queue, one run
            end_to_end(f"bus_end_to_end_{args.consumers}_consumers", args.consumers)
        ratios: dict[str, float] = {}
        for name in [k for k in seconds if k.startswith("bus_")]:
            rate = n / seconds[name]
            for ref in ("raw_publish_blocking", "raw_publish_pipelined", "raw_consume"):
                ratios[f"{name[4:]}_vs_{ref}"] = rate / (counts[ref] / seconds[ref])
        rates = {k: counts[k] / seconds[k] for k in seconds}
        result = {
            "benchmark": "bus",
            "when": datetime.now(UTC).isoformat(),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "events": n,
            "leads_per_event": args.leads_per_event,
            "handler": "per_message" if args.per_message_handler else "batched",
            "mean_event_bytes": round(size),
            "rates_per_s": {k: round(v, 1) for k, v in rates.items()},
            "counts": counts,
            "seconds": {k: round(v, 3) for k, v in seconds.items()},
            "bus_detail": {
                "relay_drained_s": round(e2e["relay_seconds"], 3),
                "relay_rate_per_s": round(n / e2e["relay_seconds"], 1),
                "outbox_fill_s": round(e2e["outbox_fill_seconds"], 3),
                "outbox_fill_rate_per_s": round(n / e2e["outbox_fill_seconds"], 1),
            },
            "ratios": {k: round(v, 3) for k, v in ratios.items()},
            "rounds": rounds,
            # CPU milliseconds per message by process: where the two cores went.
            "cpu_ms_per_message": {
                k: {p: round(1000 * c / counts[k], 4) for p, c in v.items()} for k, v in cpu.items()
            },
            "target": {"end_to_end_vs_raw_confirmed_publish": 0.5},
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print_table(result, args.out)
    finally:
        if node is not None:
            node.stop()
    return 0


def print_table(r: dict[str, Any], out: Path) -> None:
    print(
        f"\nbus benchmark: {r['events']} events of ~{r['mean_event_bytes']} B "
        f"({r['leads_per_event']} leads each)"
    )
    print(f"{'measure':<26}{'messages':>10}{'seconds':>10}{'msg/s':>12}   CPU ms/message")
    for k, rate in r["rates_per_s"].items():
        cpu = "  ".join(f"{p} {ms:.3f}" for p, ms in r["cpu_ms_per_message"][k].items())
        print(f"{k:<26}{r['counts'][k]:>10}{r['seconds'][k]:>10.2f}{rate:>12.0f}   {cpu}")
    d = r["bus_detail"]
    print(
        f"  (bus: relay drained the outbox at {d['relay_rate_per_s']:.0f}/s; "
        f"filling the outbox ran at {d['outbox_fill_rate_per_s']:.0f}/s)"
    )
    for i, x in enumerate(r["rounds"], 1):
        print(
            f"  round {i}: raw_publish_pipelined {x['raw_publish_pipelined_per_s']:.0f}/s, "
            f"bus_end_to_end {x['bus_end_to_end_per_s']:.0f}/s, ratio {x['ratio']:.2f}"
        )
    print(f"  (the table shows the round with the median ratio, of {len(r['rounds'])})")
    for k, v in r["ratios"].items():
        print(f"{k:<52}{v:>8.2f}")
    target = r["target"]["end_to_end_vs_raw_confirmed_publish"]
    for ref in ("raw_publish_pipelined", "raw_publish_blocking"):
        ratio = r["ratios"][f"end_to_end_vs_{ref}"]
        verdict = "met" if ratio >= target else "NOT met"
        print(f"target end to end >= {target} x {ref}: {ratio:.2f} ({verdict})")
    print(f"results: {out}")


if __name__ == "__main__":
    sys.exit(main())
