"""Monotonicity check: the Alabama paradox is detected, told apart from ties, and forbidden."""

from __future__ import annotations

import json

import pytest
from tiny import dataset, scenario

from optimiser.output import json_ready
from optimiser.pipeline import load_inputs, run_scenario
from optimiser.whatif.monotone import check_monotone


def _paradox(tmp_path):
    """D1 may take 3 posts in all (a scenario cap); posts may stay open (allocate_all false).

    With A = 0.5 and targets of 3, A's doctors are worth 6.5*1.5 = 9.75 then 6.5, B's 7.5*1.5 =
    11.25 then 7.5. With 2 A posts and 1 B post, all three fit: A 2, B 1 (objective 6.5 + 15).
    One more B post: the best three are 11.25, 9.75, 7.5, so A loses a post (objective 20.5).
    Keeping A's two posts leaves the new B post unused: the price of monotonicity is 1.0.
    """
    data = dataset(tmp_path / "d", delegations=[("D1", "R1", 100000, 1)],
                   specialties=[("A", 3.0, 1, 6.5), ("B", 3.0, 1, 7.5)],
                   posts=[(2024, "A", 2), (2024, "B", 1)])
    sc = scenario(tmp_path / "s.yaml", parameters={"absence_penalty": 0.5, "allocate_all": False},
                  constraints=[{"name": "d1-cap", "delegation": "D1", "max": 3}])
    inputs = load_inputs(data, sc)
    return inputs, run_scenario(inputs)


def test_paradox_is_detected_and_priced(tmp_path):
    inputs, run = _paradox(tmp_path)
    assert run.plan.objective == pytest.approx(21.5)
    report = check_monotone(inputs, run)
    cases = {(c.specialty, c.promotion): c for c in report.cases}
    b = cases[("B", 2024)]
    assert b.verdict == "paradox"
    assert b.losses == [{"delegation": "D1", "specialty": "A", "before": 2, "after": 1}]
    assert b.objective_plus == pytest.approx(20.5)
    assert b.objective_monotone == pytest.approx(21.5) and b.cost == pytest.approx(1.0)
    assert b.unmet_need_cost == pytest.approx(1.0)
    assert cases[("A", 2024)].verdict == "monotone"
    assert not report.monotone and len(report.paradoxes) == 1
    doc = report.to_json()
    json.dumps(json_ready(doc))
    assert doc["paradoxes"] == 1 and doc["cases"][0]["verdict"] in ("monotone", "paradox")


def test_forbid_mode_keeps_every_base_post(tmp_path):
    inputs, run = _paradox(tmp_path)
    report = check_monotone(inputs, run, forbid=True)
    for case in report.cases:
        assert case.objective_monotone is not None
        assert case.objective_monotone >= case.objective_plus - 1e-9
    b = next(c for c in report.cases if c.specialty == "B")
    assert b.monotone_gains == {}  # the new B post stays open rather than displace an A post


def test_separable_plans_are_monotone(tmp_path):
    """Without coupling rules, one more post never needs to take one away (greedy is optimal)."""
    data = dataset(tmp_path / "d", delegations=[("D1", "R", 150000, 1), ("D2", "R", 250000, 1.5),
                                                ("D3", "R", 80000, 2)],
                   specialties=[("S", 2.0, 2, 1.0), ("T", 3.0, 1, 1.2)],
                   posts=[(2023, "S", 3), (2024, "S", 2), (2024, "T", 4)],
                   workforce=[("D1", "S", 1, 0), ("D2", "T", 3, 1)])
    inputs = load_inputs(data, None)
    report = check_monotone(inputs, run_scenario(inputs))
    assert len(report.cases) == 3 and report.monotone
    assert all(c.verdict in ("monotone", "tie") for c in report.cases)
    assert all(c.cost == pytest.approx(0) for c in report.cases)
