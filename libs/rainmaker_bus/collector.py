"""Garbage-collector settings for bulk work and for the long-running bus processes.

Imports and busy consumers allocate millions of short-lived objects (rows, parsed messages);
almost all are freed by reference counting, yet at CPython's default thresholds (700, 10, 10)
the cyclic collector ran so often that it cost a third of the time spent preparing an import's
chunks (100,000 rows: 16.0 s at the defaults, 10.4 s at THRESHOLDS) and about 15% of a
consumer's worker thread (50,000 `leads.ingested` handled in-process: 48.5 against
41.0 us a message). Long-running processes keep it running, less often (THRESHOLDS); a
batch job runs it between its batches only. Either way cycles are freed and memory stays
bounded.
"""

import gc
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 100)


FULL_EVERY = 10  # batches between full collections in a batch job


@contextmanager
def between_batches() -> Iterator[Callable[[], None]]:
    """For a job that works in batches (an import's chunks): no automatic collection while a
    batch is alive; call the yielded function after each batch, once the caller holds no
    reference to it. It collects the young generations, and every FULL_EVERY batches all of
    them, so a cycle that outlived its batch is freed within the job too. At THRESHOLDS the
    collector still ran several times in each chunk, each time walking the chunk's live rows.
    The collector is enabled again when the job ends, however it ends."""
    enabled = gc.isenabled()
    gc.disable()
    batches = itertools.count(1)

    def collect() -> None:
        gc.collect(2 if next(batches) % FULL_EVERY == 0 else 1)

    try:
        yield collect
    finally:
        if enabled:
            gc.enable()


def for_long_running_process() -> None:
    """Call once a consumer or relay process has started up, before its loop.

    Start-up objects (SQLAlchemy, marshmallow, pika, compiled loaders) live as long as the
    process: freezing them keeps every later full collection from walking them again."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
