"""What recording a run in the plan registry adds to `optimiser solve` (SQLite, the default).

    python -m benchmarks.registry               # example and Morocco datasets, 7 runs each
    python -m benchmarks.registry --repeat 15

Two measurements:
1. End to end: `optimiser solve --no-report` as a new process, alternately with `--no-record`
   and with recording into an SQLite registry that exists already (the usual case); medians of
   the wall times, their difference and ratio. Process start-up and imports are included, so
   this is what a planner waits. The very first recorded solve on a fresh machine creates the
   database (SQLAlchemy and Alembic imported, migrations applied): timed once, separately.
2. In process: `Recording.start` and `finish` (registry opened and its schema checked;
   dataset fingerprint, scenario text, the row built and inserted in one transaction) on the
   plan of a real solve, median of many calls: the cost of recording itself, without the
   noise of process start-up on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = {"example": ROOT / "data" / "example", "morocco-2024": ROOT / "data" / "morocco-2024"}


def _solve(data: Path, out: Path, env: dict[str, str], record: bool) -> float:
    command = [sys.executable, "-m", "optimiser", "solve", "--data", str(data), "--out",
               str(out), "--quiet", "--no-report", "--no-timestamp"]
    if not record:
        command.append("--no-record")
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    return time.perf_counter() - start


def end_to_end(name: str, data: Path, repeat: int, tmp: Path) -> dict[str, float]:
    """Median wall seconds with and without recording, alternating (same machine noise)."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp / f"xdg-{name}")}
    env.pop("OPTIMISER_DATABASE_URL", None)
    out = tmp / f"plan-{name}"
    _solve(data, out, env, record=False)  # warm the file cache
    first = _solve(data, out, env, record=True)  # creates the registry
    with_record, without = [], []
    for _ in range(repeat):
        without.append(_solve(data, out, env, record=False))
        with_record.append(_solve(data, out, env, record=True))
    return {"first": first, "without": statistics.median(without),
            "with": statistics.median(with_record)}


def in_process(data: Path, repeat: int, tmp: Path) -> dict[str, float]:
    """Median milliseconds of opening the registry and recording one solved plan in it."""
    from rich.console import Console

    from optimiser.cli import SolveOptions, _solve_and_write
    from optimiser.pipeline import load_inputs
    from optimiser.registry.record import read_plan_files
    from optimiser.registry.recorder import Recording

    db = f"sqlite:///{tmp / 'in-process.sqlite3'}"
    options = {"no_timestamp": True, "report": False, "check_monotone": False,
               "forbid_paradox": False}
    Recording.start(db, data, None, options).finish(1)  # creates the registry
    inputs = load_inputs(data, None)
    folder = tmp / "in-process-plan"
    with open(os.devnull, "w") as sink:
        quiet = Console(file=sink)
        _solve_and_write(inputs, SolveOptions(folder, True, True, False, False, False, None),
                         quiet, quiet)
    plan_json, tables = read_plan_files(folder)
    document = json.loads(plan_json)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        recording = Recording.start(db, data, None, options)
        recording.inputs, recording.document = inputs, document
        recording.plan_json, recording.tables = plan_json, tables
        recording.finish(0)
        times.append(time.perf_counter() - start)
    size = len(plan_json.encode()) + sum(len(t.encode()) for t in tables.values())
    return {"record_ms": 1000 * statistics.median(times), "row_kb": size / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS), choices=list(DATASETS))
    args = parser.parse_args()
    print("| dataset | plan.json + tables KB | solve --no-record s | solve (recorded) s | "
          "difference ms | ratio | first run (creates registry) s | open + record in process ms |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as folder:
        tmp = Path(folder)
        for name in args.datasets:
            wall = end_to_end(name, DATASETS[name], args.repeat, tmp)
            inner = in_process(DATASETS[name], 5 * args.repeat, tmp)
            diff = 1000 * (wall["with"] - wall["without"])
            print(f"| {name} | {inner['row_kb']:.0f} | {wall['without']:.3f} | "
                  f"{wall['with']:.3f} | {diff:+.0f} | {wall['with'] / wall['without']:.3f} | "
                  f"{wall['first']:.2f} | {inner['record_ms']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
