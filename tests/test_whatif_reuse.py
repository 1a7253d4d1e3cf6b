"""Re-solving variants on one built model (optimiser/whatif/reuse.py) is exact.

Two proofs: for variants with the model's support, the HiGHS model after the in-place update
is *the same model* (bounds, costs, right-hand sides, matrix) as an independent build of the
variant; for random instances and random variants, the optimum equals an independent solve.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from instances import random_instance, write_instance

from optimiser.data import load_dataset
from optimiser.inputs import build_inputs
from optimiser.model import build_model
from optimiser.pipeline import run_scenario
from optimiser.results import plan_tables
from optimiser.scenario import read_scenario
from optimiser.whatif.highs import to_highs
from optimiser.whatif.paths import apply_point, read_document, scenario_file
from optimiser.whatif.reuse import IncompatibleVariant, ReusableModel

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
BASE = {"name": "base", "parameters": {"budget": 2000000},
        "constraints": [{"name": "dt-floor", "region": "DT", "min": 10},
                        {"name": "gon-band", "region": "GON", "min": 2, "max": 9},
                        {"name": "tata-fix", "delegation": "TATA", "specialty": "GYN",
                         "counts": "foreign", "fix": 3}]}
SAME_SUPPORT = [
    {"parameters.absence_penalty": 9},
    {"parameters.allocate_all": False},
    {"parameters.budget": 1500000},
    {"overrides.priority_weight.TATA": 3.5},
    {"overrides.norm_multiplier.*": 1.3},
    {"overrides.posts.ANES.2024": 3},
    {"overrides.contingent_size.CN.CHIR": 7},
    {"overrides.capacity.TATA.ANES": 5},
    {"constraints.dt-floor.min": 14, "constraints.gon-band.max": 4},
    {"constraints.tata-fix.fix": 1},
]


def _inputs(dataset, doc, point):
    return build_inputs(dataset, scenario_file(apply_point(doc, point), "test"))


def _lp(hm):
    """Everything that defines the HiGHS model, keyed by variable name and row label."""
    lp = hm.highs.getLp()
    col_name = {j: name for name, j in hm.cols.items()}
    row_key = {i: key for key, i in hm.rows.items()}
    a = lp.a_matrix_
    start, index, value = (np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_))
    if a.format_.name == "kColwise":
        entries = {(row_key[int(index[k])], col_name[j]): float(value[k])
                   for j in range(lp.num_col_) for k in range(start[j], start[j + 1])}
    else:
        entries = {(row_key[i], col_name[int(index[k])]): float(value[k])
                   for i in range(lp.num_row_) for k in range(start[i], start[i + 1])}
    cols = {col_name[j]: (lp.col_lower_[j], lp.col_upper_[j], lp.col_cost_[j])
            for j in range(lp.num_col_)}
    rows = {row_key[i]: (lp.row_lower_[i], lp.row_upper_[i]) for i in range(lp.num_row_)}
    return cols, rows, {k: v for k, v in entries.items() if v != 0}, lp.offset_


@pytest.mark.parametrize("point", SAME_SUPPORT, ids=lambda p: ",".join(p))
def test_updated_model_is_the_independent_build(point):
    dataset = load_dataset(EXAMPLE)
    base = _inputs(dataset, BASE, {})
    rm = ReusableModel(base)
    variant = _inputs(dataset, BASE, point)
    assert rm.incompatibility(variant) is None
    rm._refresh(variant, None)
    cols, rows, matrix, offset = _lp(rm.hm)
    other = _lp(to_highs(build_model(variant)))
    assert cols.keys() == other[0].keys() and rows.keys() == other[1].keys()
    for name, value in cols.items():
        assert value == pytest.approx(other[0][name], abs=1e-12), name
    for key, value in rows.items():
        assert value == pytest.approx(other[1][key], abs=1e-12), key
    assert matrix == pytest.approx(other[2], abs=1e-12)
    assert offset == pytest.approx(other[3], abs=1e-9)
    result = rm.solve(variant)
    assert plan_tables(variant, rm.model, result).objective == pytest.approx(
        run_scenario(variant).plan.objective, rel=1e-9)


def _random_points(doc, inputs, rng):
    specs = sorted(inputs.pairs.index.get_level_values("specialty").unique())
    dels = sorted(inputs.pairs.index.get_level_values("delegation").unique())
    points = [{"parameters.absence_penalty": rng.randint(0, 10)},
              {"parameters.allocate_all": rng.random() < 0.5},
              {"parameters.budget": rng.choice([None, 0, 100, 500])},
              {f"overrides.capacity.{rng.choice(dels)}.{rng.choice(specs)}": rng.randint(0, 3)},
              {f"overrides.norm_multiplier.{rng.choice(specs)}": rng.choice([0.5, 1.5, 2])},
              {f"overrides.priority_weight.{rng.choice(dels)}": rng.choice([0, 0.5, 3])}]
    points += [{f"overrides.posts.{s}.{p}": rng.randint(0, 6)} for s, p in inputs.posts.index[:2]]
    points += [{f"overrides.contingent_size.{c}.{s}": rng.randint(0, 4)}
               for c, s in inputs.supply.index[:2]]
    for i, con in enumerate(doc.get("constraints") or []):
        points += [{f"constraints.{i}.{b}": rng.randint(0, 5)} for b in ("min", "max", "fix")
                   if b in con]
    return points


def accepted_variants(rm, dataset, doc, points):
    """(point, variant) for each point the model accepts; a refused one must raise on solve.
    Points that are not valid scenarios (e.g. min > max after the change) are passed over."""
    for point in points:
        try:
            variant = _inputs(dataset, doc, point)
        except Exception:  # noqa: BLE001 - not a variant
            continue
        if rm.incompatibility(variant) is not None:
            with pytest.raises(IncompatibleVariant):
                rm.solve(variant)
            continue
        yield point, variant


@pytest.mark.parametrize("seed", range(6))
def test_random_variants_match_independent_solves(seed, tmp_path):
    rng = random.Random(seed)
    data, scenario = write_instance(random_instance(seed), tmp_path)
    dataset, doc = load_dataset(data), read_document(scenario)
    base = build_inputs(dataset, read_scenario(scenario))
    if base.solver != "highs":
        pytest.skip("CBC instance")
    rm = ReusableModel(base)
    reused = 0
    for point, variant in accepted_variants(rm, dataset, doc, _random_points(doc, base, rng)):
        reused += 1
        mine, theirs = rm.solve(variant), run_scenario(variant)
        assert mine.status == theirs.result.status, point
        if theirs.plan is not None:
            got = plan_tables(variant, rm.model, mine).objective
            assert got == pytest.approx(theirs.plan.objective, rel=1e-9, abs=1e-9), point
            assert mine.objective == pytest.approx(theirs.plan.objective, rel=1e-7, abs=1e-7)
    assert reused > 0


def test_variants_needing_new_rows_or_variables_are_refused():
    dataset = load_dataset(EXAMPLE)
    base = _inputs(dataset, BASE, {})
    rm = ReusableModel(base)
    new_constraint = {**BASE, "constraints": [*BASE["constraints"],
                                              {"name": "new", "region": "SM", "max": 1}]}
    cases = {
        "new posts rows": _inputs(dataset, BASE, {"overrides.posts.PED.2023": 2}),
        "capacity": _inputs(dataset, BASE, {"overrides.capacity.SIDI_IFNI.PED": 2}),
        "scenario constraint": _inputs(dataset, new_constraint, {}),
        "solver": _inputs(dataset, BASE, {"parameters.solver": "cbc"}),
    }
    for reason, variant in cases.items():
        assert reason in (rm.incompatibility(variant) or ""), reason
    # dropping a constraint or the budget frees rows: compatible
    fewer = {**BASE, "constraints": BASE["constraints"][:1]}
    assert rm.incompatibility(_inputs(dataset, fewer, {"parameters.budget": None})) is None


def test_tightened_bounds_met_by_the_last_optimum_skip_the_solve():
    """A rising floor that the plan already meets changes nothing; once it binds, it solves."""
    dataset = load_dataset(EXAMPLE)
    rm = ReusableModel(_inputs(dataset, BASE, {}))
    floors, skipped = [10, 12, 13, 20, 26, 26, 30], []
    for floor in floors:
        variant = _inputs(dataset, BASE, {"constraints.dt-floor.min": floor})
        result = rm.solve(variant)
        skipped.append(rm.last_skipped)
        theirs = run_scenario(variant)
        assert result.status == theirs.result.status
        if theirs.plan is not None:
            assert plan_tables(variant, rm.model, result).objective == pytest.approx(
                theirs.plan.objective, rel=1e-9)
    assert skipped[0] is False and any(skipped[1:4]) and skipped[5] is True
    # loosening never skips: a better plan may exist
    rm.solve(_inputs(dataset, BASE, {"constraints.dt-floor.min": 0}))
    assert rm.last_skipped is False
