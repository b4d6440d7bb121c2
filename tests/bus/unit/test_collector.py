"""Collector settings for bulk jobs: off while a batch is alive, young objects collected
between batches, the collector as it was afterwards."""

import gc
import weakref

from rainmaker_bus.collector import between_batches


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_between_batches_frees_a_batchs_cycles_at_the_boundary() -> None:
    assert gc.isenabled()
    with between_batches() as collect:
        assert not gc.isenabled()
        gone = weakref.ref(_Node())
        assert gone() is not None  # no automatic collection inside a batch
        collect()
        assert gone() is None
    assert gc.isenabled()


def test_between_batches_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with between_batches():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
