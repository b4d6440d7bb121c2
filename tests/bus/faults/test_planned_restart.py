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
from rainmaker_bus.topology import queue_specs
from tests.bus.app import QUEUE, Behaviour, effect_counts, emit, handlers, setup_db
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.fault

# The leader of every at-least-once quorum queue runs a dead-letter worker under
# rabbit_fifo_dlx_sup; sys:get_state returns once a worker has checked in with its queue.
DLX_WORKERS = (
    "Ws = [P || {_, P, _, _} <- supervisor:which_children(rabbit_fifo_dlx_sup), is_pid(P)], "
    "[catch sys:get_state(P, 5000) || P <- Ws], length(Ws)."
)


def restart(node, how):
    if how == "stop_app":
        node.stop_app()
        time.sleep(2)  # stays down for a moment: clients see refused connections
        node.start_app()
    else:
        node.stop()
        node.start()


def wait_recovered(node, settings):
    """Wait until the restarted node's quorum queues run again, dead-letter workers included.
    They come back asynchronously after the AMQP listener. Deleting the vhost while they do
    (this test's teardown) crashes RabbitMQ 3.10's rabbit_fifo_dlx_sup for good: every quorum
    queue declared on the node afterwards fails with INTERNAL_ERROR (541), and the next test
    of this module timed out before its own restart (seen under CPU load)."""
    specs = queue_specs(settings)
    expected = sum(args.get("x-dead-letter-strategy") == "at-least-once" for _, args in specs)
    wait_for(
        lambda: int(node.ctl("eval", DLX_WORKERS).strip()) >= expected,
        60,
        interval=0.2,
        message="quorum queues and their dead-letter workers back",
    )


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
    wait_recovered(fault_rabbit, settings)  # before the teardown deletes the vhost
