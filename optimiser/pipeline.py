"""The solve pipeline as one call: load, apply the scenario, build, solve, tabulate.

The CLI, the tests and the what-if tools all go through `run_scenario`, so a plan produced by
any of them is the same plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from optimiser.data import load_dataset
from optimiser.errors import InputError
from optimiser.fastpath import fast_path_blocker, solve_separable, split_by_promotion
from optimiser.inputs import ModelInputs, build_inputs
from optimiser.model import AllocationModel, BuildOptions, build_model
from optimiser.results import PlanTables, plan_tables
from optimiser.scenario import ScenarioFile, read_scenario
from optimiser.solve import SolveResult, SolveStatus, solve_model

EMPTY_Y = pd.DataFrame({"contingent": [], "delegation": [], "specialty": [],
                        "pair": np.zeros(0, np.int64)})

REPO_DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_DATASETS = ("morocco-2024", "example")
BASELINE_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def default_data_dir() -> Path:
    """The embedded dataset: the Morocco 2024 round when present, else the small example."""
    for name in DEFAULT_DATASETS:
        if (REPO_DATA / name).is_dir():
            return REPO_DATA / name
    return REPO_DATA / DEFAULT_DATASETS[0]


@dataclass(frozen=True)
class Run:
    """A solved scenario: inputs, model, solver result and (when there is a plan) its tables."""

    inputs: ModelInputs
    model: AllocationModel
    result: SolveResult
    plan: PlanTables | None
    build_seconds: float


def load_inputs(data_dir: Path | None, scenario_path: Path | None) -> ModelInputs:
    """Read and validate dataset and scenario; raises InputError with every problem found."""
    issues = []
    dataset = scenario = None
    try:
        dataset = load_dataset(data_dir or default_data_dir())
    except InputError as exc:
        issues += exc.issues
    if scenario_path is None and data_dir is None and BASELINE_SCENARIO.is_file():
        scenario_path = BASELINE_SCENARIO  # the embedded dataset's own baseline
    try:
        scenario = read_scenario(scenario_path) if scenario_path else ScenarioFile.default()
    except InputError as exc:
        issues += exc.issues
    if issues:
        raise InputError(issues)
    return build_inputs(dataset, scenario)


def run_scenario(inputs: ModelInputs, fast_path: bool = True) -> Run:
    """Solve MODEL.md for the inputs, and tabulate the plan if there is one.

    Separable scenarios (no contingent, no scenario constraint) go through the exact greedy
    of `fastpath` unless `fast_path` is False; everything else is built and solved as a MIP.
    """
    if fast_path and fast_path_blocker(inputs) is None:
        run = _run_greedy(inputs)
        if run is not None:
            return run
    start = time.perf_counter()
    options = plan_build_options(inputs)
    model = build_model(inputs, options)
    build_seconds = time.perf_counter() - start
    result = solve_model(model, inputs.solver, inputs.time_limit_s, inputs.mip_gap)
    if options.aggregate_promotions and result.status.has_plan:
        model, result = per_promotion(inputs, model, result)
    plan = plan_tables(inputs, model, result) if result.status.has_plan else None
    return Run(inputs, model, result, plan, build_seconds)


def plan_build_options(inputs: ModelInputs) -> BuildOptions:
    """The hull formulation with promotions aggregated, unless a scenario constraint selects
    by promotion (then the literal model, one variable per promotion)."""
    if any(sel.promotions is not None for sel in inputs.selections):
        return BuildOptions()
    return BuildOptions(aggregate_promotions=True, formulation="hull")


def per_promotion(inputs: ModelInputs, model: AllocationModel,
                   result: SolveResult) -> tuple[AllocationModel, SolveResult]:
    """Split an aggregated solution into promotions. The returned model view has post rows
    per promotion (without variables) aligned with the result's values."""
    given = np.bincount(model.x["pair"].to_numpy(), weights=result.x,
                        minlength=len(inputs.pairs)).astype(np.int64)
    x_table, values = split_by_promotion(inputs, given)
    return replace(model, x=x_table), replace(result, x=values)


def _run_greedy(inputs: ModelInputs) -> Run | None:
    """The separable case without a solver; None if infeasible (the MIP path explains it)."""
    solved = solve_separable(inputs)
    if solved is None:
        return None
    x_table, values, seconds = solved
    model = AllocationModel(prob=pulp.LpProblem(inputs.scenario_name, pulp.LpMinimize),
                            options=BuildOptions(), x=x_table, y=EMPTY_Y)
    result = SolveResult(SolveStatus.OPTIMAL, None, None, 0.0, "greedy",
                         "(separable, exact)", seconds, values, np.zeros(0, np.int64))
    plan = plan_tables(inputs, model, result)
    result = replace(result, objective=plan.objective, best_bound=plan.objective)
    return Run(inputs, model, result, plan, 0.0)
