"""What equity and the Pareto curve cost on the national dataset (data/morocco-2024).

    python -m benchmarks.pareto              # medians of 3
    python -m benchmarks.pareto --repeat 5 --points 11

In process, after a warm-up:
1. Build and solve of the national plan (`run_scenario`, the hull model) with the baseline
   scenario, and with `equity_weight` 1 and 10 (the model with the equity rows, every hull
   segment kept): time, status, objective, max g.
2. `pareto_points` with 11 points (one model built once, z's cost and bound changed in HiGHS
   between points): time, solves, points found, and its ratio to one plain solve (NEED.md:
   under 20x).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.timing import median_seconds

if TYPE_CHECKING:
    from optimiser.inputs import ModelInputs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "morocco-2024"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=11)
    args = parser.parse_args()

    from optimiser.pipeline import load_inputs

    base = load_inputs(None, None)  # the embedded dataset and its baseline scenario
    for label, inputs in (("national baseline", base),
                          ("zero capacity lifted to 2", lifted(base))):
        print(f"== {label}")
        measure(inputs, args.repeat, args.points)


def lifted(inputs: ModelInputs) -> ModelInputs:
    """The national inputs with every hosting capacity of 0 raised to 2: on the baseline the
    worst-off delegations (AOUSSERD, TARFAYA, ...) can host no one, so their g is fixed and
    the curve is one point; here equity has something to trade."""
    pairs = inputs.pairs.copy()
    pairs.loc[pairs["cap"] == 0, "cap"] = 2.0
    return dataclasses.replace(inputs, pairs=pairs)


def measure(inputs: ModelInputs, repeat: int, points: int) -> None:
    """Plain and equity solves, then the curve, with their ratios to the plain solve."""
    from optimiser.equity import worst_off
    from optimiser.pipeline import run_scenario
    from optimiser.whatif.pareto import pareto_points

    plain = median_seconds(lambda: run_scenario(inputs), repeat)
    run = run_scenario(inputs)
    staff = run.plan.delegations["staff_after"].to_numpy(float)
    print(f"plain solve: {plain:.3f} s  status {run.result.status.value}  objective "
          f"{run.plan.objective:.6f}  max g {worst_off(inputs, staff)}")
    for weight in (1.0, 10.0):
        v = dataclasses.replace(inputs, equity_weight=weight)
        seconds = median_seconds(lambda v=v: run_scenario(v), repeat)
        r = run_scenario(v)
        g = worst_off(v, r.plan.delegations["staff_after"].to_numpy(float))
        print(f"equity_weight {weight:g}: {seconds:.3f} s ({seconds / plain:.1f}x)  status "
              f"{r.result.status.value}  objective {r.plan.objective:.6f}  max g {g}")
    start = time.perf_counter()
    curve, stats = pareto_points(inputs, points)
    seconds = time.perf_counter() - start
    print(f"pareto {points} points: {seconds:.3f} s, {stats['solves']} solves, "
          f"{len(curve)} points; ratio to one solve: {seconds / plain:.1f}x (NEED.md: < 20x)")
    for i, p in enumerate(curve, start=1):
        print(f"  {i:2d}  unmet {p.total_unmet_need:10.3f}  "
              f"max g {p.max_per_capita_unmet_need:8.3f}  {p.worst_delegation}  "
              f"reached {p.delegations_reached}")


if __name__ == "__main__":
    main()
