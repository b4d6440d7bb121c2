"""Where a failed delivery goes next: the next back-off queue, or the dead-letter exchange."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from pika.spec import BasicProperties

from rainmaker_bus import messages as m
from rainmaker_bus.link import Outgoing
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.topology import retry_queue
from rainmaker_contracts.topology import DEAD_LETTER_EXCHANGE

log = logging.getLogger(__name__)

MAX_ERROR_LEN = 2000


@dataclass
class Delivery:
    generation: int  # the link's channel generation it arrived on (acks on another are void)
    tag: int
    redelivered: bool
    props: BasicProperties
    body: bytes


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LEN]


def retry_or_dead(settings: BusSettings, queue: str, d: Delivery, error: str) -> Outgoing:
    """Attempt n (1-based) failed: wait retry_delays_s[n-1] in a retry queue, or dead-letter."""
    attempt = m.attempt_of(d.props)
    delays = settings.retry_delays_s
    if attempt > len(delays):
        return dead_letter(queue, d, error)
    props = m.with_headers(d.props, **{m.ATTEMPT: attempt + 1, m.ERROR: error})
    return Outgoing("", retry_queue(queue, delays[attempt - 1]), d.body, props)


def dead_letter(queue: str, d: Delivery, error: str) -> Outgoing:
    props = m.with_headers(
        d.props,
        **{
            m.ERROR: error[:MAX_ERROR_LEN],
            m.QUEUE: queue,
            m.ATTEMPT: m.attempt_of(d.props),
            m.FAILED_AT: datetime.now(UTC).isoformat(),
        },
    )
    log.error("%s: dead-lettering %s: %s", queue, d.props.message_id, error)
    return Outgoing(DEAD_LETTER_EXCHANGE, queue, d.body, props)
