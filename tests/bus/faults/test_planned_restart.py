"""A planned broker restart: running relay and consumer resume within 30 s, same processes.

Both `rabbitmqctl stop_app`/`start_app` and a full node stop/start. The negative control: a
plain pika connection opened before the restart is closed by the broker
(ConnectionClosedByBroker, which pika's own example treats as final), proving it really hit.
"""

import threading
import time

import pika
import pytest
from pika.exceptions import ConnectionClosedByBroker, StreamLostError

from rainmaker_bus import Consumer, Relay
from tests.bus.app import QUEUE, Behaviour, effect_counts, emit, handlers, setup_db
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.fault


def restart(node, how):
    if how == "stop_app":
        node.stop_app()
        time.sleep(2)  # stays down for a moment: clients see refused connections
        node.start_app()
    else:
        node.stop()
        node.start()


@pytest.mark.parametrize("how", ["stop_app", "node_restart"])
def test_consumer_and_relay_resume_after_planned_restart(
    fault_rabbit, fault_url, tmp_path, in_thread, how
):
    db = setup_db(f"sqlite:///{tmp_path / 'svc.db'}")
    settings = fast_settings(fault_url)
    consumer, relay = Consumer(db, settings, QUEUE, handlers(Behaviour())), Relay(db, settings)
    threads = [in_thread(consumer), in_thread(relay)]
    emit(db, list(range(50)))
    wait_for(lambda: len(effect_counts(db)) == 50, 30, message="first 50 applied")
    probe = pika.BlockingConnection(pika.URLParameters(fault_url))

    restart(fault_rabbit, how)
    back = time.monotonic()
    emit(db, list(range(50, 100)))
    wait_for(lambda: len(effect_counts(db)) == 100, 30, message="events after the restart")
    print(f"\n{how}: resumed {time.monotonic() - back:.1f}s after the broker was back")

    assert all(isinstance(t, threading.Thread) and t.is_alive() for t in threads)
    assert consumer.link.reconnects >= 1 and relay.link.reconnects >= 1
    assert set(effect_counts(db).values()) == {1}
    # The control: the plain connection did not survive.
    with pytest.raises((ConnectionClosedByBroker, StreamLostError)):
        probe.process_data_events(time_limit=1)
