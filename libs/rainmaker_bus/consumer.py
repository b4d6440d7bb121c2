"""The consumer: handlers run on a worker thread, effects and inbox commit together, then ack.

Per batch of deliveries (one transaction; one savepoint per message only when one fails):
  - a message that fails its contract is dead-lettered at once with the reason (retrying
    cannot fix it);
  - a message already in the inbox is acknowledged without running its handler;
  - a handler that raises is rolled back to its savepoint and the message is re-published to
    the next back-off queue, or dead-lettered with the error once its attempts are used up;
  - acks go to the I/O thread only after the commit, and re-publishes are confirmed before
    the original is acked, so a crash anywhere redelivers instead of losing;
  - a redelivered message (it may have killed the process last time) is handled alone, under
    the crash guard (see guard.py), so it cannot take its neighbours to the dead-letter queue.

A handler wrapped in `Batched` takes each run of consecutive messages of its type in one call
(one statement for a hundred small messages instead of one each); order across types is kept.
If it raises, the batch is redone message by message, so only the failing message is retried.
"""

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pika.channel import Channel
from pika.spec import Basic, BasicProperties
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rainmaker_bus import guard
from rainmaker_bus.failures import Delivery, dead_letter, error_text, retry_or_dead
from rainmaker_bus.link import AmqpLink, Outgoing, PublishError
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.tables import inbox
from rainmaker_contracts import ContractError, Envelope, parse_envelope
from rainmaker_contracts.topology import ConsumerQueue
from rainmaker_db import Database
from rainmaker_db.bulk import insert_rows

log = logging.getLogger(__name__)

Handler = Callable[[Session, Envelope, dict[str, Any]], None]
Message = tuple[Envelope, dict[str, Any]]


@dataclass(frozen=True)
class Batched:
    """A handler for many messages of one type at once: `fn(session, [(envelope, data), ...])`.

    It must give each message the effect it would have alone (the consumer calls it with a
    single message when it isolates a failure)."""

    fn: Callable[[Session, list[Message]], None]

    def one(self, session: Session, envelope: Envelope, data: dict[str, Any]) -> None:
        self.fn(session, [(envelope, data)])


# Errors of the database itself (not of a handler: those are caught per message).
DB_ERRORS = (SQLAlchemyError, OSError)
DB_TRIES = 3


class _Isolate(Exception):
    """A handler failed on the fast path: roll back and redo the batch message by message.

    `delivery` is the failed message when known; a failed `Batched` call names none, and all
    of its messages are run again one by one."""

    def __init__(self, delivery: Delivery | None, error: str) -> None:
        super().__init__(error)
        self.delivery = delivery
        self.error = error


@dataclass
class _Outcome:
    acks: list[Delivery] = field(default_factory=list)
    republish: list[tuple[Delivery, Outgoing]] = field(default_factory=list)


class Consumer:
    def __init__(
        self,
        db: Database,
        settings: BusSettings,
        queue_spec: ConsumerQueue,
        handlers: Mapping[str, Handler | Batched],
        *,
        use_inbox: bool = True,
    ) -> None:
        self.db = db
        self.settings = settings
        self.queue = queue_spec
        self.handlers = handlers
        self.use_inbox = use_inbox  # False only for the fault tests' negative control
        self.link = AmqpLink(settings, queue_spec.name, on_channel=self._start_consuming)
        # Filled by the I/O thread, drained by the worker; `arrived` wakes a waiting worker.
        self.deliveries: deque[Delivery] = deque()
        self.arrived = threading.Event()
        self.stopping = threading.Event()
        self.processed = 0  # messages whose handler ran and committed
        self.duplicates = 0  # deliveries acked without effect: their id was in the inbox
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
            d = Delivery(generation, method.delivery_tag, bool(method.redelivered), props, body)
            self.deliveries.append(d)
            if not self.arrived.is_set():
                self.arrived.set()

        self.link.consume(channel, self.queue.name, self.settings.prefetch, on_message)

    # -- worker thread -------------------------------------------------------------------------
    def _next_batch(self) -> list[Delivery]:
        # Clear before draining: a delivery appended after the drain sets the event again, so
        # none waits for the timeout. (A deque and an event: a queue.Queue took a lock and a
        # condition for every message on both threads.)
        self.arrived.clear()
        batch: list[Delivery] = []
        while self.deliveries and len(batch) < self.settings.batch_size:
            batch.append(self.deliveries.popleft())
        if not batch:
            self.arrived.wait(0.2)
            return []
        # Deliveries from a dead channel will be redelivered; handling them now is wasted work.
        return [d for d in batch if d.generation == self.link.generation]

    def _handle_batch(self, batch: list[Delivery]) -> None:
        fresh = [d for d in batch if not d.redelivered]
        if fresh:
            self._settle(fresh)
        for d in batch:
            if d.redelivered:
                self._settle_suspect(d)

    def _settle(self, batch: list[Delivery], guarded: bool = False) -> None:
        """Apply, then publish failures and ack; database errors are retried, then requeued."""
        for attempt in range(DB_TRIES):
            try:
                self._finish(self._apply(batch, guarded))
                return
            except DB_ERRORS as exc:
                # e.g. a competing consumer committed the same message first, or the database
                # is down: go one by one, and give each message a few tries with back-off.
                log.warning("%s: batch of %d failed: %s", self.queue.name, len(batch), exc)
                if len(batch) > 1:
                    for d in batch:
                        self._settle([d], guarded)
                    return
                if self.stopping.wait(min(0.5 * 2**attempt, 5.0)):
                    return  # not acked: redelivered to whoever consumes next
        self._nack(batch)

    def _settle_suspect(self, d: Delivery) -> None:
        message_id = d.props.message_id
        if not message_id or self.settings.crash_limit <= 0:
            self._settle([d])
            return
        try:
            with self.db.transaction() as session:
                if self._in_inbox(session, [message_id]):
                    crashes = -1
                else:
                    crashes = guard.note_start(session, self.queue.name, message_id)
                    if crashes >= self.settings.crash_limit:
                        guard.clear(session, self.queue.name, [message_id])
        except DB_ERRORS as exc:
            log.warning("%s: crash guard failed: %s", self.queue.name, exc)
            self._settle([d])
            return
        if crashes < 0:
            self.duplicates += 1
            self._ack([d])  # applied before the crash; only the ack was lost
        elif crashes >= self.settings.crash_limit:
            why = f"crashed the consumer: started {crashes} times without finishing"
            self._finish(_Outcome(republish=[(d, dead_letter(self.queue.name, d, why))]))
        else:
            self._settle([d], guarded=True)

    def _finish(self, outcome: _Outcome) -> None:
        try:
            self.link.publish_many([out for _, out in outcome.republish])
        except PublishError as exc:
            # Not acked but requeued: the inbox has no row for a failed message, so it runs again.
            log.warning("%s: could not re-publish failures: %s", self.queue.name, exc)
            self._ack(outcome.acks)
            self._nack([d for d, _ in outcome.republish])
            return
        self.dead_lettered += sum(1 for _, out in outcome.republish if out.exchange)
        self._ack(outcome.acks + [d for d, _ in outcome.republish])

    def _ack(self, deliveries: list[Delivery]) -> None:
        by_gen: dict[int, list[int]] = {}
        for d in deliveries:
            by_gen.setdefault(d.generation, []).append(d.tag)
        for gen, tags in by_gen.items():
            self.link.ack(gen, tags)

    def _nack(self, deliveries: list[Delivery]) -> None:
        for d in deliveries:
            self.link.nack(d.generation, d.tag, requeue=True)

    def _apply(self, batch: list[Delivery], guarded: bool = False) -> _Outcome:
        # Fast path: the whole batch in one transaction without savepoints (failures are rare);
        # if a handler raises, redo the batch with a savepoint around each message, without
        # running the one that failed again (it has had its attempt).
        try:
            return self._apply_batch(batch, isolate=False, guarded=guarded)
        except _Isolate as failure:
            known = {failure.delivery.tag: failure.error} if failure.delivery else {}
            return self._apply_batch(batch, isolate=True, guarded=guarded, failed=known)

    def _apply_batch(
        self,
        batch: list[Delivery],
        isolate: bool,
        guarded: bool,
        failed: dict[int, str] | None = None,
    ) -> _Outcome:
        outcome = _Outcome()
        parsed: list[tuple[Delivery, Envelope, dict[str, Any]]] = []
        for d in batch:
            try:
                envelope, data = parse_envelope(d.body)
            except ContractError as exc:
                out = dead_letter(self.queue.name, d, f"contract: {exc}")
                outcome.republish.append((d, out))
                continue
            parsed.append((d, envelope, data))
        done: list[str] = []
        dupes = 0
        run: list[tuple[Delivery, Envelope, dict[str, Any]]] = []  # for one Batched handler
        with self.db.transaction() as session:
            seen = self._in_inbox(session, [env.id for _, env, _ in parsed])
            for d, envelope, data in parsed:
                if envelope.id in seen:
                    outcome.acks.append(d)  # a redelivery: already applied
                    dupes += 1
                    continue
                if not isolate and isinstance(self.handlers.get(envelope.type), Batched):
                    if run and run[0][1].type != envelope.type:
                        self._run_batched(session, run)
                    # Counted as done now: if the call fails, the whole batch is redone.
                    run.append((d, envelope, data))
                    seen.add(envelope.id)
                    done.append(envelope.id)
                    outcome.acks.append(d)
                    continue
                self._run_batched(session, run)  # earlier messages first: order is kept
                error = (failed or {}).get(d.tag)
                if error is None:
                    error = self._run_handler(session, d, envelope, data, isolate)
                if error is not None:
                    out = retry_or_dead(self.settings, self.queue.name, d, error)
                    outcome.republish.append((d, out))
                    continue
                seen.add(envelope.id)
                done.append(envelope.id)
                outcome.acks.append(d)
            self._run_batched(session, run)
            if self.use_inbox and done:
                now = datetime.now(UTC)
                rows = [
                    {"queue": self.queue.name, "message_id": i, "processed_at": now} for i in done
                ]
                insert_rows(session, inbox, rows)
            if guarded:  # finished (applied, or handed to retry/dead-letter): forget the starts
                ids = [d.props.message_id for d in batch if d.props.message_id]
                guard.clear(session, self.queue.name, ids)
        self.processed += len(done)
        self.duplicates += dupes
        return outcome

    def _run_batched(
        self, session: Session, run: list[tuple[Delivery, Envelope, dict[str, Any]]]
    ) -> None:
        """Hand a run of same-type messages to their Batched handler (fast path); empties it."""
        if not run:
            return
        handler = self.handlers[run[0][1].type]
        assert isinstance(handler, Batched)
        messages = [(envelope, data) for _, envelope, data in run]
        run.clear()
        try:
            handler.fn(session, messages)
        except Exception as exc:
            log.exception("%s: batch handler for %s failed", self.queue.name, messages[0][0].type)
            raise _Isolate(None, error_text(exc)) from exc

    def _run_handler(
        self, session: Session, d: Delivery, envelope: Envelope, data: dict[str, Any], isolate: bool
    ) -> str | None:
        """Run the handler; the error text when it raised (only in isolate mode)."""
        found = self.handlers.get(envelope.type)
        if found is None:  # an event bound but not handled is just recorded
            return None
        handler = found.one if isinstance(found, Batched) else found
        if not isolate:
            try:
                handler(session, envelope, data)
            except Exception as exc:
                log.exception("%s: handler for %s failed", self.queue.name, envelope.type)
                raise _Isolate(d, error_text(exc)) from exc
            return None
        savepoint = session.begin_nested()
        try:
            handler(session, envelope, data)
        except Exception as exc:
            savepoint.rollback()
            log.exception("%s: handler for %s failed", self.queue.name, envelope.type)
            return error_text(exc)
        savepoint.commit()
        return None

    def _in_inbox(self, session: Session, message_ids: list[str]) -> set[str]:
        if not self.use_inbox or not message_ids:
            return set()
        rows = session.execute(
            select(inbox.c.message_id).where(
                inbox.c.queue == self.queue.name, inbox.c.message_id.in_(message_ids)
            )
        )
        return {r.message_id for r in rows}
