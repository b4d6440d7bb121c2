"""The one place that talks AMQP: topology, outbox + relay, consumer + inbox, dead letters.

Services use `add_event(s)` inside their own transaction, run `Relay` and `Consumer` as
processes, and never import pika.
"""

from rainmaker_bus.consumer import Batched, Consumer, Handler
from rainmaker_bus.outbox import add_event, add_events
from rainmaker_bus.relay import Relay
from rainmaker_bus.settings import BusSettings
from rainmaker_bus.tables import create_bus_tables

__all__ = [
    "Batched",
    "BusSettings",
    "Consumer",
    "Handler",
    "Relay",
    "add_event",
    "add_events",
    "create_bus_tables",
]
