"""Sensitivity: LP marginal values, receivers and integer re-solves agree on hand instances;
receivers are exact on the example and the public cases (tests/test_sensitivity_receiver.py
checks them against independent re-solves)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny import dataset, scenario

from optimiser.output import json_ready
from optimiser.pipeline import load_inputs, run_scenario
from optimiser.whatif.sensitivity import compute_sensitivity

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "testcases"


def _hand(tmp_path, constraints=()):
    """S: one post; D1 (weight 2) and D2 (weight 0.8) both have 1 of a target of 5, so every
    S post is worth 2 at D1 and 0.8 at D2. T: two posts; D2 has none (first worth 0.8*(1+4),
    then 0.8 each up to 5), D1 is at its target (one more costs eps_over = 0.01)."""
    data = dataset(tmp_path / "d",
                   delegations=[("D1", "R1", 200000, 2), ("D2", "R2", 200000, 0.8)],
                   specialties=[("S", 2.5, 1, 1.0), ("T", 2.5, 1, 1.0)],
                   posts=[(2024, "S", 1), (2023, "T", 1), (2024, "T", 1)],
                   workforce=[("D1", "S", 1, 0), ("D2", "S", 1, 0), ("D1", "T", 5, 0)])
    sc = scenario(tmp_path / "s.yaml", constraints=list(constraints))
    inputs = load_inputs(data, sc)
    return inputs, run_scenario(inputs)


def test_marginal_values_and_receivers(tmp_path):
    inputs, run = _hand(tmp_path)
    s = compute_sensitivity(inputs, run)
    rows = {(r["specialty"], r["promotion"]): r for r in s["posts"]}
    assert rows[("S", 2024)]["marginal_value"] == pytest.approx(2.0)
    assert rows[("S", 2024)]["receiver"] == "D1"
    assert rows[("S", 2024)]["receiver_gain"] == pytest.approx(2.0)
    # no contingent, no scenario constraint: the best single move is the integer optimum
    assert rows[("S", 2024)]["receiver_method"] == "separable" and rows[("S", 2024)]["exact"]
    assert rows[("S", 2024)]["plan_changes"] == [
        {"delegation": "D1", "specialty": "S", "posts": 1, "foreign": 0}]
    for p in (2023, 2024):  # promotions of a specialty are interchangeable posts
        t = rows[("T", p)]
        assert t["marginal_value"] == pytest.approx(0.8)
        assert t["receiver"] == "D2" and t["receiver_gain"] == pytest.approx(0.8)
    assert s["posts"][0]["specialty"] == "S"  # sorted by marginal value
    assert s["integer_checked"] == 0 and s["receivers_exact"]
    json.dumps(json_ready(s))


def test_shadow_cost_of_a_binding_floor(tmp_path):
    """The floor sends the S post to D2: each unit of floor costs 2 - 0.8 = 1.2."""
    inputs, run = _hand(tmp_path, [{"name": "d2-s", "delegation": "D2", "specialty": "S",
                                    "min": 1}])
    s = compute_sensitivity(inputs, run)
    (floor,) = s["scenario_constraints"]
    assert floor["name"] == "d2-s" and floor["bound"] == "min"
    assert floor["shadow_cost"] == pytest.approx(1.2)
    rows = {(r["specialty"], r["promotion"]): r for r in s["posts"]}
    assert rows[("S", 2024)]["marginal_value"] == pytest.approx(2.0)  # the next goes to D1
    # the floor couples S to a scenario row: the integer re-solve confirms the single move
    assert rows[("S", 2024)]["receiver"] == "D1"
    assert rows[("S", 2024)]["receiver_gain"] == pytest.approx(2.0)
    assert rows[("S", 2024)]["receiver_method"] == "greedy step, confirmed by re-solve"
    assert rows[("S", 2024)]["integer_gain"] == pytest.approx(2.0)
    assert rows[("S", 2024)]["integer_changes"] == {"D1": 1}
    assert s["integer_checked"] == 1 and s["receivers_exact"]


def test_no_plan_and_no_integer_check(tmp_path):
    inputs, run = _hand(tmp_path, [{"name": "impossible", "delegation": "D2", "min": 9}])
    assert compute_sensitivity(inputs, run) == {
        "available": False, "reason": "no plan (status infeasible)"}
    inputs, run = _hand(tmp_path, [{"name": "d2-s", "delegation": "D2", "specialty": "S",
                                    "min": 1}])
    s = compute_sensitivity(inputs, run, resolve=False)
    assert s["integer_checked"] == 0 and all("integer_gain" not in r for r in s["posts"])
    row = next(r for r in s["posts"] if r["specialty"] == "S")
    assert row["receiver_method"] == "lower bound" and not row["exact"]
    assert row["receiver"] == "D1" and not s["receivers_exact"]


@pytest.mark.parametrize("source", ["example", "case-101", "case-103", "case-105"])
def test_receivers_are_exact_by_default(source):
    if source == "example":
        data, sc = ROOT / "data" / "example", None
    else:
        if not CASES.is_dir():
            pytest.skip("public cases not present")
        data, sc = CASES / source, CASES / source / "scenario.yaml"
    inputs = load_inputs(data, sc)
    run = run_scenario(inputs)
    s = compute_sensitivity(inputs, run)
    assert s["available"] and s["lp_status"] == "optimal" and s["receivers_exact"]
    checked = [r for r in s["posts"] if r.get("integer_status") == "optimal"]
    assert checked and s["integer_checked"] > 0
    for r in checked:
        assert r["integer_gain"] == r["receiver_gain"], r
        if r["receiver"] is not None:
            assert r["integer_changes"].get(r["receiver"], 0) >= 1, r


def test_lp_duals_skipped_for_size_keep_every_receiver(monkeypatch):
    """Above LP_DUAL_COLUMNS the LP is not built (a million-cell plan took 4 minutes and 5 GB
    in it): no marginal value, a status that says why, and the same receivers and gains."""
    import optimiser.whatif.sensitivity as sensitivity

    inputs = load_inputs(ROOT / "data" / "example", None)
    run = run_scenario(inputs)
    full = compute_sensitivity(inputs, run)
    columns = sensitivity.literal_post_columns(inputs)
    pairs = inputs.pairs.groupby(level="specialty").size()
    assert columns == sum(int(pairs.get(s, 0)) for (s, _), n in inputs.posts.items() if n > 0)
    monkeypatch.setattr(sensitivity, "LP_DUAL_COLUMNS", columns - 1)
    small = compute_sensitivity(inputs, run)
    assert small["lp_status"].startswith(sensitivity.SKIPPED_FOR_SIZE)
    assert f"{columns:,} post columns" in small["lp_status"]
    assert all(r["marginal_value"] is None for r in small["posts"])
    assert small["scenario_constraints"] == [] or all(
        c["shadow_cost"] is None for c in small["scenario_constraints"])
    keys = ("specialty", "promotion", "receiver", "receiver_gain", "exact", "receiver_method")
    by_key = {(r["specialty"], r["promotion"]): r for r in full["posts"]}
    for r in small["posts"]:
        assert {k: r[k] for k in keys} == {k: by_key[(r["specialty"], r["promotion"])][k]
                                           for k in keys}
    forced = compute_sensitivity(inputs, run, lp_duals=True)
    assert forced["lp_status"] == "optimal" and forced == full
    monkeypatch.setattr(sensitivity, "LP_DUAL_COLUMNS", columns)
    assert compute_sensitivity(inputs, run) == full


def test_report_and_solver_agree_on_the_skipped_status():
    from optimiser.report import sensitivity as report_sensitivity
    from optimiser.whatif import sensitivity

    assert report_sensitivity.SKIPPED_FOR_SIZE == sensitivity.SKIPPED_FOR_SIZE
