"""Python's cycle collector, paused while a request builds tens of thousands of objects.

A page that reads a large organization into dicts, sets and tuples (the health analysis,
the quarter's planner) sets the collector off again and again: every few hundred new
containers a pass over the young ones, every few passes over older ones, and now and then
over every object in the process. Reference counting still frees what the work drops the
moment it drops it; only cycles wait for the collector's next pass.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block (left off if it was off already)."""
    running = gc.isenabled()
    if running:
        gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
