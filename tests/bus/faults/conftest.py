"""Fault tests run on `fault_rabbit` (a private node, fresh per module, that may be killed).

Each test gets its own vhost (`fault_url`); a test that kills the node declares its topology
and syncs it to disk first (`declared`). Relays and consumers that get killed run as OS
processes (`procs`, tests/bus/worker.py).
"""

from collections.abc import Callable, Iterator

import pytest

from rainmaker_bus import BusSettings
from rainmaker_bus.topology import declare_topology
from tests.support import unique_id


@pytest.fixture
def fault_url(fault_rabbit) -> Iterator[str]:
    vhost = unique_id("fault")
    url: str = fault_rabbit.add_vhost(vhost)
    yield url
    if fault_rabbit.is_ready():
        fault_rabbit.delete_vhost(vhost)


@pytest.fixture
def declared(fault_rabbit) -> Callable[[BusSettings], None]:
    """Declare the topology for these settings and flush the node's metadata before a kill."""

    def declare(settings: BusSettings) -> None:
        declare_topology(settings)
        fault_rabbit.sync_metadata()

    return declare
