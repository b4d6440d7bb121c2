"""The outbox relay: publishes committed outbox rows with confirms, marks them sent after.

A crash between publish and mark re-publishes those rows later (consumers' inboxes absorb
the duplicate); a row is never marked sent before the broker confirmed it.
"""

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rainmaker_bus.link import AmqpLink, Outgoing, PublishError
from rainmaker_bus.messages import properties_for
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.tables import outbox
from rainmaker_contracts.topology import EXCHANGE
from rainmaker_db import Database

log = logging.getLogger(__name__)


class Relay:
    def __init__(
        self, db: Database, settings: BusSettings, name: str = "relay", *, confirms: bool = True
    ) -> None:
        self.db = db
        self.settings = settings
        self.link = AmqpLink(settings, name, confirms=confirms)
        self.stopping = threading.Event()
        self.published = 0
        self._last_purge = datetime.min.replace(tzinfo=UTC)

    def run(self) -> None:
        self.link.start()
        try:
            while not self.stopping.is_set():
                try:
                    sent = self.relay_once()
                    if sent == 0:
                        self._purge_old()
                except (PublishError, SQLAlchemyError) as exc:
                    # Broker or database away: nothing was marked sent, so retry after a pause.
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
        """Publish one batch of unsent rows; returns how many were sent."""
        if self.db.is_sqlite:
            # SQLite: read without holding the write lock while we wait for confirms.
            with self.db.reader() as session:
                rows = session.execute(self._pending_query()).all()
            self._publish(rows)
            with self.db.transaction() as session:
                self._mark_sent(session, [r.id for r in rows])
            return len(rows)
        # PostgreSQL: lock the rows so competing relays skip them; inserts are not blocked.
        with self.db.transaction() as session:
            rows = session.execute(self._pending_query().with_for_update(skip_locked=True)).all()
            self._publish(rows)
            self._mark_sent(session, [r.id for r in rows])
        return len(rows)

    def _pending_query(self) -> Select[Any]:
        return (
            select(outbox.c.id, outbox.c.event_type, outbox.c.body)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self.settings.relay_batch)
        )

    def _publish(self, rows: Sequence[Row[Any]]) -> None:
        messages = []
        for row in rows:
            body = row.body.encode()
            messages.append(Outgoing(EXCHANGE, row.event_type, body, properties_for(body)))
        self.link.publish_many(messages)
        self.published += len(messages)

    @staticmethod
    def _mark_sent(session: Session, ids: list[int]) -> None:
        if ids:
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
