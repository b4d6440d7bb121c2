"""One AMQP connection whose I/O loop runs on its own thread.

Why a thread with pika's SelectConnection: the loop never runs user code, so heartbeats are
answered while handlers work for minutes; publishes are pipelined and confirmed in batches
instead of one round trip each; and every close (network loss, `kill -9`, a planned
`rabbitmqctl stop` that raises ConnectionClosedByBroker) leads to the same reconnect path.

Other threads talk to the loop only through `add_callback_threadsafe`.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.channel import Channel
from pika.spec import Basic, BasicProperties

from rainmaker_bus.settings import BusSettings
from rainmaker_bus.topology import declare_topology

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    """A batch was not confirmed by the broker (nack, connection loss or timeout)."""


@dataclass
class Outgoing:
    exchange: str
    routing_key: str
    body: bytes
    properties: BasicProperties


@dataclass
class Confirmation:
    """The broker's verdict on one batch of publishes: done once all are settled."""

    remaining: int
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None

    def __post_init__(self) -> None:
        if self.remaining <= 0:
            self.done.set()

    def settle(self, ok: bool, why: str = "nacked by broker") -> None:
        if not ok and self.error is None:
            self.error = why
        self.remaining -= 1
        if self.remaining <= 0:
            self.done.set()

    def fail(self, why: str) -> None:
        self.error = self.error or why
        self.done.set()


ChannelHook = Callable[[Channel, int], None]
DeliveryHook = Callable[[Channel, Basic.Deliver, BasicProperties, bytes], None]


class AmqpLink:
    """A self-healing connection + confirm-mode channel, shared by a relay or a consumer."""

    def __init__(
        self,
        settings: BusSettings,
        name: str,
        *,
        on_channel: ChannelHook | None = None,
        confirms: bool = True,
        declare: bool = True,
    ) -> None:
        self.settings = settings
        self.name = name
        self._on_channel = on_channel
        self._confirms = confirms  # False only for the fault tests' negative control
        self._declare = declare
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: pika.SelectConnection | None = None
        self._channel: Channel | None = None
        self._pending: dict[int, Confirmation] = {}
        self._next_tag = 0
        self._low_tag = 1  # every tag below this one is settled (confirms arrive in order)
        self._unsettled: set[int] = set()  # deliveries on this channel not yet acked or nacked
        self.generation = 0  # bumps with every new channel; stale delivery tags are dropped
        self.reconnects = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return  # already connecting or connected
        self._thread = threading.Thread(target=self._run, name=f"amqp-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.call_soon(self._close)
        if self._thread:
            self._thread.join(timeout)

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    def call_soon(self, fn: Callable[[], None]) -> bool:
        """Run `fn` on the I/O thread; False when there is no live connection to run it on."""
        conn = self._conn
        if conn is None or conn.is_closed:
            return False
        try:
            conn.ioloop.add_callback_threadsafe(fn)
        except Exception:  # the loop closed between the check and the call
            return False
        return True

    def _run(self) -> None:
        delay = 0.2
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                if self._declare:
                    declare_topology(self.settings)
                params = pika.URLParameters(self.settings.amqp_url)
                params.heartbeat = self.settings.heartbeat_s
                params.connection_attempts = 1
                params.blocked_connection_timeout = 60
                self._conn = pika.SelectConnection(
                    params,
                    on_open_callback=self._on_open,
                    on_open_error_callback=self._on_open_error,
                    on_close_callback=self._on_closed,
                )
                self._conn.ioloop.start()
            except Exception as exc:
                log.warning("%s: connection attempt failed: %s", self.name, exc)
            self._ready.clear()
            self._fail_pending("connection lost")
            if self._stopping.is_set():
                break
            # Back off, but reset once a connection lived long enough to count as healthy.
            delay = (
                0.2
                if time.monotonic() - started > 10
                else min(delay * 2, self.settings.reconnect_max_s)
            )
            self.reconnects += 1
            self._stopping.wait(delay)

    # -- pika callbacks (I/O thread) -------------------------------------------------------------
    def _on_open(self, conn: pika.SelectConnection) -> None:
        conn.channel(on_open_callback=self._on_channel_open)

    def _on_open_error(self, conn: pika.SelectConnection, err: BaseException) -> None:
        log.warning("%s: cannot open connection: %s", self.name, err)
        conn.ioloop.stop()

    def _on_closed(self, conn: pika.SelectConnection, reason: BaseException) -> None:
        # Every close is treated alike, ConnectionClosedByBroker from a planned stop included.
        if not self._stopping.is_set():
            log.warning("%s: connection closed (%s); reconnecting", self.name, reason)
        self._channel = None
        conn.ioloop.stop()

    def _on_channel_open(self, channel: Channel) -> None:
        self._channel = channel
        self._next_tag = 0
        self._low_tag = 1
        self._unsettled = set()
        channel.add_on_close_callback(self._on_channel_closed)
        if self._confirms:
            channel.confirm_delivery(
                ack_nack_callback=self._on_confirm, callback=self._on_confirm_ok
            )
        else:
            self._on_confirm_ok(None)

    def _on_confirm_ok(self, _frame: Any) -> None:
        assert self._channel is not None
        self.generation += 1
        if self._on_channel:
            self._on_channel(self._channel, self.generation)
        self._ready.set()
        log.info("%s: channel ready (generation %d)", self.name, self.generation)

    def _on_channel_closed(self, channel: Channel, reason: BaseException) -> None:
        log.warning("%s: channel closed: %s", self.name, reason)
        self._ready.clear()
        self._channel = None
        self._fail_pending(f"channel closed: {reason}")
        if self._conn and self._conn.is_open:
            self._conn.close()

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        ok = isinstance(method, Basic.Ack)
        upto = int(method.delivery_tag)
        # A multiple confirm settles everything up to its tag: walk from the lowest unsettled
        # tag instead of scanning every pending tag (that was quadratic in the window size).
        first = self._low_tag if method.multiple else upto
        for tag in range(first, upto + 1):
            batch = self._pending.pop(tag, None)
            if batch:
                batch.settle(ok)
        if method.multiple or upto == self._low_tag:
            self._low_tag = max(self._low_tag, upto + 1)
            while self._low_tag <= self._next_tag and self._low_tag not in self._pending:
                self._low_tag += 1

    def _fail_pending(self, why: str) -> None:
        pending, self._pending = self._pending, {}
        for batch in {id(b): b for b in pending.values()}.values():
            batch.fail(why)

    def _close(self) -> None:
        if self._conn and not (self._conn.is_closed or self._conn.is_closing):
            self._conn.close()

    # -- publishing --------------------------------------------------------------------------------
    def publish_many(self, messages: list[Outgoing], timeout: float | None = None) -> None:
        """Publish and block until the broker confirmed every message; raise PublishError if not."""
        if messages:
            self.wait_confirmed(self.start_publish(messages, timeout), timeout)

    def start_publish(self, messages: list[Outgoing], timeout: float | None = None) -> Confirmation:
        """Hand `messages` to the I/O thread; confirm them later with wait_confirmed()."""
        timeout = timeout or self.settings.confirm_timeout_s
        if not self._ready.wait(timeout):
            raise PublishError(f"{self.name}: broker not reachable")
        batch = Confirmation(remaining=len(messages))
        if not self.call_soon(lambda: self._publish(batch, messages)):
            raise PublishError(f"{self.name}: connection lost before publish")
        return batch

    def wait_confirmed(self, batch: Confirmation, timeout: float | None = None) -> None:
        """Block until every message of `batch` is confirmed; PublishError on nack/loss/timeout."""
        timeout = timeout or self.settings.confirm_timeout_s
        if not batch.done.wait(timeout):
            self.call_soon(lambda: batch.fail("confirm timeout"))
            raise PublishError(f"{self.name}: no confirm within {timeout}s")
        if batch.error:
            raise PublishError(f"{self.name}: {batch.error}")

    def _publish(self, batch: Confirmation, messages: list[Outgoing]) -> None:
        channel = self._channel
        if channel is None or not channel.is_open:
            batch.fail("channel not open")
            return
        for msg in messages:
            channel.basic_publish(msg.exchange, msg.routing_key, msg.body, msg.properties)
            if self._confirms:
                self._next_tag += 1
                self._pending[self._next_tag] = batch
            else:
                batch.settle(True)

    # -- consuming ---------------------------------------------------------------------------------
    def consume(
        self, channel: Channel, queue: str, prefetch: int, on_message: DeliveryHook
    ) -> None:
        """Start consuming on `channel` (from an on_channel hook); deliveries are tracked so that
        acks can be folded into one `multiple` ack."""

        def track(ch: Channel, method: Basic.Deliver, props: BasicProperties, body: bytes) -> None:
            self._unsettled.add(method.delivery_tag)
            on_message(ch, method, props, body)

        channel.basic_qos(prefetch_count=prefetch)
        channel.basic_consume(queue, on_message_callback=track, auto_ack=False)

    def ack(self, generation: int, delivery_tags: list[int]) -> None:
        """Ack from any thread; tags from an older channel are dropped (they get redelivered)."""

        def do() -> None:
            channel = self._channel
            if generation != self.generation or channel is None or not channel.is_open:
                return
            self._unsettled.difference_update(delivery_tags)
            # One `multiple` ack covers every tag below the oldest delivery still being worked
            # on: the broker then handles one frame per batch instead of one per message.
            oldest = min(self._unsettled, default=None)
            covered = [t for t in delivery_tags if oldest is None or t < oldest]
            if covered:
                channel.basic_ack(max(covered), multiple=True)
            for tag in delivery_tags:
                if oldest is not None and tag > oldest:
                    channel.basic_ack(tag)

        if delivery_tags:
            self.call_soon(do)

    def nack(self, generation: int, delivery_tag: int, requeue: bool = True) -> None:
        def do() -> None:
            if generation == self.generation and self._channel and self._channel.is_open:
                self._unsettled.discard(delivery_tag)
                self._channel.basic_nack(delivery_tag, requeue=requeue)

        self.call_soon(do)
