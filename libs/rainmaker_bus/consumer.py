"""The consumer: handlers run on a worker thread, effects and inbox commit together, then ack.

Per batch of deliveries (one transaction, one savepoint per message):
  - a message that fails its contract is dead-lettered at once with the reason (retrying
    cannot fix it);
  - a message already in the inbox is acknowledged without running its handler;
  - a handler that raises is rolled back to its savepoint and the message is re-published to
    the next back-off queue, or dead-lettered with the error once its attempts are used up;
  - acks go to the I/O thread only after the commit, and re-publishes are confirmed before
    the original is acked, so a crash anywhere redelivers instead of losing.
"""

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pika.channel import Channel
from pika.spec import Basic, BasicProperties
from rainmaker_contracts import ContractError, Envelope, parse_envelope
from rainmaker_contracts.topology import DEAD_LETTER_EXCHANGE, ConsumerQueue
from rainmaker_db import Database
from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rainmaker_bus import messages as m
from rainmaker_bus.link import AmqpLink, Outgoing, PublishError
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.tables import inbox
from rainmaker_bus.topology import retry_queue

log = logging.getLogger(__name__)

Handler = Callable[[Session, Envelope, dict[str, Any]], None]
MAX_ERROR_LEN = 2000


@dataclass
class Delivery:
    generation: int
    tag: int
    props: BasicProperties
    body: bytes


class _Isolate(Exception):
    """A handler failed on the fast path: roll back and redo the batch message by message."""


@dataclass
class _Outcome:
    acks: list[Delivery]
    republish: list[tuple[Delivery, Outgoing]]


class Consumer:
    def __init__(
        self,
        db: Database,
        settings: BusSettings,
        queue_spec: ConsumerQueue,
        handlers: dict[str, Handler],
        *,
        use_inbox: bool = True,
    ) -> None:
        self.db = db
        self.settings = settings
        self.queue = queue_spec
        self.handlers = handlers
        self.use_inbox = use_inbox  # False only for the fault tests' negative control
        self.link = AmqpLink(settings, queue_spec.name, on_channel=self._start_consuming)
        self.deliveries: queue.Queue[Delivery] = queue.Queue()
        self.stopping = threading.Event()
        self.processed = 0
        self.dead_lettered = 0

    # -- lifecycle -----------------------------------------------------------------------------
    def run(self) -> None:
        """Consume until stop(); the calling thread is the worker thread."""
        self.link.start()
        try:
            while not self.stopping.is_set():
                batch = self._next_batch()
                if batch:
                    self._handle_batch(batch)
        finally:
            self.link.stop()

    def stop(self) -> None:
        self.stopping.set()

    # -- I/O thread ----------------------------------------------------------------------------
    def _start_consuming(self, channel: Channel, generation: int) -> None:
        def on_message(
            _ch: Channel, method: Basic.Deliver, props: BasicProperties, body: bytes
        ) -> None:
            self.deliveries.put(Delivery(generation, method.delivery_tag, props, body))

        channel.basic_qos(prefetch_count=self.settings.prefetch)
        channel.basic_consume(self.queue.name, on_message_callback=on_message, auto_ack=False)

    # -- worker thread -------------------------------------------------------------------------
    def _next_batch(self) -> list[Delivery]:
        try:
            first = self.deliveries.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < self.settings.batch_size:
            try:
                batch.append(self.deliveries.get_nowait())
            except queue.Empty:
                break
        # Deliveries from a dead channel will be redelivered; handling them now is wasted work.
        return [d for d in batch if d.generation == self.link.generation]

    def _handle_batch(self, batch: list[Delivery]) -> None:
        try:
            outcome = self._apply(batch)
        except (SQLAlchemyError, OSError) as exc:
            # e.g. a competing consumer committed the same message first: go one by one.
            log.warning("%s: batch failed (%s); retrying singly", self.queue.name, exc)
            if len(batch) == 1:
                self.link.nack(batch[0].generation, batch[0].tag, requeue=True)
                return
            for d in batch:
                self._handle_batch([d])
            return
        try:
            self.link.publish_many([out for _, out in outcome.republish])
        except PublishError as exc:
            # Not acked: the broker redelivers them; the inbox has no row for a failed message.
            log.warning("%s: could not re-publish failures: %s", self.queue.name, exc)
            self._ack(outcome.acks)
            return
        self._ack(outcome.acks + [d for d, _ in outcome.republish])

    def _ack(self, deliveries: list[Delivery]) -> None:
        by_gen: dict[int, list[int]] = {}
        for d in deliveries:
            by_gen.setdefault(d.generation, []).append(d.tag)
        for gen, tags in by_gen.items():
            self.link.ack(gen, tags)

    def _apply(self, batch: list[Delivery]) -> _Outcome:
        # Fast path: the whole batch in one transaction without savepoints (failures are rare);
        # if any handler raises, redo the batch with a savepoint around each message.
        try:
            return self._apply_batch(batch, isolate=False)
        except _Isolate:
            return self._apply_batch(batch, isolate=True)

    def _apply_batch(self, batch: list[Delivery], isolate: bool) -> _Outcome:
        outcome = _Outcome(acks=[], republish=[])
        parsed: list[tuple[Delivery, Envelope, dict[str, Any]]] = []
        for d in batch:
            try:
                envelope, data = parse_envelope(d.body)
            except ContractError as exc:
                outcome.republish.append((d, self._dead_letter(d, f"contract: {exc}")))
                continue
            parsed.append((d, envelope, data))
        done: list[str] = []
        with self.db.transaction() as session:
            seen = self._in_inbox(session, [env.id for _, env, _ in parsed])
            for d, envelope, data in parsed:
                if envelope.id in seen:
                    outcome.acks.append(d)  # a redelivery: already applied
                    continue
                handler = self.handlers.get(envelope.type)
                savepoint = session.begin_nested() if isolate else None
                try:
                    if handler is not None:  # an event bound but not handled is just recorded
                        handler(session, envelope, data)
                    if savepoint is not None:
                        savepoint.commit()
                except Exception as exc:
                    if savepoint is None:
                        raise _Isolate() from exc
                    savepoint.rollback()
                    log.exception("%s: handler for %s failed", self.queue.name, envelope.type)
                    outcome.republish.append((d, self._retry_or_dead(d, exc)))
                    continue
                seen.add(envelope.id)
                done.append(envelope.id)
                outcome.acks.append(d)
            if self.use_inbox and done:
                now = datetime.now(UTC)
                session.execute(
                    insert(inbox),
                    [{"queue": self.queue.name, "message_id": i, "processed_at": now} for i in done],
                )
        self.processed += len(done)
        return outcome

    def _in_inbox(self, session: Session, message_ids: list[str]) -> set[str]:
        if not self.use_inbox or not message_ids:
            return set()
        rows = session.execute(
            select(inbox.c.message_id).where(
                inbox.c.queue == self.queue.name, inbox.c.message_id.in_(message_ids)
            )
        )
        return {r.message_id for r in rows}

    def _retry_or_dead(self, d: Delivery, exc: Exception) -> Outgoing:
        attempt = m.attempt_of(d.props)
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LEN]
        delays = self.settings.retry_delays_s
        if attempt > len(delays):
            return self._dead_letter(d, error)
        props = m.with_headers(d.props, **{m.ATTEMPT: attempt + 1, m.ERROR: error})
        return Outgoing("", retry_queue(self.queue.name, delays[attempt - 1]), d.body, props)

    def _dead_letter(self, d: Delivery, error: str) -> Outgoing:
        self.dead_lettered += 1
        props = m.with_headers(
            d.props,
            **{
                m.ERROR: error[:MAX_ERROR_LEN],
                m.QUEUE: self.queue.name,
                m.ATTEMPT: m.attempt_of(d.props),
                m.FAILED_AT: datetime.now(UTC).isoformat(),
            },
        )
        log.error("%s: dead-lettering %s: %s", self.queue.name, d.props.message_id, error)
        return Outgoing(DEAD_LETTER_EXCHANGE, self.queue.name, d.body, props)
