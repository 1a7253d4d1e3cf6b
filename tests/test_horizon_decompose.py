"""The trajectory bound of several-year plans (horizon/decompose.py, used by joint.py):
never above the optimum (tiny instances against exhaustive search; two national years with
contingents and dependencies against HiGHS's proven optimum), at least the joint model's LP
bound, and used to prove the national horizon within its gap."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest
from test_horizon import _brute_force, _spec, _tiny_case

from optimiser.horizon import decompose, joint
from optimiser.horizon.model import HorizonModel, build_horizon_model
from optimiser.horizon.run import HorizonRun, run_horizon
from optimiser.horizon.years import attrition_rates, horizon_years, year_inputs
from optimiser.inputs import ModelInputs
from optimiser.model.core import AllocationModel
from optimiser.pipeline import load_inputs
from optimiser.scenario import HorizonSpec
from optimiser.solve import SolveStatus
from optimiser.whatif.highs import HighsModel, run_highs, to_highs


@dataclasses.dataclass
class Joint:
    """A horizon's joint model, its HiGHS copy and the rolling plan (None without one)."""

    model: HorizonModel
    by_year: list[ModelInputs]
    rate: np.ndarray
    allocation: AllocationModel
    highs: HighsModel
    rolling: HorizonRun
    start: np.ndarray | None


def _joint(inputs: ModelInputs) -> Joint:
    h = inputs.horizon
    rolling = run_horizon(dataclasses.replace(inputs, horizon=h.model_copy(
        update={"mode": "rolling"})))
    years = horizon_years(inputs)
    by_year = [year_inputs(inputs, t) for t in years]
    rate = attrition_rates(inputs)
    model = build_horizon_model(years, by_year, rate, h.discount)
    jm = joint.joint_allocation_model(model)
    hm = to_highs(jm)
    start = None if rolling.plan is None else joint.starting_plan(hm, jm, model,
                                                                  rolling.runs, 60)
    return Joint(model, by_year, rate, jm, hm, rolling, start)


def _master(j: Joint, inputs: ModelInputs) -> decompose.Master | None:
    return decompose.build_master(j.highs, j.model, j.by_year, j.rate, inputs.horizon.discount)


def _bound_and_lp(inputs: ModelInputs, j: Joint | None = None
                  ) -> tuple[float | None, float, float | None]:
    """Converged trajectory bound, the joint LP bound, and the rolling plan's objective."""
    j = j or _joint(inputs)
    lp = run_highs(to_highs(j.allocation, mip=False), 60).objective
    if j.start is None:
        return None, lp, None
    master = _master(j, inputs)
    if master is None:  # nothing to decide
        return None, lp, j.rolling.plan.objective
    decompose.add_plan(master, j.start)
    bound, rounds = decompose.lower_bound(master, time.perf_counter() + 60)
    assert rounds >= 1
    return bound, lp, j.rolling.plan.objective


@pytest.mark.parametrize("seed", range(30))
def test_bound_is_never_above_the_exhaustive_optimum(tmp_path: Path, seed: int) -> None:
    data, scenario = _tiny_case(seed, tmp_path)
    optimum = _brute_force(_spec(data, scenario))
    inputs = load_inputs(data, scenario)
    j = _joint(inputs)
    if j.start is not None:
        # the joint model's objective at the rolling plan is the plan's (what solve_joint
        # compares the bound with, without solving that LP)
        lp = j.highs.highs.getLp()
        assert float(np.dot(lp.col_cost_, j.start) + lp.offset_) == pytest.approx(
            j.rolling.plan.objective, rel=1e-9, abs=1e-9)
    bound, lp, rolling = _bound_and_lp(inputs, j)
    if optimum is None or bound is None:
        return  # infeasible: nothing to bound
    assert lp - 1e-7 <= bound <= optimum + 1e-7
    assert optimum <= rolling + 1e-7


def test_two_national_years_with_contingents_and_dependencies() -> None:
    base = load_inputs(None, None)
    inputs = dataclasses.replace(base, horizon=HorizonSpec(start=2024, end=2025),
                                 mip_gap=0.0)
    proven = run_horizon(inputs)
    assert proven.result.status is SolveStatus.OPTIMAL
    bound, lp, _ = _bound_and_lp(inputs)
    # much tighter than the LP, never above the optimum
    assert lp < bound <= proven.plan.objective + 1e-6
    assert (proven.plan.objective - bound) < 0.25 * (proven.plan.objective - lp)


def test_the_bound_proves_the_national_horizon_within_its_gap(monkeypatch) -> None:
    bounds: list[float | None] = []
    real = joint.trajectory_bound

    def spy(*args, **kwargs):
        bounds.append(real(*args, **kwargs))
        return bounds[-1]

    monkeypatch.setattr(joint, "trajectory_bound", spy)
    base = load_inputs(None, None)
    inputs = dataclasses.replace(base, horizon=HorizonSpec(start=2024, end=2026),
                                 mip_gap=0.005)
    run = run_horizon(inputs)
    r = run.result
    assert r.status is SolveStatus.OPTIMAL and r.gap <= 0.005
    assert len(bounds) == 1 and bounds[0] is not None
    # proven without HiGHS: the plan is the rolling one, at its objective in the joint model
    j = _joint(inputs)
    lp = j.highs.highs.getLp()
    assert run.plan.objective == pytest.approx(j.rolling.plan.objective, rel=1e-12)
    assert float(np.dot(lp.col_cost_, j.start) + lp.offset_) == pytest.approx(
        run.plan.objective, rel=1e-9)
    assert r.best_bound == pytest.approx(bounds[0])
    assert r.best_bound <= run.plan.objective


def test_too_large_an_enumeration_leaves_the_proof_to_highs(monkeypatch) -> None:
    monkeypatch.setattr(decompose, "MAX_STATES", 10)
    base = load_inputs(None, None)
    inputs = dataclasses.replace(base, horizon=HorizonSpec(start=2024, end=2025),
                                 mip_gap=0.005)
    run = run_horizon(inputs)
    assert run.result.status is SolveStatus.OPTIMAL and run.result.gap <= 0.005


def test_neighbours_of_the_plan_are_bounded_by_a_count() -> None:
    inputs = dataclasses.replace(load_inputs(None, None),
                                 horizon=HorizonSpec(start=2024, end=2025))
    j = _joint(inputs)
    counts = []
    for most in (0, 500, decompose.MAX_NEIGHBOURS):
        master = _master(j, inputs)
        decompose.add_plan(master, j.start, most)
        counts.append(sum(len(k) for k in master.known))
    pairs = len(master.known)
    # zero and the plan; then at most 500 neighbours more; then all of them
    assert counts[0] <= 2 * pairs < counts[2]
    assert counts[0] <= counts[1] <= counts[0] + 500


def test_neighbours_of_the_plan_move_foreign_doctors_too() -> None:
    inputs = dataclasses.replace(load_inputs(None, None),
                                 horizon=HorizonSpec(start=2024, end=2025))
    j = _joint(inputs)
    master = _master(j, inputs)
    decompose.add_plan(master, j.start)
    years = master.x_cols.shape[1]
    plan_posts = np.rint(np.where(master.x_cols >= 0, j.start[np.maximum(master.x_cols, 0)], 0))
    plan_foreign = np.rint(np.where(master.y_cols >= 0,
                                    j.start[np.maximum(master.y_cols, 0)], 0))
    moved = swapped = 0
    for i, known in enumerate(master.known):
        for key in known:
            posts = np.array(key[:years])
            foreign = np.array(key[years:]).reshape(plan_foreign[i].shape)
            change = foreign - plan_foreign[i]
            if not change.any() or not any(key):
                continue  # the plan's post moves, or the empty trajectory every pair has
            # one doctor of one contingent in one year, alone or swapped for a post
            assert np.abs(change).sum() == 1
            assert (foreign >= 0).all() and (foreign <= master.data.foreign_upper[i]).all()
            post_change = posts - plan_posts[i]
            assert (post_change == 0).all() or (post_change == -change.sum(axis=1)).all()
            moved += 1
            swapped += bool(post_change.any())
    assert moved > 0 and swapped > 0


def test_the_relaxed_master_bounds_below_the_full_one() -> None:
    """Leaving out the switches' rows (deployments, dependency flags) is a relaxation: its
    converged bound is at most the full master's, itself at most the proven optimum."""
    base = load_inputs(None, None)
    inputs = dataclasses.replace(base, horizon=HorizonSpec(start=2024, end=2025),
                                 mip_gap=0.0)
    proven = run_horizon(inputs)
    assert proven.result.status is SolveStatus.OPTIMAL
    j = _joint(inputs)
    bounds = {}
    for relax in (True, False):
        master = decompose.build_master(j.highs, j.model, j.by_year, j.rate,
                                        inputs.horizon.discount, relax_switches=relax)
        assert master.relaxed is relax  # the national data has deployments and flags
        decompose.add_plan(master, j.start)
        bounds[relax], _ = decompose.lower_bound(master, time.perf_counter() + 60)
        assert master.highs.getNumRow() < j.highs.highs.getNumRow()
    assert bounds[True] <= bounds[False] + 1e-6 <= proven.plan.objective + 2e-6


def test_the_full_master_is_tried_when_the_relaxed_one_cannot_prove(monkeypatch) -> None:
    tried: list[bool] = []
    real_build, real_bound = decompose.build_master, decompose.lower_bound

    def build(*args, relax_switches: bool = False, **kwargs):
        tried.append(relax_switches)
        return real_build(*args, relax_switches=relax_switches, **kwargs)

    def bound(master, deadline, enough=None):
        if master.relaxed:
            return enough - 1.0, 1  # as if the relaxation fell short
        return real_bound(master, deadline, enough)

    monkeypatch.setattr(joint, "build_master", build)
    monkeypatch.setattr(joint, "lower_bound", bound)
    base = load_inputs(None, None)
    inputs = dataclasses.replace(base, horizon=HorizonSpec(start=2024, end=2026),
                                 mip_gap=0.005)
    run = run_horizon(inputs)
    assert tried == [True, False]
    assert run.result.status is SolveStatus.OPTIMAL and run.result.gap <= 0.005


def test_a_row_reading_the_replaced_need_columns_leaves_the_master() -> None:
    """Left out whole (a relaxation), never kept without its u, a, o entries."""
    inputs = dataclasses.replace(load_inputs(None, None),
                                 horizon=HorizonSpec(start=2024, end=2025))
    j = _joint(inputs)
    before = _master(j, inputs).highs.getNumRow()
    block = j.model.blocks[0]
    u = next(v for v in block.pair_vars["u"] if v is not None)
    x = int(j.highs.col(block.x["var"][:1])[0])
    # x - u >= -100: harmless for any plan, but not without its u
    j.highs.highs.addRow(-100.0, decompose.highspy.kHighsInf, 2,
                         np.array([x, j.highs.cols[u.name]], dtype=np.int32),
                         np.array([1.0, -1.0]))
    assert _master(j, inputs).highs.getNumRow() == before
