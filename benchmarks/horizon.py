"""What several years cost on the national dataset (NEED.md; issue target: a 7-year national
plan proves optimality within 20x a one-year plan's solve).

    python -m benchmarks.horizon                 # 2024-2030, time limit 60 s per joint solve
    python -m benchmarks.horizon --end 2026 --time-limit 30

In process, after a warm-up, on data/morocco-2024 (cohorts.csv, attrition.csv):
1. the one-year national plan (`run_scenario`, the hull model): its whole run is the unit;
2. the rolling plan 2024..END (each year MODEL.md's literal model given the years before);
3. the joint plan with mip_gap 0.005 and with mip_gap 0 (to the time limit), each started
   from the rolling plan: status, objective, bound, gap, time and the ratio to the unit.
Each line also gives the seconds spent inside HiGHS and their ratio to the one-year plan's
(the target read solver against solver).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from benchmarks.timing import highs_seconds, median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--end", type=int, default=2030)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()

    from optimiser.horizon.run import run_horizon
    from optimiser.pipeline import load_inputs, run_scenario
    from optimiser.scenario import HorizonSpec

    base = load_inputs(None, None)
    unit = median_seconds(lambda: run_scenario(base), 3)
    inside = []
    for _ in range(3):
        with highs_seconds() as spent:
            one = run_scenario(base)
        inside.append(spent[0])
    highs_unit = statistics.median(inside)
    print(f"one-year national plan: solve {one.result.solve_seconds:.3f} s (HiGHS "
          f"{highs_unit:.3f} s), whole run {unit:.3f} s, objective {one.plan.objective:.6f}  "
          "(the unit below: whole run)")
    for mode, gap in (("rolling", 0.0), ("joint", 0.005), ("joint", 0.0)):
        inputs = dataclasses.replace(
            base, horizon=HorizonSpec(start=2024, end=args.end, mode=mode), mip_gap=gap,
            time_limit_s=args.time_limit)
        start = time.perf_counter()
        with highs_seconds() as spent:
            run = run_horizon(inputs)
        seconds = time.perf_counter() - start
        r = run.result
        bound = "-" if r.best_bound is None else f"{r.best_bound:.3f}"
        proven = "-" if r.gap is None else f"{r.gap:.4%}"
        print(f"{mode:7s} 2024-{args.end} mip_gap {gap:g}: {seconds:7.2f} s "
              f"({seconds / unit:6.1f}x one year; HiGHS {spent[0]:.2f} s, "
              f"{spent[0] / highs_unit:.1f}x)  status {r.status.value}  objective "
              f"{run.plan.objective:.3f}  bound {bound}  gap {proven}")
    print("target (issue 16): joint proves optimality within 20x one year")


if __name__ == "__main__":
    main()
