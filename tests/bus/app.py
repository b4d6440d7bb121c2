"""A tiny service for the bus tests: one effect per message, counted, so doubles show.

The handler table is the service's index (STYLE.md): `prospect.claimed` bumps a counter row
keyed by the message id. Options make it misbehave on purpose for the fault tests: raise on a
lead id, kill the process on a lead id (os._exit), sleep, or SIGKILL itself right after the
commit that contains a given lead (the worst moment: effect committed, ack not yet sent).
"""

import os
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, event, func, insert, select, text
from sqlalchemy.orm import Session

from rainmaker_bus import Handler, add_events, create_bus_tables
from rainmaker_bus.tables import outbox
from rainmaker_contracts import Envelope
from rainmaker_contracts.topology import QUEUES_BY_NAME
from rainmaker_db import Database

EVENT = "prospect.claimed"  # bound to pipeline.events only
QUEUE = QUEUES_BY_NAME["pipeline.events"]

METADATA = MetaData()
effects = Table(
    "bus_test_effects",
    METADATA,
    Column("message_id", String(64), primary_key=True),
    Column("lead_id", String(64), nullable=False),
    Column("n", Integer, nullable=False),
)
UPSERT = text(
    "INSERT INTO bus_test_effects (message_id, lead_id, n) VALUES (:m, :lead, 1) "
    "ON CONFLICT (message_id) DO UPDATE SET n = bus_test_effects.n + 1"
)


def setup_db(url: str) -> Database:
    db = Database(url)
    with db.engine.begin() as conn:
        create_bus_tables(conn)
        METADATA.create_all(conn)
    return db


def claim(i: int | str) -> dict[str, Any]:
    return {
        "claim_id": f"claim-{i}",
        "lead_id": f"lead-{i}" if isinstance(i, int) else i,
        "am_id": "am-1",
        "claimed_at": datetime.now(UTC).isoformat(),
    }


def emit(db: Database, leads: list[int | str], chunk: int = 1000) -> list[str]:
    """Stage one event per lead in the outbox (committed in chunks); returns message ids."""
    ids: list[str] = []
    for start in range(0, len(leads), chunk):
        with db.transaction() as session:
            part = [claim(i) for i in leads[start : start + chunk]]
            ids += [e.id for e in add_events(session, EVENT, part, producer="bus-tests")]
    return ids


def emit_raw(db: Database, body: bytes, message_id: str) -> None:
    """An outbox row that skipped validation (a buggy producer): the poison message."""
    with db.transaction() as session:
        session.execute(
            insert(outbox).values(
                message_id=message_id,
                event_type=EVENT,
                body=body.decode(),
                created_at=datetime.now(UTC),
            )
        )


@dataclass
class Behaviour:
    fail_on: set[str] = field(default_factory=set)  # raise (retried, then dead-lettered)
    exit_on: set[str] = field(default_factory=set)  # os._exit: the process dies
    kill_after_commit_on: set[str] = field(default_factory=set)  # SIGKILL once committed
    sleep_on: dict[str, float] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)  # message ids, in handler call order


def handlers(b: Behaviour) -> dict[str, Handler]:
    def on_claimed(session: Session, env: Envelope, data: dict[str, Any]) -> None:
        lead = data["lead_id"]
        b.calls.append(env.id)
        if lead in b.sleep_on:
            time.sleep(b.sleep_on[lead])
        if lead in b.exit_on:
            os._exit(70)
        if lead in b.fail_on:
            raise RuntimeError(f"handler refuses {lead}")
        session.execute(UPSERT, {"m": env.id, "lead": lead})
        if lead in b.kill_after_commit_on:
            suicide = lambda _s: os.kill(os.getpid(), signal.SIGKILL)  # noqa: E731
            event.listen(session, "after_commit", suicide, once=True)

    return {EVENT: on_claimed}


def effect_counts(db: Database) -> dict[str, int]:
    with db.reader() as session:
        return {r.lead_id: r.n for r in session.execute(select(effects.c.lead_id, effects.c.n))}


def unsent(db: Database) -> int:
    with db.reader() as session:
        q = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int(session.execute(q).scalar_one())


def queue_depth(amqp_url: str, queue: str) -> int:
    """Ready messages in `queue` (tests only: services never import pika)."""
    import pika

    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return int(conn.channel().queue_declare(queue, passive=True).method.message_count)
    finally:
        conn.close()


def vhost_of(amqp_url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(amqp_url).path[1:]) or "/"
