"""Helpers shared by every test suite: polling with a deadline, unique ids, free ports."""

from .ids import free_port, unique_id
from .polling import wait_for

__all__ = ["free_port", "unique_id", "wait_for"]
