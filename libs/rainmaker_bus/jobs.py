"""Long-running jobs off a queue (an import of a million rows), one message at a time.

A job handler gets the Database, not a session: it commits its own work in steps and must be
resumable (it records its progress, and a redelivered message continues from there). The
consumer records the message in the inbox only after the job returned, acks after that, and
treats failures like any handler's: back-off retries, then the dead-letter queue. Handlers in
ordinary consumers cannot do this: their single transaction would hold SQLite's write lock
for the whole job and block the job's own commits.
"""

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from rainmaker_bus import guard
from rainmaker_bus.consumer import DB_ERRORS, Consumer, _Outcome
from rainmaker_bus.failures import Delivery, dead_letter, error_text, retry_or_dead
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.tables import inbox
from rainmaker_contracts import ContractError, Envelope, parse_envelope
from rainmaker_contracts.topology import DEAD_LETTER_EXCHANGE, ConsumerQueue
from rainmaker_db import Database

log = logging.getLogger(__name__)

JobHandler = Callable[[Database, Envelope, dict[str, Any]], None]
# Told that a job's last attempt failed and its message went to the dead-letter queue (with
# the error): a job that shows its state (an import's status) can say it stopped.
GaveUpHandler = Callable[[Database, Envelope, dict[str, Any], str], None]


class JobConsumer(Consumer):
    def __init__(
        self,
        db: Database,
        settings: BusSettings,
        queue_spec: ConsumerQueue,
        jobs: dict[str, JobHandler],
        gave_up: dict[str, GaveUpHandler] | None = None,
    ) -> None:
        # One job per worker at a time: others wait in the queue for the next free worker.
        super().__init__(db, replace(settings, prefetch=1, batch_size=1), queue_spec, {})
        self.jobs = jobs
        self.gave_up = gave_up or {}

    def _settle(self, batch: list[Delivery], guarded: bool = False) -> None:
        for d in batch:
            self._finish(self._run_job(d, guarded))

    def _run_job(self, d: Delivery, guarded: bool) -> _Outcome:
        try:
            envelope, data = parse_envelope(d.body)
        except ContractError as exc:
            return _Outcome(republish=[(d, dead_letter(self.queue.name, d, f"contract: {exc}"))])
        with self.db.reader() as session:
            if self._in_inbox(session, [envelope.id]):
                self.duplicates += 1
                return _Outcome(acks=[d])
        job = self.jobs.get(envelope.type)
        try:
            if job is not None:
                job(self.db, envelope, data)
        except Exception as exc:
            if isinstance(exc, DB_ERRORS):
                log.exception("%s: job %s hit a database error", self.queue.name, envelope.id)
            else:
                log.exception("%s: job %s failed", self.queue.name, envelope.id)
            error = error_text(exc)
            out = retry_or_dead(self.settings, self.queue.name, d, error)
            if out.exchange == DEAD_LETTER_EXCHANGE:
                self._tell_gave_up(envelope, data, error)
            return self._closing(d, guarded, out)
        with self.db.transaction() as session:
            session.execute(insert(inbox), {"queue": self.queue.name, "message_id": envelope.id,
                                            "processed_at": datetime.now(UTC)})  # fmt: skip
            if guarded and d.props.message_id:
                guard.clear(session, self.queue.name, [d.props.message_id])
        self.processed += 1
        return _Outcome(acks=[d])

    def _tell_gave_up(self, envelope: Envelope, data: dict[str, Any], error: str) -> None:
        hook = self.gave_up.get(envelope.type)
        if hook is None:
            return
        try:
            hook(self.db, envelope, data, error)
        except Exception:  # the dead letter still goes out: it is what a replay resumes from
            log.exception("%s: telling job %s it was given up failed", self.queue.name, envelope.id)

    def _closing(self, d: Delivery, guarded: bool, out: Any) -> _Outcome:
        if guarded and d.props.message_id:
            with self.db.transaction() as session:
                guard.clear(session, self.queue.name, [d.props.message_id])
        return _Outcome(republish=[(d, out)])
