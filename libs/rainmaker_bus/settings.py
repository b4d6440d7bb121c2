"""Bus settings from the environment; defaults are for the local development node only."""

import os
from dataclasses import dataclass, field

DEV_AMQP_URL = "amqp://guest:guest@localhost:5672/%2F"


def _floats(raw: str) -> tuple[float, ...]:
    return tuple(float(x) for x in raw.split(",") if x.strip())


@dataclass(frozen=True)
class BusSettings:
    amqp_url: str = DEV_AMQP_URL
    heartbeat_s: int = 30
    # Twice the batch, so the next batch is already here while one commits.
    prefetch: int = 200
    # Messages a consumer handles in one database transaction (one commit, many acks).
    batch_size: int = 100
    # Back-off before each retry of a failing handler; attempts = len(retry_delays_s) + 1.
    retry_delays_s: tuple[float, ...] = (1.0, 10.0, 60.0)
    # Broker-side cap on redeliveries (a handler that crashes the process every time).
    delivery_limit: int = 10
    # Starts of a redelivered message that never finished (its handler killed the process)
    # before the consumer dead-letters it itself; keep it well below delivery_limit, whose
    # count also rises for every message that merely sat in the prefetch window of a crash.
    crash_limit: int = 3
    relay_batch: int = 500
    # Batches a relay keeps unconfirmed at once while it drains a backlog.
    relay_window: int = 3
    relay_idle_s: float = 0.2
    confirm_timeout_s: float = 30.0
    reconnect_max_s: float = 5.0
    outbox_retention_h: float = 24.0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "BusSettings":
        env = os.environ
        base = cls()
        return cls(
            amqp_url=env.get("AMQP_URL", DEV_AMQP_URL),
            heartbeat_s=int(env.get("BUS_HEARTBEAT_S", base.heartbeat_s)),
            prefetch=int(env.get("BUS_PREFETCH", base.prefetch)),
            batch_size=int(env.get("BUS_BATCH_SIZE", base.batch_size)),
            retry_delays_s=_floats(env["BUS_RETRY_DELAYS_S"])
            if "BUS_RETRY_DELAYS_S" in env
            else base.retry_delays_s,
            delivery_limit=int(env.get("BUS_DELIVERY_LIMIT", base.delivery_limit)),
            crash_limit=int(env.get("BUS_CRASH_LIMIT", base.crash_limit)),
            relay_batch=int(env.get("BUS_RELAY_BATCH", base.relay_batch)),
            relay_window=int(env.get("BUS_RELAY_WINDOW", base.relay_window)),
            relay_idle_s=float(env.get("BUS_RELAY_IDLE_S", base.relay_idle_s)),
            confirm_timeout_s=float(env.get("BUS_CONFIRM_TIMEOUT_S", base.confirm_timeout_s)),
        )
