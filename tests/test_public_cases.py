"""The shared public cases: the CLI must reach each known optimum (or exit 3 if infeasible)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from checker import check_plan, check_plan_against, close, load_model
from instances import run_cli
from need_check import with_targets
from uptake_brute import expected_objective, read_uptake

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "testcases"

if not CASES_DIR.is_dir():
    pytest.skip(f"public test cases not found at {CASES_DIR}", allow_module_level=True)

CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.json").is_file())
NEXT_CASES = [p for p in [CASES_DIR.parent / "testcases-next" / "case-201-uptake"] if p.is_dir()]
"""Cases of issue 14 built so far (the others of testcases-next are later features)."""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_public_case(case: Path, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    scenario = case / "scenario.yaml"
    result = run_cli(case, scenario, tmp_path / "out")
    if expected["status"] == "infeasible":
        assert result.code == 3, result.explain()
        assert not result.wrote_anything(), "infeasible but output written"
        return
    assert result.code == 0, result.explain()
    assert result.plan is not None
    got = result.plan["objective"]
    assert close(got, expected["objective"]), f"objective {got!r}, expected {expected}"
    report = check_plan(case, scenario, result.plan)
    assert report.ok, str(report)
    assert close(report.objective, expected["objective"]), str(report)


@pytest.mark.parametrize("case", NEXT_CASES, ids=[c.name for c in NEXT_CASES])
def test_public_uptake_case(case: Path, tmp_path: Path) -> None:
    """`uptake: expected` (UPTAKE.md): the expected objective and unmet need of expected.json,
    recomputed from the plan by enumerating acceptance outcomes (tests/uptake_brute.py)."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    scenario = case / "scenario.yaml"
    result = run_cli(case, scenario, tmp_path / "out")
    assert result.code == 0, result.explain()
    assert result.plan is not None and result.plan["status"] == expected["status"]
    for key in ("objective", "expected_unmet_need"):
        assert close(result.plan[key], expected[key]), f"{key} {result.plan[key]!r}, {expected}"
    report = check_plan(case, scenario, result.plan)
    assert report.rules() <= {"objective"}, str(report)  # the checker's is MODEL.md's
    model = load_model(case, scenario)
    rows = result.plan["delegations"]
    objective, unmet = expected_objective(
        model, read_uptake(case, model),
        {(r["delegation"], r["specialty"]): r["posts"] for r in rows},
        {(r["delegation"], r["specialty"]): r["foreign"] for r in rows})
    assert close(objective, expected["objective"]) and close(unmet, expected["expected_unmet_need"])


REACH_TARGET_CASES = [p for p in (CASES_DIR.parent / "testcases-next" / name
                                  for name in ("case-202-targets", "case-205-reach"))
                      if p.is_dir()]
"""NEED.md's workload targets (targets.csv) and reach (parameters.min_reach)."""


@pytest.mark.parametrize("case", REACH_TARGET_CASES, ids=[c.name for c in REACH_TARGET_CASES])
def test_public_targets_reach_case(case: Path, tmp_path: Path) -> None:
    """The CLI reaches expected.json's optimum; the independent checker (with targets.csv's
    targets: tests/need_check.py) finds every rule kept and the same objective, and a reach
    case reaches at least min_reach delegations."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    scenario = case / "scenario.yaml"
    result = run_cli(case, scenario, tmp_path / "out")
    assert result.code == 0, result.explain()
    assert result.plan is not None and result.plan["status"] == expected["status"]
    got = result.plan["objective"]
    assert close(got, expected["objective"]), f"objective {got!r}, expected {expected}"
    report = check_plan_against(with_targets(load_model(case, scenario), case), result.plan)
    assert report.ok and close(report.objective, expected["objective"]), str(report)
    reach = result.plan["parameters"].get("min_reach")
    if reach is None:
        return
    reached = {r["delegation"] for r in result.plan["allocations"] if r["posts"] > 0}
    assert result.plan["delegations_reached"] == len(reached) >= reach


EQUITY_CASE = CASES_DIR.parent / "testcases-next" / "case-203-equity"


@pytest.mark.skipif(not EQUITY_CASE.is_dir(), reason="case-203-equity not found")
def test_public_equity_case(tmp_path: Path) -> None:
    """NEED.md equity: the objective of expected.json, and it recomputes from the plan as the
    checker's MODEL.md objective + equity_weight * max_d g[d] (g from the plan's rows)."""
    expected = json.loads((EQUITY_CASE / "expected.json").read_text(encoding="utf-8"))
    scenario = EQUITY_CASE / "scenario.yaml"
    result = run_cli(EQUITY_CASE, scenario, tmp_path / "out")
    assert result.code == 0, result.explain()
    assert result.plan is not None and result.plan["status"] == expected["status"]
    assert close(result.plan["objective"], expected["objective"]), result.plan["objective"]
    report = check_plan(EQUITY_CASE, scenario, result.plan)
    assert report.rules() <= {"objective"}, str(report)
    model = load_model(EQUITY_CASE, scenario)
    g: dict[str, float] = {}
    for r in result.plan["delegations"]:
        d, s = r["delegation"], r["specialty"]
        g[d] = g.get(d, 0.0) + 100000 / model.pop[d] * model.unmet(d, s, r["staff_after"])
    assert close(max(g.values()), result.plan["max_per_capita_unmet_need"])
    assert report.objective is not None
    assert close(report.objective + 50 * max(g.values()), expected["objective"])


DEPENDENCY_CASE = CASES_DIR.parent / "testcases-next" / "case-204-dependencies"


@pytest.mark.skipif(not DEPENDENCY_CASE.is_dir(), reason="case-204 not found")
def test_public_dependencies_case(tmp_path: Path) -> None:
    """dependencies.csv (NEED.md): the objective of expected.json through the CLI; the
    checker (MODEL.md rules) still holds for the plan (tests/test_dependencies.py checks
    the rule itself and the objective without the file)."""
    expected = json.loads((DEPENDENCY_CASE / "expected.json").read_text(encoding="utf-8"))
    scenario = DEPENDENCY_CASE / "scenario.yaml"
    result = run_cli(DEPENDENCY_CASE, scenario, tmp_path / "out")
    assert result.code == 0, result.explain()
    assert close(result.plan["objective"], expected["objective"]), result.plan["objective"]
    assert check_plan(DEPENDENCY_CASE, scenario, result.plan).ok
