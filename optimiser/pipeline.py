"""The solve pipeline as one call: load, apply the scenario, build, solve, tabulate.

The CLI, the tests and the what-if tools all go through `run_scenario`, so a plan produced by
any of them is the same plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from optimiser.data import load_dataset
from optimiser.inputs import ModelInputs, build_inputs
from optimiser.model import AllocationModel, build_model
from optimiser.results import PlanTables, plan_tables
from optimiser.scenario import ScenarioFile, read_scenario
from optimiser.solve import SolveResult, solve_model

REPO_DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_DATASETS = ("morocco-2024", "example")


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
    from optimiser.errors import InputError

    issues = []
    dataset = scenario = None
    try:
        dataset = load_dataset(data_dir or default_data_dir())
    except InputError as exc:
        issues += exc.issues
    try:
        scenario = read_scenario(scenario_path) if scenario_path else ScenarioFile.default()
    except InputError as exc:
        issues += exc.issues
    if issues:
        raise InputError(issues)
    return build_inputs(dataset, scenario)


def run_scenario(inputs: ModelInputs) -> Run:
    """Build and solve MODEL.md for the inputs, and tabulate the plan if there is one."""
    start = time.perf_counter()
    model = build_model(inputs)
    build_seconds = time.perf_counter() - start
    result = solve_model(model, inputs.solver, inputs.time_limit_s, inputs.mip_gap)
    plan = plan_tables(inputs, model, result) if result.status.has_plan else None
    return Run(inputs, model, result, plan, build_seconds)
