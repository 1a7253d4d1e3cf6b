"""What planning for uptake costs on the national dataset (data/morocco-2024, its uptake.csv).

    python -m benchmarks.uptake              # medians of 5
    python -m benchmarks.uptake --repeat 9

In process, after a warm-up, so the figures are the work itself and not process start-up:
1. Build and solve of the national plan with `uptake: certain` and with `uptake: expected`
   (the exact expected-shortfall model), their sizes, and the expected model's time as a ratio
   of the certain one.
2. `simulate` of the national plan, 10,000 draws (the issue's "in seconds"), against the solve.
3. `assign` (serial dictatorship and deferred acceptance, preferences generated) of the
   national plan's 695 posts.
Each figure is also given against the import floor (`import pandas, pulp, highspy, pydantic`
in a fresh process), measured in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.timing import import_floor, median_seconds

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "morocco-2024"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from optimiser.assign.engine import assign
    from optimiser.assign.market import load_market
    from optimiser.assign.preferences import PreferenceModel, generate
    from optimiser.assign.readers import read_inputs
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import load_inputs, run_scenario
    from optimiser.simulate import simulate
    from optimiser.simulate_inputs import load_inputs as load_plan

    floor = import_floor(args.repeat)
    print(f"import floor (pandas, pulp, highspy, pydantic): {floor:.3f} s")
    with tempfile.TemporaryDirectory(prefix="bench-uptake-") as tmp:
        folder = Path(tmp)
        runs = {}
        for mode in ("certain", "expected"):
            scenario = folder / f"{mode}.yaml"
            scenario.write_text(f"name: {mode}\nparameters: {{uptake: {mode}}}\n",
                                encoding="utf-8")
            inputs = load_inputs(DATA, scenario)
            seconds = median_seconds(lambda inputs=inputs: run_scenario(inputs), args.repeat)
            run = run_scenario(inputs)
            runs[mode] = (inputs, run, seconds)
            model = run.model.prob
            print(f"uptake: {mode:8s} build+solve {seconds:.3f} s "
                  f"({seconds / floor:.2f}x import floor); {model.numVariables():,} columns, "
                  f"{model.numConstraints():,} rows; expected unmet need "
                  f"{run.plan.expected_unmet:,.2f}")
        ratio = runs["expected"][2] / runs["certain"][2]
        print(f"expected / certain: {ratio:.1f}x")

        inputs, run, _ = runs["expected"]
        plan_dir = folder / "plan"
        write_plan_folder(plan_dir, plan_document(inputs, run.result, run.plan,
                                                  run.build_seconds, timestamp=False),
                          run.plan)
        plan = load_plan(plan_dir)
        sim = median_seconds(lambda: simulate(plan, draws=10_000, seed=0), args.repeat)
        print(f"simulate 10,000 draws: {sim:.3f} s ({sim / floor:.2f}x import floor)")

        market = load_market(plan_dir)
        graduates, _ = read_inputs(DATA / "graduates.csv", None, market)
        for method in ("serial", "deferred-acceptance"):
            def once(method: str = method) -> None:
                preferences = generate(graduates, market, seed=0,
                                       model=PreferenceModel(cutoff=None))
                assign(graduates, preferences, market, method)
            seconds = median_seconds(once, args.repeat)
            print(f"assign {method}: {seconds:.3f} s for {len(graduates)} graduates "
                  f"({seconds / floor:.2f}x import floor)")


if __name__ == "__main__":
    main()
