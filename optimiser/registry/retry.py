"""Run a database transaction again when it meets a busy database (both writers use it)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

ATTEMPTS = 6
T = TypeVar("T")


def retrying(work: Callable[[], T], is_transient: Callable[[BaseException], bool],
             attempts: int = ATTEMPTS) -> T:
    """`work()`, run again after a short random pause when it fails on a busy database.

    SQLite's busy timeout already queues writers; this covers the cases it does not (a lock
    taken while the WAL is being checkpointed or recovered), so no run is ever lost to them.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Exception as error:
            if attempt == attempts or not is_transient(error):
                raise
            time.sleep(random.uniform(0.05, 0.2) * attempt)
    raise AssertionError("unreachable")
