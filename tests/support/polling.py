"""Await asynchronous results by polling with a deadline (never a bare sleep)."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.05,
    message: str = "condition",
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call `predicate` until it returns a truthy value and return that value.

    Exceptions listed in `ignore` count as "not yet" (e.g. ConnectionError while a server
    restarts); any other exception propagates at once. After `timeout` seconds, fail with an
    AssertionError naming `message`, the last value and the last ignored exception.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    error: BaseException | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
            last, error = value, None
        except ignore as exc:
            error = exc
        if time.monotonic() >= deadline:
            detail = f"; last error: {error!r}" if error else f"; last value: {last!r}"
            raise AssertionError(f"timed out after {timeout:g}s waiting for {message}{detail}")
        time.sleep(interval)
