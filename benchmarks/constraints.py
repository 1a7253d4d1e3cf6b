"""Scenario constraints at scale: the pipeline up to the solve with 0, 1,000 and 10,000 of them.

Run as `python -m benchmarks.constraints [--repeat N] [--sizes 0,1000,10000]`. The constraints
are seeded and feasible on the embedded Morocco 2024 dataset (`random_constraints`): a third
cap one (delegation, specialty) pair at 50, a third put a small floor (0 to 3) on a region,
a third cap posts + foreign doctors of two regions and three specialties at 500. The `literal`
rows add a promotion filter to one constraint in seven, which switches `optimiser solve` to the
literal model (one variable per promotion); their base is the single promotion constraint.

Stages: read (dataset, scenario file, overrides and selections: `load_inputs`), build (PuLP
model), solve (transfer to HiGHS and the solve), then, outside the ratio, tables (plan tables
with the achieved value of every constraint) and sensitivity (LP duals, shadow costs of every
constraint), which `optimiser solve` also runs. Each figure is its own best of `--repeat`
runs (the machine is shared), so the stages need not add up to `to solve`.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "morocco-2024"


def random_constraints(n: int, seed: int = 1, promotions: bool = False) -> list[dict]:
    """`n` feasible scenario constraints on the embedded dataset (see the module docstring)."""
    import pandas as pd

    delegations = pd.read_csv(DATA / "delegations.csv")
    dels = list(delegations["delegation_code"])
    specs = list(pd.read_csv(DATA / "specialties.csv")["specialty_code"])
    regions = sorted(set(delegations["region_code"]))
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            con = {"delegation": rng.choice(dels), "specialty": rng.choice(specs), "max": 50}
        elif kind == 1:
            con = {"region": rng.choice(regions), "min": rng.randint(0, 3)}
        else:
            con = {"region": rng.sample(regions, 2), "specialty": rng.sample(specs, 3),
                   "counts": "all", "max": 500}
        if promotions and i % 7 == 0 and kind != 2:
            con["promotion"] = 2024
        out.append({"name": f"c{i}", **con})
    return out


def _stages(path: Path) -> dict[str, float | str]:
    """Seconds of each stage for one scenario file, and the status and objective."""
    from optimiser.model import build_model
    from optimiser.pipeline import Run, load_inputs, per_promotion, plan_build_options
    from optimiser.results import plan_tables
    from optimiser.solve import solve_model
    from optimiser.whatif.sensitivity import compute_sensitivity

    out: dict[str, float | str] = {}
    t = time.perf_counter()
    inputs = load_inputs(None, path)
    out["read"] = time.perf_counter() - t
    t = time.perf_counter()
    options = plan_build_options(inputs)
    model = build_model(inputs, options)
    out["build"] = time.perf_counter() - t
    t = time.perf_counter()
    result = solve_model(model, inputs.solver, inputs.time_limit_s, inputs.mip_gap)
    out["solve"] = time.perf_counter() - t
    out["formulation"] = options.formulation
    out["status"], out["objective"] = result.status.value, result.objective or float("nan")
    t = time.perf_counter()
    tables_model, tables_result = model, result
    if options.aggregate_promotions:
        tables_model, tables_result = per_promotion(inputs, model, result)
    plan = plan_tables(inputs, tables_model, tables_result)
    out["tables"] = time.perf_counter() - t
    t = time.perf_counter()
    compute_sensitivity(inputs, Run(inputs, model, result, plan, out["build"]))
    out["sensitivity"] = time.perf_counter() - t
    out["to_solve"] = out["read"] + out["build"] + out["solve"]
    return out


def bench(n: int, promotions: bool, repeat: int) -> dict[str, float | str]:
    """Best of `repeat` runs, stage by stage, for `n` constraints."""
    cons = random_constraints(n, promotions=promotions)
    if promotions and not n:
        cons = [{"name": "by-promotion", "promotion": 2024, "min": 0}]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "constraints.yaml"
        path.write_text(yaml.safe_dump({"name": f"constraints-{n}", "constraints": cons}),
                        encoding="utf-8")
        for _ in range(repeat):
            runs.append(_stages(path))
    best: dict[str, float | str] = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float) and key != "objective":
            best[key] = min(float(r[key]) for r in runs)
    best["constraints"] = len(cons)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="0,1000,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| model | constraints | read s | build s | solve s | to solve s | ratio to base "
          "| tables s | sensitivity s | status | objective |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for promotions in (False, True):
        base = None
        for n in sizes:
            r = bench(n, promotions, args.repeat)
            base = base or float(r["to_solve"])
            print(f"| {r['formulation']} | {r['constraints']:,} | {r['read']:.2f} | "
                  f"{r['build']:.2f} | {r['solve']:.2f} | {r['to_solve']:.2f} | "
                  f"{float(r['to_solve']) / base:.1f} | {r['tables']:.2f} | "
                  f"{r['sensitivity']:.2f} | {r['status']} | {float(r['objective']):.6f} |",
                  flush=True)


if __name__ == "__main__":
    main()
