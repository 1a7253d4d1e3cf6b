"""Solve the joint model of several years in HiGHS, starting from the rolling plan.

The rolling plan (each year MODEL.md's optimum given the years before) is feasible for the
joint model: its integers are handed to HiGHS as a starting plan, completed into a full
column vector by one LP with those integers fixed. HiGHS then only has to improve or prove
it; when the time limit stops it, the plan is at least as good as the rolling one and the
gap says how far from proven (national 2024-2030: about 0.3% after 60 s, docs/horizon.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimiser.horizon.model import HorizonModel
from optimiser.model.core import AllocationModel, BuildOptions
from optimiser.model.lp import linear
from optimiser.pipeline import Run
from optimiser.solve import SolveResult, relative_gap
from optimiser.whatif.highs import HighsModel, HighsOutcome, run_highs, to_highs


def joint_allocation_model(model: HorizonModel) -> AllocationModel:
    """One AllocationModel over every year's rows (families prefixed by the year), for the
    HiGHS copy."""
    constraints = {f"{t}:{family}": rows for t, block in zip(model.years, model.blocks,
                                                               strict=True)
                   for family, rows in block.constraints.items()}
    sites = pd.concat([b.b for b in model.blocks], ignore_index=True)
    return AllocationModel(prob=model.prob, options=BuildOptions(), x=model.x, y=model.y,
                           b=sites, constraints=constraints)


def _fixed_values(model: HorizonModel, runs: list[Run]) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """x, y and b values of the rolling plan in the joint model's row order (each year's
    one-year model has the same variable rows as the year's block: same posts, capacities,
    supply and eligibility)."""
    xs, ys, bs = [], [], []
    for block, run in zip(model.blocks, runs, strict=True):
        if len(run.model.x) != len(block.x) or len(run.model.y) != len(block.y):
            raise ValueError("the rolling plan's variables differ from the joint model's")
        xs.append(run.result.x)
        ys.append(run.result.y)
        deployed = (run.model.y.assign(v=run.result.y)
                    .groupby(["contingent", "delegation"])["v"].sum())
        keys = pd.MultiIndex.from_frame(block.b[["contingent", "delegation"]])
        bs.append((deployed.reindex(keys, fill_value=0).to_numpy() > 0).astype(float))
    return (np.concatenate(xs).astype(float), np.concatenate(ys).astype(float),
            np.concatenate(bs) if bs else np.zeros(0))


def starting_plan(hm: HighsModel, joint: AllocationModel, model: HorizonModel,
                  runs: list[Run], time_limit_s: float) -> np.ndarray | None:
    """Every column's value at the rolling plan: its integers fixed, the rest by one LP."""
    x, y, b = _fixed_values(model, runs)
    lower, upper = hm.col_lower.copy(), hm.col_upper.copy()
    for table, values in ((joint.x, x), (joint.y, y), (joint.b, b)):
        if len(table):
            cols = hm.col(table["var"])
            lower[cols] = upper[cols] = values
    idx = np.arange(len(lower), dtype=np.int32)
    h = hm.highs
    h.changeColsBounds(len(idx), idx, lower, upper)
    try:
        out = run_highs(hm, time_limit_s)
    finally:
        h.changeColsBounds(len(idx), idx, hm.col_lower, hm.col_upper)
    return out.col_value if out.status.has_plan else None


def solve_joint(model: HorizonModel, runs: list[Run] | None, time_limit_s: float,
                mip_gap: float) -> SolveResult:
    """The joint MIP in HiGHS (from the rolling plan when there is one)."""
    joint = joint_allocation_model(model)
    if not model.prob.variables():
        # nothing to decide: HiGHS refuses an empty model, so give it one fixed column (as
        # solve.solve_model does) and let it judge the rows
        joint.add("fixed", "fixed", linear([(joint.variable("fixed", upper=0.0), 1.0)]), "==", 0)
    hm = to_highs(joint)
    incumbent = None if not runs else starting_plan(hm, joint, model, runs, time_limit_s)
    out: HighsOutcome = run_highs(hm, time_limit_s, mip_gap, incumbent=incumbent)
    values = np.rint(out.col_value).astype(np.int64)
    x = values[hm.col(model.x["var"])] if len(model.x) else np.zeros(0, np.int64)
    y = values[hm.col(model.y["var"])] if len(model.y) else np.zeros(0, np.int64)
    return SolveResult(status=out.status, objective=out.objective, best_bound=out.best_bound,
                       gap=relative_gap(out.objective, out.best_bound), solver="HiGHS",
                       solver_version=hm.highs.version(),
                       solve_seconds=out.seconds, x=x, y=y)
