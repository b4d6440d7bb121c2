"""Declare the topology of rainmaker_contracts.topology on the broker, or export it as JSON.

Per consumer queue Q (quorum, durable):
  Q                 bound to the events exchange by routing key; a delivery-limit caps
                    redeliveries of a message that crashes its consumer; beyond it the broker
                    dead-letters at-least-once (needs overflow=reject-publish) into Q.dead.
  Q.retry.<ms>ms    one per back-off step: a message waits there for its TTL, then the broker
                    dead-letters it back into Q through the default exchange.
  Q.dead            where exhausted and invalid messages rest, with the reason in headers.
"""

import json
from pathlib import Path
from typing import Any

import pika

from rainmaker_bus.settings import BusSettings
from rainmaker_contracts.topology import (
    CONSUMER_QUEUES,
    DEAD_LETTER_EXCHANGE,
    EXCHANGE,
    ConsumerQueue,
)


def retry_queue(queue: str, delay_s: float) -> str:
    return f"{queue}.retry.{round(delay_s * 1000)}ms"


def queue_specs(settings: BusSettings) -> list[tuple[str, dict[str, Any]]]:
    """(queue name, arguments) for every queue, in declaration order."""
    specs: list[tuple[str, dict[str, Any]]] = []
    for q in CONSUMER_QUEUES:
        specs.append(
            (
                q.name,
                {
                    "x-queue-type": "quorum",
                    "x-delivery-limit": settings.delivery_limit,
                    "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                    "x-dead-letter-routing-key": q.name,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            )
        )
        for delay in settings.retry_delays_s:
            specs.append(
                (
                    retry_queue(q.name, delay),
                    {
                        "x-queue-type": "quorum",
                        "x-message-ttl": round(delay * 1000),
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": q.name,
                        "x-dead-letter-strategy": "at-least-once",
                        "x-overflow": "reject-publish",
                    },
                )
            )
        specs.append((q.dead, {"x-queue-type": "quorum"}))
    return specs


def bindings(q: ConsumerQueue) -> list[tuple[str, str, str]]:
    """(exchange, queue, routing key) triples."""
    out = [(EXCHANGE, q.name, key) for key in q.routing_keys]
    out.append((DEAD_LETTER_EXCHANGE, q.dead, q.name))
    return out


def declare_topology(settings: BusSettings) -> None:
    """Idempotent: declares exchanges, queues and bindings (run at every (re)connect)."""
    conn = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    try:
        ch = conn.channel()
        ch.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
        ch.exchange_declare(DEAD_LETTER_EXCHANGE, exchange_type="direct", durable=True)
        for name, args in queue_specs(settings):
            ch.queue_declare(name, durable=True, arguments=args)
        for q in CONSUMER_QUEUES:
            for exchange, queue, key in bindings(q):
                ch.queue_bind(queue, exchange, routing_key=key)
    finally:
        conn.close()


def definitions(settings: BusSettings, vhost: str = "/") -> dict[str, Any]:
    """The same topology in RabbitMQ's definitions.json format (importable by the broker)."""
    return {
        "exchanges": [
            {
                "name": name,
                "vhost": vhost,
                "type": kind,
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
            for name, kind in ((EXCHANGE, "topic"), (DEAD_LETTER_EXCHANGE, "direct"))
        ],
        "queues": [
            {"name": name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": args}
            for name, args in queue_specs(settings)
        ],
        "bindings": [
            {
                "source": exchange,
                "vhost": vhost,
                "destination": queue,
                "destination_type": "queue",
                "routing_key": key,
                "arguments": {},
            }
            for q in CONSUMER_QUEUES
            for exchange, queue, key in bindings(q)
        ],
    }


def export_definitions(settings: BusSettings, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(definitions(settings), indent=2) + "\n")
