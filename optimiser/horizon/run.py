"""Plan several years (NEED.md): solve jointly (one problem) or rolling (one year at a time),
then tabulate each year with the staff the plan leaves, and join the years.

Each year's tables come from `results.plan_tables` on that year's inputs with its real staff
before (the start's, or what the previous years left after attrition), so every figure of a
year (posts, categories, unmet need, objective) is computed the same way as a one-year plan's.
The plan's objective is sum_t discount^k * (year t's objective), recomputed from the integers
and checked against the solver's.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.horizon.joint import joint_allocation_model, solve_joint
from optimiser.horizon.model import HorizonModel, build_horizon_model
from optimiser.horizon.years import attrition_rates, check_horizon, horizon_years, year_inputs
from optimiser.inputs import ModelInputs
from optimiser.model import build_model
from optimiser.model.core import AllocationModel, BuildOptions
from optimiser.output import delegations_reached
from optimiser.pipeline import Run
from optimiser.results import PlanTables, plan_tables
from optimiser.solve import SolveResult, SolveStatus, relative_gap, solve_model


@dataclass(frozen=True)
class HorizonRun:
    """A solved horizon: the scenario's inputs, one Run per year (its inputs carry that year's
    real staff before), the joint result and the joined tables (None without a plan)."""

    inputs: ModelInputs
    years: list[int]
    runs: list[Run]
    result: SolveResult
    plan: PlanTables | None
    build_seconds: float
    discount: float

    @property
    def model(self) -> AllocationModel:
        """The first year's block (what one-year readers of `Run.model` expect)."""
        return self.runs[0].model


def run_horizon(inputs: ModelInputs) -> HorizonRun:
    """Plan the scenario's horizon, jointly or rolling (`parameters.horizon.mode`)."""
    check_horizon(inputs)
    h = inputs.horizon
    assert h is not None
    if h.mode == "rolling":
        return _rolling(inputs)
    return _joint(inputs)


def _joint(inputs: ModelInputs) -> HorizonRun:
    """Every year at once (exact); HiGHS starts from the rolling plan (horizon/joint.py).

    The joint model is built in a second thread while the rolling plan is solved: HiGHS
    releases the interpreter while it solves, so part of the build (pure Python, national
    2024-2030 1.1 s) fits in the rolling years' solves (together 2.8-3.2 s against 3.1-3.4 s
    one after the other; both sides' PuLP builds still take turns). The two share nothing
    (each builds its own problem from the same read-only inputs), so the result does not
    depend on how the threads interleave."""
    years = horizon_years(inputs)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        building = pool.submit(_build_joint, inputs, years)
        rolling = _rolling(inputs)
        spent = time.perf_counter() - start
        model, by_year, rate, build_seconds = building.result()
    time_left = max(1.0, inputs.time_limit_s - spent)
    if inputs.solver == "highs":
        started = rolling.plan is not None
        result = solve_joint(model, rolling.runs if started else None, time_left,
                             inputs.mip_gap, by_year, rate, inputs.horizon.discount,
                             rolling.plan.objective if started else None)
    else:
        joint = joint_allocation_model(model)
        result = solve_model(joint, inputs.solver, time_left, inputs.mip_gap)
    result = dataclasses.replace(result, solve_seconds=result.solve_seconds + spent)
    if not result.status.has_plan:
        return HorizonRun(inputs, years, [], result, None, build_seconds,
                          inputs.horizon.discount)
    runs = _year_runs(inputs, model, result)
    return _joined(inputs, years, runs, result, build_seconds)


def _build_joint(inputs: ModelInputs, years: list[int]
                 ) -> tuple[HorizonModel, list[ModelInputs], np.ndarray, float]:
    """The joint model, each year's inputs (start staff), the attrition rates and the build
    time."""
    start = time.perf_counter()
    by_year = [year_inputs(inputs, t) for t in years]
    rate = attrition_rates(inputs)
    model = build_horizon_model(years, by_year, rate, inputs.horizon.discount)
    return model, by_year, rate, time.perf_counter() - start


def _year_runs(inputs: ModelInputs, model: HorizonModel, result: SolveResult) -> list[Run]:
    """Each year's Run with its real staff before, from the joint solution's values."""
    runs = []
    staff = None
    for t, block in zip(model.years, model.blocks, strict=True):
        x_rows = (model.x["year"] == t).to_numpy()
        y_rows = (model.y["year"] == t).to_numpy() if len(model.y) else np.zeros(0, bool)
        part = dataclasses.replace(result, x=result.x[x_rows], y=result.y[y_rows])
        year = year_inputs(inputs, t, staff)
        plan = plan_tables(year, block, part)
        runs.append(Run(year, block, part, plan, 0.0))
        staff = _national_after(plan)
    return runs


def _national_after(plan: PlanTables) -> np.ndarray:
    """N[d,s,t]: staff after minus foreign doctors (contingents serve one year)."""
    d = plan.delegations
    return (d["staff_after"] - d["foreign"]).to_numpy(float)


def _rolling(inputs: ModelInputs) -> HorizonRun:
    """Year by year: plan t alone with the staff the earlier years left, as a ministry deciding
    one round at a time would (no look-ahead); each year is MODEL.md's exact optimum."""
    years = horizon_years(inputs)
    runs: list[Run] = []
    staff = None
    start = time.perf_counter()
    solve_seconds = 0.0
    for t in years:
        year = year_inputs(inputs, t, staff)
        run = _one_year(year)
        solve_seconds += run.result.solve_seconds
        if run.plan is None:
            failed = dataclasses.replace(run.result, solve_seconds=solve_seconds)
            return HorizonRun(inputs, years, runs, failed, None,
                              time.perf_counter() - start, inputs.horizon.discount)
        runs.append(dataclasses.replace(run, inputs=year))
        staff = _national_after(run.plan)
    first = runs[0].result
    result = dataclasses.replace(
        first, status=_worst_status([r.result.status for r in runs]), gap=None,
        solve_seconds=solve_seconds, best_bound=None,
        x=np.concatenate([r.result.x for r in runs]),
        y=np.concatenate([r.result.y for r in runs]))
    return _joined(inputs, years, runs, result, time.perf_counter() - start - solve_seconds)


def _one_year(inputs: ModelInputs) -> Run:
    """MODEL.md for one year in its literal form: after the first year staff is a real number
    (attrition), where the integer hull and the greedy, built on whole staff, do not apply."""
    start = time.perf_counter()
    model = build_model(inputs, BuildOptions())
    build_seconds = time.perf_counter() - start
    result = solve_model(model, inputs.solver, inputs.time_limit_s, inputs.mip_gap)
    plan = plan_tables(inputs, model, result) if result.status.has_plan else None
    return Run(inputs, model, result, plan, build_seconds)


def _worst_status(statuses: list[SolveStatus]) -> SolveStatus:
    """Optimal only if every year is."""
    return SolveStatus.OPTIMAL if all(s is SolveStatus.OPTIMAL for s in statuses) \
        else SolveStatus.FEASIBLE


def _joined(inputs: ModelInputs, years: list[int], runs: list[Run], result: SolveResult,
            build_seconds: float) -> HorizonRun:
    """The years' tables under one `year` column; the discounted objective from the plans."""
    discount = inputs.horizon.discount
    weights = [discount ** k for k in range(len(years))]
    plans = [r.plan for r in runs]
    objective = float(sum(w * p.objective for w, p in zip(weights, plans, strict=True)))

    def stacked(name: str) -> pd.DataFrame:
        frames = [getattr(p, name).assign(year=t) for t, p in zip(years, plans, strict=True)]
        table = pd.concat(frames, ignore_index=True)
        return table[["year", *[c for c in table.columns if c != "year"]]]

    categories = {k: sum(p.posts_by_category[k] for p in plans)
                  for k in plans[0].posts_by_category}
    plan = PlanTables(
        allocations=stacked("allocations"), foreign=stacked("foreign"),
        delegations=stacked("delegations"), posts_by_category=categories,
        objective=objective, unmet_before=plans[0].unmet_before,
        unmet_after=plans[-1].unmet_after,
        budget_used=float(sum(p.budget_used for p in plans)),
        scenario_values=[{"year": t, **v} for t, p in zip(years, plans, strict=True)
                         for v in p.scenario_values])
    bound = None if result.best_bound is None else min(result.best_bound, objective)
    result = dataclasses.replace(result, objective=objective, best_bound=bound,
                                 gap=relative_gap(objective, bound) if bound is not None
                                 else result.gap)
    return HorizonRun(inputs, years, runs, result, plan, build_seconds, discount)


def year_rows(run: HorizonRun) -> list[dict]:
    """plan.json `years`: each year's figures (its weight, objective, posts, doctors, need)."""
    rows = []
    for k, (t, r) in enumerate(zip(run.years, run.runs, strict=True)):
        p = r.plan
        d = p.delegations
        rows.append({
            "year": t, "weight": run.discount ** k, "objective": p.objective,
            "posts_available": int(r.inputs.posts.sum()),
            "posts_allocated": int(p.allocations["posts"].sum()),
            "foreign_deployed": int(p.foreign["doctors"].sum()),
            "staff_before": float(d["staff_before"].sum()),
            "staff_after": float(d["staff_after"].sum()),
            "unmet_need_before": p.unmet_before, "unmet_need_after": p.unmet_after,
            "budget_used": p.budget_used,
            "delegations_reached": delegations_reached(p),
        })
    return rows


