"""Tiny instances whose optimum is known by reasoning (worked out in each docstring)."""

from __future__ import annotations

import pytest
from tiny import dataset, foreign_of, posts_of, scenario, solve

ONE_SPEC = [("S", 2.0, 1, 1.0)]  # norm 2 per 100k: a 100,000 delegation has target 2


def test_absence_tranche_beats_reinforcement(tmp_path):
    """One post; D1 (w 1) has nobody, D2 (w 4) has 1 of its target 2; A = 4.

    To D1: D1 u=1 (1) + D2 u=1 (4) = 5.  To D2: D1 u=2, a=1 -> 2 + 4*1 = 6, D2 0 -> 6.
    The absence tranche of D1 outweighs D2's four-times weight: optimum 5, post to D1.
    """
    data = dataset(tmp_path / "d", delegations=[("D1", "R", 100000, 1), ("D2", "R", 100000, 4)],
                   specialties=ONE_SPEC, posts=[(2024, "S", 1)], workforce=[("D2", "S", 1, 0)])
    code, out, plan = solve(data, None, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(5.0, abs=1e-9)
    assert posts_of(plan) == {("D1", "S"): 1}
    assert plan["posts_by_category"] == {"creation": 1, "compensation": 0, "reinforcement": 0}


def test_absence_loses_when_the_weight_is_high_enough(tmp_path):
    """Same, D2 weight 6: to D1 -> 1 + 6 = 7; to D2 -> 6. Optimum 6, post to D2."""
    data = dataset(tmp_path / "d", delegations=[("D1", "R", 100000, 1), ("D2", "R", 100000, 6)],
                   specialties=ONE_SPEC, posts=[(2024, "S", 1)], workforce=[("D2", "S", 1, 0)])
    code, out, plan = solve(data, None, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(6.0, abs=1e-9)
    assert posts_of(plan) == {("D2", "S"): 1}
    assert plan["posts_by_category"]["reinforcement"] == 1


def test_capacity_binds(tmp_path):
    """Three posts. D1 (pop 500k, target 10, w 2) would take all, but hosts at most 1.

    Plan: D1 1 (u 9 -> 2*9 = 18), D2 (target 2) 2 (u 0, o 0). Any other split is worse
    (D1 0: 2*(10 + 4) = 28). Optimum 18.
    """
    data = dataset(tmp_path / "d", delegations=[("D1", "R", 500000, 2), ("D2", "R", 100000, 1)],
                   specialties=ONE_SPEC, posts=[(2023, "S", 1), (2024, "S", 2)],
                   capacity=[("D1", "S", 1)])
    code, out, plan = solve(data, None, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(18.0, abs=1e-9)
    assert posts_of(plan) == {("D1", "S"): 1, ("D2", "S"): 2}


FOUR = [(f"D{i}", "R", 50000, 1) for i in range(1, 5)]  # target 1 each, nobody in post


def _contingent(**rules):
    row = {"contingent_code": "C", "name": "Mission", "origin": "X", "min_team": 1,
           "max_sites": "", "cost_per_doctor": 0, "eligible": ""}
    row.update(rules)
    return [row]


def test_team_size_forces_grouping(tmp_path):
    """A contingent of 4 with teams of at least 2; four delegations of target 1 (u=1, a=1 -> 5
    each when empty). Best: two sites with 2 each: 2 empty delegations (10) + overstaffing
    2 * 0.01 + 4 foreign * 0.001 = 10.024 (teams of 1 would have reached 0.004)."""
    data = dataset(tmp_path / "d", delegations=FOUR, specialties=ONE_SPEC,
                   posts=[(2024, "S", 0)], contingents=_contingent(min_team=2),
                   supply=[("C", "S", 4)])
    code, out, plan = solve(data, None, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(10.024, abs=1e-9)
    assert sorted(foreign_of(plan).values()) == [2, 2]


def test_budget_binds(tmp_path):
    """Doctors cost 100 each and the budget is 250: two doctors, two empty delegations.
    Objective 2 * 5 + 2 * 0.001 = 10.002; budget used 200."""
    data = dataset(tmp_path / "d", delegations=FOUR, specialties=ONE_SPEC,
                   posts=[(2024, "S", 0)], contingents=_contingent(cost_per_doctor=100),
                   supply=[("C", "S", 4)])
    sc = scenario(tmp_path / "s.yaml", parameters={"budget": 250})
    code, out, plan = solve(data, sc, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(10.002, abs=1e-9)
    assert plan["budget_used"] == 200
    assert sorted(foreign_of(plan).values()) == [1, 1]


def test_sites_and_eligibility(tmp_path):
    """At most 2 sites, eligible only in region R2 (D3, D4 of four): D3 and D4 get 1 each,
    D1 and D2 stay empty: 10 + 0.002."""
    delegations = [("D1", "R1", 50000, 1), ("D2", "R1", 50000, 1),
                   ("D3", "R2", 50000, 1), ("D4", "R2", 50000, 1)]
    data = dataset(tmp_path / "d", delegations=delegations, specialties=ONE_SPEC,
                   posts=[(2024, "S", 0)], contingents=_contingent(max_sites=2, eligible="R2"),
                   supply=[("C", "S", 4)])
    code, out, plan = solve(data, None, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(10.002, abs=1e-9)
    assert foreign_of(plan) == {("D3", "S"): 1, ("D4", "S"): 1}


@pytest.mark.parametrize(("allocate_all", "objective", "given"), [(True, 0.02, 3), (False, 0.0, 1)])
def test_allocate_all(tmp_path, allocate_all, objective, given):
    """One delegation of target 1 and 3 posts: all allocated -> overstaffing 2 * 0.01;
    allocate_all false -> only the useful post is given."""
    data = dataset(tmp_path / "d", delegations=[("D1", "R", 50000, 1)], specialties=ONE_SPEC,
                   posts=[(2024, "S", 3)])
    sc = scenario(tmp_path / "s.yaml", parameters={"allocate_all": allocate_all})
    code, out, plan = solve(data, sc, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(objective, abs=1e-9)
    assert posts_of(plan) == {("D1", "S"): given}


def test_scenario_floor_moves_posts(tmp_path):
    """Two posts; D1 (R1, w 1) and D2 (R2, w 10) both empty with target 2. Both to D2: D1 keeps
    u=2, a=1 -> 6; one each: 1 + 10 = 11. A floor of 1 post in R1 forces the split: 11."""
    data = dataset(tmp_path / "d", delegations=[("D1", "R1", 100000, 1), ("D2", "R2", 100000, 10)],
                   specialties=ONE_SPEC, posts=[(2024, "S", 2)])
    code, out, free = solve(data, None, tmp_path / "free")
    assert posts_of(free) == {("D2", "S"): 2}
    assert free["objective"] == pytest.approx(1 * (2 + 4), abs=1e-9)
    sc = scenario(tmp_path / "s.yaml", constraints=[{"name": "r1-floor", "region": "R1", "min": 1}])
    code, out, plan = solve(data, sc, tmp_path / "o")
    assert code == 0, out
    assert plan["objective"] == pytest.approx(11.0, abs=1e-9)
    assert posts_of(plan) == {("D1", "S"): 1, ("D2", "S"): 1}
    assert plan["scenario_constraints"][0]["value"] == 1


def test_departures_are_compensated_first(tmp_path):
    """cur 3, dep 1 (base 2), target 4, presence 1: 1 post is compensation, 1 reinforcement."""
    data = dataset(tmp_path / "d", delegations=[("D1", "R", 200000, 1)], specialties=ONE_SPEC,
                   posts=[(2024, "S", 2)], workforce=[("D1", "S", 3, 1)])
    code, out, plan = solve(data, None, tmp_path / "o")
    assert code == 0, out
    assert plan["posts_by_category"] == {"creation": 0, "compensation": 1, "reinforcement": 1}
    assert plan["objective"] == pytest.approx(0.0, abs=1e-9)
