"""Timing shared by the in-process benchmarks: medians after a warm-up, and the import floor."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable


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
