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


def test_between_batches_collects_everything_every_few_batches() -> None:
    from rainmaker_bus.collector import FULL_EVERY

    with between_batches() as collect:
        survivor = _Node()
        collect()  # survives its batch: now in the oldest generation
        gone = weakref.ref(survivor)
        del survivor
        for _ in range(FULL_EVERY - 2):
            collect()
        assert gone() is not None  # young collections leave the oldest generation alone
        collect()  # the FULL_EVERY-th
        assert gone() is None
