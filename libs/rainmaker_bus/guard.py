"""The crash guard: a message that kills its consumer process must not take its neighbours along.

The broker's delivery-limit counts every return of an unacked message, and a crashing process
returns its whole prefetch window. Left to the broker alone, the messages that sat in the window
beside a process-killing message reach the limit with it and are dead-lettered although they are
fine. So a redelivered message is handled alone, and before its handler starts the consumer
commits a marker; a message found with `crash_limit` unfinished starts is dead-lettered by the
consumer itself, well before its neighbours reach the broker's delivery-limit (the backstop).
"""

from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from rainmaker_bus.tables import attempts


def note_start(session: Session, queue: str, message_id: str) -> int:
    """Record one more start of `message_id`; returns how many earlier starts never finished."""
    key = (attempts.c.queue == queue) & (attempts.c.message_id == message_id)
    before = session.execute(select(attempts.c.attempts).where(key)).scalar_one_or_none()
    now = datetime.now(UTC)
    if before is None:
        session.execute(
            attempts.insert().values(queue=queue, message_id=message_id, attempts=1, updated_at=now)
        )
        return 0
    session.execute(update(attempts).where(key).values(attempts=before + 1, updated_at=now))
    return int(before)


def clear(session: Session, queue: str, message_ids: list[str]) -> None:
    if message_ids:
        session.execute(
            delete(attempts).where(
                attempts.c.queue == queue, attempts.c.message_id.in_(message_ids)
            )
        )
