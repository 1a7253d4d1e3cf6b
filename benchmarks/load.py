"""Loader speed: `load_dataset` on 1 and 2 million workforce rows, against `pandas.read_csv`.

Run as `python -m benchmarks.load [ROWS ...]`. Each dataset is a seeded synthetic one
(benchmarks/synthetic.py) of 200 specialties and ROWS / 200 delegations, written to a temporary
folder; capacity.csv is left empty so that workforce.csv is the bulk of the work. pandas reads
the same workforce.csv with its C parser, without any validation: the ratio is what checking
every cell, with exact line numbers for errors, costs over the fastest plain read.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.synthetic import write_synthetic
from optimiser.data import load_dataset

SPECIALTIES = 200


def best_of(runs: int, task: object) -> float:
    """Fastest of a few runs, in seconds (the machine is shared: the minimum is the cost)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return min(times)


def bench(rows: int, runs: int = 2) -> dict[str, float]:
    """Time both readers on a dataset of `rows` workforce rows."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_synthetic(Path(tmp) / "data", rows // SPECIALTIES, SPECIALTIES,
                                 capacity_share=0.0)
        workforce = folder / "workforce.csv"
        dataset = load_dataset(folder)
        assert len(dataset.workforce) == rows, len(dataset.workforce)
        return {
            "rows": rows,
            "mb": workforce.stat().st_size / 2**20,
            "load_dataset": best_of(runs, lambda: load_dataset(folder)),
            "read_csv": best_of(runs, lambda: pd.read_csv(workforce)),
        }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1_000_000, 2_000_000]
    print(f"{'rows':>10} {'MB':>6} {'load_dataset s':>15} {'pandas.read_csv s':>18} {'ratio':>6}")
    for rows in sizes:
        r = bench(rows)
        print(f"{r['rows']:>10,} {r['mb']:>6.1f} {r['load_dataset']:>15.2f} "
              f"{r['read_csv']:>18.2f} {r['load_dataset'] / r['read_csv']:>6.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
