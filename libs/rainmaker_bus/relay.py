"""The outbox relay: publishes committed outbox rows with confirms, marks them sent after.

A crash between publish and mark re-publishes those rows later (consumers' inboxes absorb
the duplicate); a row is never marked sent before the broker confirmed it.

While the outbox has a backlog, `relay_window` batches are in flight at once: the next batch
is read and published while the broker confirms the previous ones, and batches are marked
sent in order, each only once its own confirms are in.
"""

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rainmaker_bus.link import AmqpLink, Confirmation, Outgoing, PublishError
from rainmaker_bus.messages import properties_for
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.tables import outbox
from rainmaker_contracts.topology import EXCHANGE
from rainmaker_db import Database

log = logging.getLogger(__name__)


@dataclass
class _Flight:
    ids: list[int]
    confirmation: Confirmation
    session: Session | None  # PostgreSQL: the open transaction holding the rows' locks

    def abandon(self) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()


class Relay:
    def __init__(
        self, db: Database, settings: BusSettings, name: str = "relay", *, confirms: bool = True
    ) -> None:
        self.db = db
        self.settings = settings
        self.link = AmqpLink(settings, name, confirms=confirms)
        self.stopping = threading.Event()
        self.published = 0  # rows confirmed and marked sent
        self._last_purge = datetime.min.replace(tzinfo=UTC)

    def run(self) -> None:
        self.link.start()
        try:
            while not self.stopping.is_set():
                try:
                    sent = self.drain()
                    if sent == 0:
                        self._purge_old()
                except (PublishError, SQLAlchemyError) as exc:
                    # Broker or database away: nothing unconfirmed was marked, so retry later.
                    log.warning("relay: %s; retrying", exc)
                    self.stopping.wait(0.5)
                    continue
                if sent == 0:
                    self.stopping.wait(self.settings.relay_idle_s)
        finally:
            self.link.stop()

    def stop(self) -> None:
        self.stopping.set()

    def relay_once(self) -> int:
        """Publish one batch of unsent rows and mark it; returns how many were sent."""
        flight = self._launch(after_id=0)
        return self._land(flight) if flight else 0

    def drain(self) -> int:
        """Publish until no unsent row is left, `relay_window` batches in flight at a time."""
        flights: deque[_Flight] = deque()
        sent, after_id = 0, 0
        try:
            while not self.stopping.is_set():
                if len(flights) < self.settings.relay_window:
                    flight = self._launch(after_id)
                    if flight is not None:
                        flights.append(flight)
                        after_id = flight.ids[-1]
                        continue
                if not flights:
                    break
                sent += self._land(flights.popleft())
        finally:
            for flight in flights:  # not confirmed: stays unsent, re-published later
                flight.abandon()
        return sent

    def _launch(self, after_id: int) -> _Flight | None:
        """Read the next batch of unsent rows (ids above `after_id`) and start publishing it."""
        query = self._pending_query(after_id)
        session: Session | None = None
        if self.db.is_sqlite:
            # SQLite: read without holding the write lock while confirms are awaited.
            with self.db.reader() as reader:
                rows = reader.execute(query).all()
        else:
            # PostgreSQL: lock the rows so competing relays skip them; inserts are not blocked.
            session = self.db.sessions()
            session.begin()
            rows = session.execute(query.with_for_update(skip_locked=True)).all()
        if not rows:
            if session is not None:
                session.close()
            return None
        messages = []
        for row in rows:
            body = row.body.encode()
            messages.append(Outgoing(EXCHANGE, row.event_type, body, properties_for(body)))
        flight = _Flight([r.id for r in rows], Confirmation(0), session)
        try:
            flight.confirmation = self.link.start_publish(messages)
        except BaseException:
            flight.abandon()
            raise
        return flight

    def _land(self, flight: _Flight) -> int:
        """Wait for the flight's confirms, then mark its rows sent."""
        try:
            self.link.wait_confirmed(flight.confirmation)
            if flight.session is None:
                with self.db.transaction() as session:
                    self._mark_sent(session, flight.ids)
            else:
                self._mark_sent(flight.session, flight.ids)
                flight.session.commit()
                flight.session.close()
        except BaseException:
            flight.abandon()
            raise
        self.published += len(flight.ids)
        return len(flight.ids)

    def _pending_query(self, after_id: int) -> Select[Any]:
        return (
            select(outbox.c.id, outbox.c.event_type, outbox.c.body)
            .where(outbox.c.published_at.is_(None), outbox.c.id > after_id)
            .order_by(outbox.c.id)
            .limit(self.settings.relay_batch)
        )

    @staticmethod
    def _mark_sent(session: Session, ids: list[int]) -> None:
        session.execute(
            update(outbox).where(outbox.c.id.in_(ids)).values(published_at=datetime.now(UTC))
        )

    def _purge_old(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_purge < timedelta(minutes=5):
            return
        self._last_purge = now
        cutoff = now - timedelta(hours=self.settings.outbox_retention_h)
        with self.db.transaction() as session:
            session.execute(
                delete(outbox).where(
                    outbox.c.published_at.is_not(None), outbox.c.published_at < cutoff
                )
            )
