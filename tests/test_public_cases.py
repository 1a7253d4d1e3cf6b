"""The shared public cases: the CLI must reach each known optimum (or exit 3 if infeasible)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from checker import check_plan, close, load_model
from instances import run_cli
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
