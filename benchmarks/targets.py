"""The performance targets of issue 17, each measured as a ratio within one run of this script
(absolute times differ about 3x between machines; a ratio to a floor measured on the same
machine at the same time does not).

    python -m benchmarks.targets            # every target (about 15 minutes on 2 cores)
    python -m benchmarks.targets --quick    # the national ones only (under a minute)

Each line: what is measured, the two times, the ratio, the target and whether it is met.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_FLOOR = [sys.executable, "-c", "import pandas, pulp, highspy, pydantic"]


@dataclass(frozen=True)
class Ratio:
    """One target: ours / floor <= target (or ours <= target for an absolute bound)."""

    name: str
    ours: float
    floor: float | None
    target: float
    unit: str = "s"

    @property
    def value(self) -> float:
        return self.ours / self.floor if self.floor else self.ours

    def line(self) -> str:
        met = "met" if self.value <= self.target else "NOT met"
        floor = "" if self.floor is None else f" / {self.floor:.2f} {self.unit}"
        kind = "x" if self.floor is not None else f" {self.unit}"
        return (f"| {self.name} | {self.ours:.2f} {self.unit}{floor} | {self.value:.2f}{kind} "
                f"| <= {self.target:g}{kind} | {met} |")


def _process_seconds(command: list[str], repeat: int, cwd: Path = ROOT) -> float:
    """Median wall time of a command run as a fresh process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _optimiser(*args: str) -> list[str]:
    return [sys.executable, "-m", "optimiser", *args]


def compile_bytecode() -> None:
    """Write optimiser's .pyc files, as its first run on a user's machine does.

    The floor's packages were compiled when pip installed them, but an editable install is
    compiled on first import, and this sandbox sets PYTHONDONTWRITEBYTECODE: without this,
    every run would compile our ~80 modules again (about 0.15 s) and be compared with a
    floor that does not."""
    import compileall

    compileall.compile_dir(ROOT / "optimiser", quiet=1)


def national(repeat: int) -> list[Ratio]:
    """`optimiser solve` with the report against the import floor (interleaved runs). A
    warm-up run first fills the user cache (optimiser/cache.py), as any earlier run would."""
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        _process_seconds(_optimiser("solve", "--out", f"{tmp}/warm", "--quiet", "--no-record"),
                         1)
        floor = _process_seconds(IMPORT_FLOOR, repeat)
        solve = _process_seconds(_optimiser("solve", "--out", f"{tmp}/plan", "--quiet",
                                            "--no-record"), repeat)
        bare = _process_seconds(_optimiser("solve", "--out", f"{tmp}/bare", "--quiet",
                                           "--no-record", "--no-report"), repeat)
    return [Ratio("national plan with report vs import floor", solve, floor, 1.5),
            Ratio("national plan --no-report vs import floor (context)", bare, floor, 1.5)]


def national_stages() -> str:
    """One line of context: the stages of a national solve in a fresh process
    (benchmarks/national_stages.py), i.e. what the national ratio is made of."""
    import json

    done = subprocess.run([sys.executable, "-m", "benchmarks.national_stages"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    stages = json.loads(done.stdout)
    return "stages of one national solve, s: " + ", ".join(
        f"{name.strip()} {seconds:.2f}" for name, seconds in stages.items())


def loading(sizes: tuple[int, ...] = (1_000_000, 2_000_000)) -> list[Ratio]:
    """load_dataset against pandas' C reader on the same workforce.csv."""
    from benchmarks.load import bench

    out = []
    for rows in sizes:
        r = bench(rows)
        out.append(Ratio(f"load {rows:,} rows vs pandas.read_csv", r["load_dataset"],
                         r["read_csv"], 2.0))
    return out


def writing(delegations: int = 12_500, specialties: int = 40) -> list[Ratio]:
    """Writing the plan folder (plan.json and the CSVs) of the synthetic 1M-cell plan against
    DataFrame.to_csv of the same three tables."""
    from benchmarks.load import best_of
    from benchmarks.synthetic import write_synthetic
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import load_inputs, run_scenario

    with tempfile.TemporaryDirectory() as tmp:
        data = write_synthetic(Path(tmp) / "data", delegations=delegations,
                               specialties=specialties)
        run = run_scenario(load_inputs(data, None))
        plan = run.plan

        def ours() -> None:
            document = plan_document(run.inputs, run.result, plan, 0.0, timestamp=False)
            write_plan_folder(Path(tmp) / "plan", document, plan)

        def floor() -> None:
            for table in (plan.allocations, plan.foreign, plan.delegations):
                table.to_csv(Path(tmp) / "floor.csv", index=False)

        rows = len(plan.delegations)
        return [Ratio(f"write the plan folder ({rows:,} delegation rows) vs to_csv",
                      best_of(2, ours), best_of(2, floor), 2.0)]


def memory(delegations: int = 12_500, specialties: int = 40) -> list[Ratio]:
    """Peak memory of `optimiser solve` (plan folder and report) on the synthetic 1M-cell
    dataset, as a planner would run it: the largest resident size of the command's process."""
    from benchmarks.synthetic import write_synthetic

    peak = ("import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    with tempfile.TemporaryDirectory() as tmp:
        data = write_synthetic(Path(tmp) / "data", delegations=delegations,
                               specialties=specialties)
        done = subprocess.run([sys.executable, "-c", peak, *_optimiser(
            "solve", "--data", str(data), "--out", f"{tmp}/plan", "--quiet", "--no-record")],
            cwd=ROOT, check=True, capture_output=True, text=True)
    return [Ratio("1M cells: peak memory of `optimiser solve` with the report",
                  int(done.stdout.strip()) / 1024, None, 2000, "MB")]


SWEEPS = {
    "two floors": ["benchmarks/scenarios/two-floors.yaml",
                   "--vary", "constraints.ttah-floor.min=60:305:5",
                   "--vary", "constraints.oriental-floor.min=60:155:5"],
    "budget": ["benchmarks/scenarios/two-floors.yaml",
               "--vary", "constraints.ttah-floor.min=60:305:5",
               "--vary", "parameters.budget=0:13300000:700000"],
}


def sweeps(jobs: int = 2) -> list[Ratio]:
    """1,000-point sweeps against one `optimiser solve --no-report` process."""
    with tempfile.TemporaryDirectory() as tmp:
        one = _process_seconds(_optimiser("solve", "--out", f"{tmp}/one", "--quiet",
                                          "--no-record", "--no-report"), 3)
        out = []
        for name, arguments in SWEEPS.items():
            seconds = _process_seconds(_optimiser("sweep", *arguments, "--jobs", str(jobs),
                                                  "--quiet", "--out", f"{tmp}/{name}"), 1)
            out.append(Ratio(f"1,000-point sweep ({name}, --jobs {jobs}) vs one solve", seconds,
                             one, 12.0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the national targets only")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| target | ours / floor | ratio | target | |")
    print("|---|---|---|---|---|")
    steps: list[Callable[[], list[Ratio]]] = [lambda: national(args.repeat)]
    if not args.quick:
        steps += [loading, writing, memory, sweeps]
    for step in steps:
        for ratio in step():
            print(ratio.line(), flush=True)
    print(f"\n{national_stages()}")


if __name__ == "__main__":
    main()
