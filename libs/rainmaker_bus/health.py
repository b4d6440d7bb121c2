"""Readiness probe for the broker."""

import pika

from rainmaker_bus.settings import BusSettings


def check_broker(settings: BusSettings) -> None:
    """Raises when the broker cannot be reached and logged into within a few seconds."""
    params = pika.URLParameters(settings.amqp_url)
    params.socket_timeout = 3
    params.blocked_connection_timeout = 3
    params.connection_attempts = 1
    pika.BlockingConnection(params).close()
