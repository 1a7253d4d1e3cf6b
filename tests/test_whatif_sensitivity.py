"""Sensitivity: LP marginal values, greedy receivers and integer re-solves agree on hand
instances; the greedy gain is a lower bound of the re-optimised gain everywhere."""

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


def test_marginal_values_match_integer_resolves(tmp_path):
    inputs, run = _hand(tmp_path)
    s = compute_sensitivity(inputs, run, top=2)
    rows = {(r["specialty"], r["promotion"]): r for r in s["posts"]}
    assert rows[("S", 2024)]["marginal_value"] == pytest.approx(2.0)
    assert rows[("S", 2024)]["receiver"] == "D1"
    assert rows[("S", 2024)]["receiver_gain"] == pytest.approx(2.0)
    assert rows[("S", 2024)]["integer_gain"] == pytest.approx(2.0)
    assert rows[("S", 2024)]["integer_changes"] == {"D1": 1}
    t = next(r for r in s["posts"] if r["specialty"] == "T" and "integer_gain" in r)
    assert t["marginal_value"] == pytest.approx(0.8)
    assert t["receiver"] == "D2" and t["receiver_gain"] == pytest.approx(0.8)
    assert t["integer_gain"] == pytest.approx(0.8) and t["integer_changes"] == {"D2": 1}
    assert s["posts"][0]["specialty"] == "S"  # sorted by marginal value
    assert s["integer_checked"] == 2
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


def test_no_plan_and_no_integer_check(tmp_path):
    inputs, run = _hand(tmp_path, [{"name": "impossible", "delegation": "D2", "min": 9}])
    assert compute_sensitivity(inputs, run) == {
        "available": False, "reason": "no plan (status infeasible)"}
    inputs, run = _hand(tmp_path)
    s = compute_sensitivity(inputs, run, top=0)
    assert s["integer_checked"] == 0 and all("integer_gain" not in r for r in s["posts"])


@pytest.mark.parametrize("source", ["example", "case-101", "case-103", "case-105"])
def test_greedy_gain_bounds_the_integer_gain(source):
    if source == "example":
        data, sc = ROOT / "data" / "example", None
    else:
        if not CASES.is_dir():
            pytest.skip("public cases not present")
        data, sc = CASES / source, CASES / source / "scenario.yaml"
    inputs = load_inputs(data, sc)
    run = run_scenario(inputs)
    s = compute_sensitivity(inputs, run, top=3, check_seconds=20)
    assert s["available"] and s["lp_status"] == "optimal"
    checked = [r for r in s["posts"] if r.get("integer_status") == "optimal"]
    assert checked
    for r in checked:
        if r["receiver_gain"] is not None:
            assert r["integer_gain"] >= r["receiver_gain"] - 1e-6, r
