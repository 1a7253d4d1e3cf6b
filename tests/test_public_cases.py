"""The shared public cases: the CLI must reach each known optimum (or exit 3 if infeasible)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from checker import check_plan, close
from instances import run_cli

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "testcases"

if not CASES_DIR.is_dir():
    pytest.skip(f"public test cases not found at {CASES_DIR}", allow_module_level=True)

CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.json").is_file())


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
