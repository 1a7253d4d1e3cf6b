"""NEED.md reach (`parameters.min_reach`): hand instances with reasoned optima, the infeasible
case explained, and random tiny instances against an exhaustive enumeration."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from checker import close, load_model
from instances import TINY, random_instance, write_instance
from need_check import brute_force_reach

from optimiser.fastpath import fast_path_blocker
from optimiser.model import BuildOptions
from optimiser.pipeline import load_inputs, run_scenario

REPO = Path(__file__).resolve().parents[1]


def _dataset(folder: Path, uptake: str | None = None) -> Path:
    """Three delegations, one specialty, 2 posts; everyone has a doctor (presence is met), so
    each post removes w x 1 of shortfall: D1 (w 2) short 4, D2 (w 1) short 1, D3 at target."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "regions.csv": "region_code,name_fr\nR,R\n",
        "delegations.csv": "delegation_code,name_fr,region_code,population,priority_weight\n"
                           "D1,D1,R,500000,2\nD2,D2,R,200000,1\nD3,D3,R,100000,1\n",
        "specialties.csv": "specialty_code,name_fr,norm_per_100k,min_presence,weight\n"
                           "S,S,1,1,1\n",
        "workforce.csv": "delegation_code,specialty_code,current,departures\n"
                         "D1,S,1,0\nD2,S,1,0\nD3,S,1,0\n",
        "posts.csv": "promotion,specialty_code,posts\n2024,S,2\n",
    }
    if uptake:
        files["uptake.csv"] = uptake
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _scenario(folder: Path, **params: object) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump({"name": "reach", "parameters": params}), encoding="utf-8")
    return path


def _solve(data: Path, scenario: Path, fast_path: bool = True) -> tuple[float | None, dict]:
    run = run_scenario(load_inputs(data, scenario), fast_path=fast_path)
    if run.plan is None:
        return None, {}
    posts = run.plan.allocations.groupby("delegation")["posts"].sum()
    return run.plan.objective, {d: int(v) for d, v in posts.items() if v > 0}


def test_min_reach_forces_a_spread(tmp_path: Path) -> None:
    """Without the rule both posts go to D1 (2 x 2 off D1's 8): 2 x 2 + 1 x 1 = 5. With
    min_reach 2 the second post must go elsewhere: D2 (loses w 2, gains w 1): 2 x 3 = 6; D3
    would cost 2 x 3 + 1 + 0.01 (over target) = 7.01. min_reach 0 is no rule."""
    data = _dataset(tmp_path / "d")
    assert _solve(data, _scenario(tmp_path, allocate_all=True)) == (5.0, {"D1": 2})
    objective, posts = _solve(data, _scenario(tmp_path, min_reach=2))
    assert close(objective, 6.0) and posts == {"D1": 1, "D2": 1}
    assert _solve(data, _scenario(tmp_path, min_reach=0))[1] == {"D1": 2}
    inputs = load_inputs(data, _scenario(tmp_path, min_reach=2))
    assert "min_reach" in (fast_path_blocker(inputs) or "")


def test_min_reach_same_in_literal_and_hull(tmp_path: Path) -> None:
    """The literal model (rules as printed) gives the hull's optimum."""
    from optimiser import pipeline

    data = _dataset(tmp_path / "d")
    scenario = _scenario(tmp_path, min_reach=2)
    original = pipeline.plan_build_options
    try:
        pipeline.plan_build_options = lambda inputs: BuildOptions()
        literal = _solve(data, scenario, fast_path=False)
    finally:
        pipeline.plan_build_options = original
    assert close(literal[0], 6.0) and literal[1] == {"D1": 1, "D2": 1}


def test_unreachable_min_reach_is_explained(tmp_path: Path) -> None:
    """2 posts cannot reach 3 delegations: exit 3, nothing written, and explain names the
    reach rule (and the posts that fall short of it)."""
    data = _dataset(tmp_path / "d")
    scenario = _scenario(tmp_path, min_reach=3)
    out = tmp_path / "out"
    solve = subprocess.run([sys.executable, "-m", "optimiser", "solve", "--no-report", "--data",
                            str(data), "--scenario", str(scenario), "--out", str(out)],
                           capture_output=True, text=True, cwd=REPO, timeout=120)
    assert solve.returncode == 3, solve.stdout + solve.stderr
    assert not out.exists()
    assert "reach: at least 3 delegations receive a national post" in solve.stdout + solve.stderr


def test_plan_json_reports_delegations_reached(tmp_path: Path) -> None:
    """plan.json carries delegations_reached (every plan) and min_reach in parameters."""
    import json

    data = _dataset(tmp_path / "d")
    out = tmp_path / "out"
    solve = subprocess.run([sys.executable, "-m", "optimiser", "solve", "--no-report", "--data",
                            str(data), "--scenario", str(_scenario(tmp_path, min_reach=2)),
                            "--out", str(out)], capture_output=True, text=True, cwd=REPO,
                           timeout=120)
    assert solve.returncode == 0, solve.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["delegations_reached"] == 2 and plan["parameters"]["min_reach"] == 2
    assert "delegations reached (at least one national post): 2" in solve.stdout


def test_min_reach_with_expected_uptake(tmp_path: Path) -> None:
    """Reach counts posts, not arrivals. D2 takes posts up with p = 0.5: its post gains 0.5 in
    expectation, so without the rule both go to D1 (objective 5). With min_reach 2 the spread
    to D2 costs 2 x 3 + (1 - 0.5 x 1) = 6.5, still below D3's 7.01."""
    data = _dataset(tmp_path / "d", uptake="delegation_code,specialty_code,p_accept\nD2,S,0.5\n")
    objective, posts = _solve(data, _scenario(tmp_path, uptake="expected", min_reach=2))
    assert close(objective, 6.5) and posts == {"D1": 1, "D2": 1}


@pytest.mark.parametrize("seed", range(12))
def test_random_tiny_instances_match_brute_force(seed: int, tmp_path: Path) -> None:
    """The MIP optimum with min_reach equals the enumeration's, infeasible alike."""
    instance = random_instance(1000 + seed, TINY)
    k = random.Random(seed).randint(1, 3)
    data, scenario = write_instance(instance.with_parameters(min_reach=k), tmp_path)
    best = brute_force_reach(load_model(data, scenario), k)
    objective, posts = _solve(data, scenario)
    context = f"min_reach {k}: brute {best.objective} {best.x}, mip {objective} {posts}\n" \
              f"{instance.describe()}"
    if best.objective is None:
        assert objective is None, context
        return
    assert objective is not None and close(objective, best.objective), context
    assert len(posts) >= k, context
