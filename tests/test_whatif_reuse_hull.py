"""Re-solving sweep points on one hull model (optimiser/whatif/reuse_hull.py) is exact.

For random instances and random variants (scenario bounds, contingent sizes, budget,
allocate_all, and the changes the model must refuse), every variant the model accepts gets
the optimum of an independent solve; the ones it refuses raise. Variants come in random order,
so answers taken from a remembered optimum (no solve) are checked too.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from instances import random_instance, write_instance
from test_hull import _without_promotion_filters
from test_whatif_reuse import BASE, EXAMPLE, _inputs, _random_points, accepted_variants

from optimiser.data import load_dataset
from optimiser.errors import InputError
from optimiser.inputs import build_inputs
from optimiser.pipeline import plan_build_options, run_scenario
from optimiser.results import plan_tables
from optimiser.scenario import read_scenario
from optimiser.whatif.paths import read_document
from optimiser.whatif.reuse_hull import HullReusable


def _check(rm: HullReusable, variant, point) -> None:
    mine, theirs = rm.solve(variant), run_scenario(variant, fast_path=False)
    assert mine.status == theirs.result.status, point
    if theirs.plan is not None:
        got = plan_tables(variant, rm.model, mine).objective
        assert got == pytest.approx(theirs.plan.objective, rel=1e-9, abs=1e-9), point


@pytest.mark.parametrize("seed", range(10))
def test_random_variants_match_independent_solves(seed, tmp_path):
    rng = random.Random(seed)
    instance = _without_promotion_filters(random_instance(seed)).with_parameters(solver="highs")
    data, scenario = write_instance(instance, tmp_path)
    dataset, doc = load_dataset(data), read_document(scenario)
    try:
        base = build_inputs(dataset, read_scenario(scenario))
    except InputError:
        pytest.skip("without its promotion filter a constraint selects nothing")
    assert plan_build_options(base).formulation == "hull"
    rm = HullReusable(base)
    points = _random_points(doc, base, rng) * 2
    rng.shuffle(points)
    for point, variant in accepted_variants(rm, dataset, doc, points):
        _check(rm, variant, point)


def test_floors_sizes_and_budget_are_rewritten_in_place():
    """The example dataset's scenario with the sweep-able changes of an analyst."""
    dataset = load_dataset(EXAMPLE)
    rm = HullReusable(_inputs(dataset, BASE, {}))
    points = [{"constraints.dt-floor.min": floor} for floor in (10, 14, 20, 12, 30, 0)]
    points += [{"overrides.contingent_size.CN.CHIR": size} for size in (0, 2, 1)]
    points += [{"parameters.budget": budget} for budget in (0, 500000, 2000000, None)]
    points += [{"parameters.allocate_all": False}, {"constraints.gon-band.max": 3}]
    skipped = 0
    for point in points:
        variant = _inputs(dataset, BASE, point)
        assert rm.incompatibility(variant) is None, point
        _check(rm, variant, point)
        skipped += rm.last_skipped
    assert rm.solves + skipped == len(points)
    refused = {
        "posts": {"overrides.posts.ANES.2024": 3},
        "objective weights": {"parameters.absence_penalty": 9},
        "pair costs": {"overrides.norm_multiplier.*": 1.3},
    }
    for reason, point in refused.items():
        assert reason in (rm.incompatibility(_inputs(dataset, BASE, point)) or ""), reason


def test_the_national_sweep_answers_are_the_single_solves(tmp_path):
    """A few points of the benchmark sweep on the embedded dataset, against fresh solves."""
    root = Path(__file__).resolve().parents[1]
    dataset = load_dataset(root / "data" / "morocco-2024")
    doc = read_document(root / "scenarios" / "ttah-97.yaml")
    rm = HullReusable(_inputs(dataset, doc, {}))
    for floor in (120, 200, 150, 160):
        point = {"constraints.ttah-floor.min": floor}
        _check(rm, _inputs(dataset, doc, point), point)
