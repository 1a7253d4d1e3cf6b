"""The hull formulation (model/hull.py) reaches the literal MODEL.md optimum.

Random instances from tests/instances.py carry contingents (one or several per pair), team
sizes, site limits, budgets, scenario constraints on posts, foreign doctors or both (their
promotion filters removed: those send the plan to the literal model), and overrides. For
each one, both formulations are solved in-process and must agree on status and objective;
the hull's plan is checked by the independent checker. The plan path (run_scenario)
uses the hull, so the public cases and the brute-force properties exercise it too.
"""

from __future__ import annotations

import numpy as np
import pytest
from checker import check_plan
from instances import SMALL, TINY, Instance, random_instance, write_instance

from optimiser.errors import InputError
from optimiser.inputs import ModelInputs
from optimiser.model import BuildOptions, build_model
from optimiser.output import plan_document
from optimiser.pipeline import load_inputs, plan_build_options, run_scenario
from optimiser.results import plan_tables
from optimiser.solve import solve_model

SEEDS = range(100)


def _literal(inputs: ModelInputs) -> tuple[str, float | None]:
    """Status and exact plan objective (recomputed from the integers) of the literal model."""
    model = build_model(inputs, BuildOptions())
    result = solve_model(model, "highs", 60.0, 0.0)
    if not result.status.has_plan:
        return result.status.value, None
    return result.status.value, plan_tables(inputs, model, result).objective


def _without_promotion_filters(instance: Instance) -> Instance:
    """The instance with its scenario constraints counting every promotion: a constraint by
    promotion sends the plan to the literal model, and this file tests the hull."""
    constraints = [{k: v for k, v in con.items() if k != "promotion"}
                   for con in instance.scenario.get("constraints") or []]
    return Instance(instance.tables, {**instance.scenario, "constraints": constraints})


@pytest.mark.parametrize("seed", SEEDS)
def test_hull_reaches_the_literal_optimum(tmp_path, seed):
    instance = _without_promotion_filters(random_instance(seed, SMALL if seed % 2 else TINY))
    data, scenario = write_instance(instance.with_parameters(solver="highs"), tmp_path)
    try:
        inputs = load_inputs(data, scenario)
    except InputError:
        pytest.skip("without its promotion filter a constraint selects nothing")
    assert plan_build_options(inputs).formulation == "hull"
    run = run_scenario(inputs, fast_path=False)
    status, objective = _literal(inputs)
    assert run.result.status.value == status, instance.describe()
    if status != "optimal":
        return
    assert run.plan is not None
    # solver objectives differ from the plan's by HiGHS's feasibility tolerance (1e-7 per row)
    assert run.result.objective == pytest.approx(objective, rel=1e-6, abs=1e-5)
    assert run.plan.objective == pytest.approx(objective, rel=1e-9, abs=1e-9)
    document = plan_document(inputs, run.result, run.plan, run.build_seconds, timestamp=False)
    report = check_plan(data, scenario, document)
    assert report.ok, report.violations


def test_hull_is_tighter_where_contingents_reach(tmp_path):
    """The point of the formulation: on an instance where spreading one doctor per site pays
    in the literal LP, the hull's LP bound is closer to the integer optimum."""
    from optimiser.whatif.highs import run_highs, to_highs

    gaps = []
    for seed in (3, 11, 17, 29):
        instance = random_instance(seed, SMALL)
        data, scenario = write_instance(instance.with_parameters(solver="highs"),
                                        tmp_path / str(seed))
        inputs = load_inputs(data, scenario)
        if inputs.supply.sum() == 0 or plan_build_options(inputs).formulation != "hull":
            continue
        bounds = []
        for options in (BuildOptions(aggregate_promotions=True),
                        BuildOptions(aggregate_promotions=True, formulation="hull")):
            model = build_model(inputs, options)
            lp = run_highs(to_highs(model, mip=False), 60.0)
            mip = run_highs(to_highs(model), 60.0)
            if mip.objective is None or lp.objective is None:
                break
            bounds.append((lp.objective, mip.objective))
        if len(bounds) == 2:
            (lp_literal, opt), (lp_hull, opt_hull) = bounds
            assert opt_hull == pytest.approx(opt, rel=1e-6, abs=1e-5)
            assert lp_hull >= lp_literal - 1e-7  # never weaker
            gaps.append((opt - lp_literal, opt - lp_hull))
    assert gaps, "no instance with contingents among the seeds"
    assert np.sum([h for _, h in gaps]) <= np.sum([lit for lit, _ in gaps]) + 1e-9
