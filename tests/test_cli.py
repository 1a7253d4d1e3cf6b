"""The command line: determinism, default paths, atomic replacement and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner
from tiny import solve

from optimiser.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
TIMINGS = ("generated_at", "build_seconds", "solve_seconds")


def _plan_without_timings(folder: Path) -> dict:
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return {k: v for k, v in plan.items() if k not in TIMINGS}


def test_same_inputs_same_plan_bytes(tmp_path):
    for name in ("a", "b"):
        code, output, _ = solve(EXAMPLE, None, tmp_path / name)
        assert code == 0, output
    assert _plan_without_timings(tmp_path / "a") == _plan_without_timings(tmp_path / "b")
    for table in ("allocations.csv", "foreign.csv", "delegations.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()


def test_no_timestamp_leaves_generated_at_out(tmp_path):
    result = CliRunner().invoke(main, ["solve", "--data", str(EXAMPLE), "--out",
                                       str(tmp_path / "o"), "--quiet", "--no-timestamp"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "plan.json").read_text())["generated_at"] is None


def test_default_out_folder_is_named_after_the_scenario(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(main, ["solve", "--data", str(EXAMPLE)])
        assert result.exit_code == 0, result.output
        plan = json.loads(Path("reports/baseline/plan.json").read_text(encoding="utf-8"))
        assert plan["scenario"] == "baseline" and plan["status"] == "optimal"
        assert "Posts by region" in result.output and "creation" in result.output


def test_existing_plan_folder_is_replaced_whole(tmp_path):
    out = tmp_path / "o"
    code, output, _ = solve(EXAMPLE, None, out)
    assert code == 0, output
    (out / "foreign.csv").unlink()  # a file of the earlier plan that the new one lacks
    (out / "plan.json").write_text("{}")
    code, output, plan = solve(EXAMPLE, None, out)
    assert code == 0, output
    assert plan["status"] == "optimal"
    tables = {"plan.json", "allocations.csv", "foreign.csv", "delegations.csv"}
    assert tables <= set(os.listdir(out))
    assert sorted(os.listdir(tmp_path)) == ["o"]  # no temp, lock or backup left behind


def test_solver_failure_exits_1_and_writes_nothing(tmp_path, monkeypatch):
    import optimiser.pipeline as pipeline
    from optimiser.solve import SolveStatus

    real = pipeline.solve_model

    def failing(model, *args, **kwargs):
        result = real(model, *args, **kwargs)
        return type(result)(**{**result.__dict__, "status": SolveStatus.NO_SOLUTION})

    monkeypatch.setattr(pipeline, "solve_model", failing)
    result = CliRunner().invoke(main, ["solve", "--data", str(EXAMPLE), "--out",
                                       str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "no plan" in result.output
    assert not (tmp_path / "o").exists()


def test_report_failure_leaves_previous_plan(tmp_path, monkeypatch):
    """A crash while writing (e.g. in the report) must not leave a half-written folder."""
    import optimiser.cli as cli

    out = tmp_path / "o"
    code, output, _ = solve(EXAMPLE, None, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(no_timestamp):
        def write(folder):
            (folder / "report.html").write_text("partial")
            raise RuntimeError("disk full")
        return write

    monkeypatch.setattr(cli, "_report_writer", broken)
    result = CliRunner().invoke(main, ["solve", "--data", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(os.listdir(tmp_path)) == ["o"]


def test_cbc_fallback_reaches_the_same_objective(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: cbc\nparameters:\n  solver: cbc\n", encoding="utf-8")
    _, _, highs = solve(EXAMPLE, None, tmp_path / "h")
    code, output, cbc = solve(EXAMPLE, scenario, tmp_path / "c")
    assert code == 0, output
    assert cbc["solver"].startswith("CBC")
    assert abs(cbc["objective"] - highs["objective"]) <= 1e-6 * abs(highs["objective"])


def test_time_limit_stop_is_reported_as_feasible_with_its_gap(tmp_path):
    """PuLP 3.3 calls a HiGHS time-limit stop "Optimal": status and gap come from HiGHS."""
    morocco = EXAMPLE.parent / "morocco-2024"
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: rushed\nparameters:\n  time_limit_s: 0.3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["solve", "--data", str(morocco), "--scenario",
                                       str(scenario), "--out", str(tmp_path / "o"), "--quiet"])
    if result.exit_code == 1:  # stopped before any plan was found
        assert "no plan: solver status no_solution" in result.output
        return
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    if plan["status"] == "feasible":
        assert plan["gap"] > 0 and plan["best_bound"] < plan["objective"]
    else:  # a very fast machine may prove optimality within 0.3 s
        assert plan["status"] == "optimal" and plan["gap"] <= 1e-9
