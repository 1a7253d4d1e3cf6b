"""Infeasible scenarios exit 3, write nothing, and name the rules in conflict."""

from __future__ import annotations

from tiny import dataset, scenario, solve

SPEC = [("ANES", 2.0, 2, 1.0), ("GYN", 2.0, 1, 1.0)]
DELEGATIONS = [("D1", "R1", 100000, 1), ("D2", "R1", 100000, 1), ("D3", "R2", 100000, 1)]


def _run(tmp_path, sc=None, **tables):
    data = dataset(tmp_path / "d", delegations=DELEGATIONS, specialties=SPEC, **tables)
    code, output, plan = solve(data, sc, tmp_path / "out")
    assert code == 3, output
    assert plan is None and not (tmp_path / "out").exists()
    return output


def test_posts_above_total_capacity(tmp_path):
    """40 ANES posts but every delegation has a limit, 31 in total: posts vs capacity[ANES]."""
    output = _run(tmp_path, posts=[(2024, "ANES", 40), (2024, "GYN", 1)],
                  capacity=[("D1", "ANES", 10), ("D2", "ANES", 10), ("D3", "ANES", 11)])
    assert "posts[ANES,2024] = 40" in output
    assert "capacity[ANES]: the 3 delegations with a hosting limit for ANES can take 31" in output
    assert "GYN" not in output


def test_no_delegation_can_host_a_specialty(tmp_path):
    """DATA.md: posts that no delegation can host are an infeasible plan, not a loader error."""
    output = _run(tmp_path, posts=[(2024, "ANES", 2)],
                  capacity=[("D1", "ANES", 0), ("D2", "ANES", 0), ("D3", "ANES", 0)])
    assert "posts[ANES,2024] = 2" in output and "can take 0 new doctors" in output


def test_floor_above_total_posts(tmp_path):
    sc = scenario(tmp_path / "s.yaml",
                  constraints=[{"name": "r2-floor", "region": "R2", "min": 6}])
    output = _run(tmp_path, sc, posts=[(2023, "ANES", 2), (2024, "ANES", 1), (2024, "GYN", 2)])
    assert "scenario[r2-floor]: national posts in region R2 >= 6" in output
    for label in ("posts[ANES,2023] = 2", "posts[ANES,2024] = 1", "posts[GYN,2024] = 2"):
        assert label in output


def test_conflicting_scenario_constraints(tmp_path):
    sc = scenario(tmp_path / "s.yaml", constraints=[
        {"name": "d1-anes", "delegation": "D1", "specialty": "ANES", "min": 2},
        {"name": "r1-cap", "region": "R1", "max": 1},
        {"name": "harmless", "region": "R2", "max": 50},
    ])
    output = _run(tmp_path, sc, posts=[(2024, "ANES", 3)])
    assert "scenario[d1-anes]" in output and "scenario[r1-cap]" in output
    assert "harmless" not in output and "posts[" not in output


def test_contingent_team_larger_than_its_size(tmp_path):
    """A contingent that must send teams of 3 but offers 2 doctors cannot meet a foreign floor."""
    sc = scenario(tmp_path / "s.yaml", constraints=[
        {"name": "need-foreign", "delegation": "D3", "counts": "foreign", "min": 1}])
    contingent = {"contingent_code": "CN", "name": "Mission", "origin": "CN", "min_team": 3,
                  "max_sites": 1, "cost_per_doctor": 0, "eligible": ""}
    output = _run(tmp_path, sc, posts=[(2024, "GYN", 1)], contingents=[contingent],
                  supply=[("CN", "ANES", 2)])
    assert "scenario[need-foreign]" in output
    assert "team[CN]: contingent CN sends at least 3 doctors" in output
    assert "size[CN,ANES]: contingent CN offers 2 doctors of ANES" in output
