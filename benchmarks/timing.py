"""Timing shared by the in-process benchmarks: medians after a warm-up, and the import floor."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of `work` over `repeat` calls, after one warm-up call."""
    work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_floor(repeat: int) -> float:
    """Median seconds of a fresh `python -c "import pandas, pulp, highspy, pydantic"`."""
    command = [sys.executable, "-c", "import pandas, pulp, highspy, pydantic"]
    return median_seconds(lambda: subprocess.run(command, check=True), repeat)


@contextmanager
def highs_seconds() -> Iterator[list[float]]:
    """Seconds spent inside HiGHS (`Highs.run`) while the block runs: [total] once it ends.
    Instrumentation for benchmarks only: it wraps the method for the block's duration."""
    import highspy

    spent = [0.0]
    original = highspy.Highs.run

    def timed(self: highspy.Highs, *args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    highspy.Highs.run = timed
    try:
        yield spent
    finally:
        highspy.Highs.run = original
