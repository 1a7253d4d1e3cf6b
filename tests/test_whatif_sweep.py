"""`optimiser sweep`: grid points equal independent single solves; CSV, plot, exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from optimiser.pipeline import load_inputs, run_scenario
from optimiser.whatif.commands import sweep_command
from optimiser.whatif.paths import apply_point, parse_vary, read_document, scenario_file
from optimiser.whatif.sweep import SweepSpec, grid, run_sweep

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
CASES = ROOT.parent / "shared" / "testcases"


def _scenario(tmp_path: Path, **content) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "sw", **content}), encoding="utf-8")
    return path


def _independent(data: Path, scenario: Path, point: dict):
    """The point solved on its own, through the core pipeline (no re-use)."""
    from optimiser.data import load_dataset
    from optimiser.inputs import build_inputs

    doc = apply_point(read_document(scenario), point)
    return run_scenario(build_inputs(load_dataset(data), scenario_file(doc, "independent")))


def _assert_matches_independent(data: Path, scenario: Path, varies: list[str], jobs: int = 1):
    spec = SweepSpec(data, scenario, tuple(parse_vary(v) for v in varies))
    table = run_sweep(spec, jobs=jobs)
    points = grid(spec.varies)
    assert len(table) == len(points)
    for (_, row), point in zip(table.iterrows(), points, strict=True):
        assert {p: row[p] for p in point} == point
        run = _independent(data, scenario, point)
        assert row["status"] == run.result.status.value, point
        if run.plan is not None:
            assert row["objective"] == pytest.approx(run.plan.objective, rel=1e-6, abs=1e-6)
            assert row["unmet_need"] == pytest.approx(run.plan.unmet_after, rel=1e-6, abs=1e-6)
    return table


def test_sweep_equals_independent_solves_on_the_example(tmp_path):
    scenario = _scenario(tmp_path, constraints=[{"name": "dt-floor", "region": "DT", "min": 10}])
    table = _assert_matches_independent(
        EXAMPLE, scenario, ["constraints.dt-floor.min=24:40:8",
                            "overrides.contingent_size.CN.CHIR=0:6:3"])
    assert set(table["model"]) <= {"built", "reused"}
    assert (table["model"] == "reused").sum() >= 4  # one build per support, the rest re-used
    assert (table["status"] == "infeasible").any()  # 40 > the 36 posts there are


@pytest.mark.skipif(not CASES.is_dir(), reason="public cases not present")
@pytest.mark.parametrize(("case", "vary"), [
    ("case-101", ["constraints.c0.min=0:2:1", "parameters.absence_penalty=0,4"]),
    ("case-103", ["constraints.c0.fix=0:4:2"]),
    ("case-105", ["overrides.norm_multiplier.S2=0.5:2:0.5"]),
])
def test_sweep_equals_independent_solves_on_public_cases(case, vary):
    _assert_matches_independent(CASES / case, CASES / case / "scenario.yaml", vary)


@pytest.mark.parametrize("varies", [
    ("parameters.absence_penalty=0:6:2",),
    ("constraints.dt-floor.min=0:36:2", "parameters.budget=0,800000"),
])
def test_parallel_sweep_equals_sequential(tmp_path, varies):
    """Same rows whatever --jobs: chunks of neighbours start afresh (sweep.PointSolver.rows),
    so even ties between equally good plans are broken the same way."""
    scenario = _scenario(tmp_path, parameters={"budget": 800000},
                         constraints=[{"name": "dt-floor", "region": "DT", "min": 10}])
    spec = SweepSpec(EXAMPLE, scenario, tuple(parse_vary(v) for v in varies))
    one, two = run_sweep(spec, jobs=1), run_sweep(spec, jobs=2)
    how = ["model", "seconds"]  # how each point was computed: depends on the process
    pd.testing.assert_frame_equal(one.drop(columns=how), two.drop(columns=how))


def test_cli_writes_csv_and_plot(tmp_path):
    scenario = _scenario(tmp_path, constraints=[{"name": "dt-floor", "region": "DT", "min": 10}])
    out = tmp_path / "out"
    args = [str(scenario), "--data", str(EXAMPLE), "--vary", "parameters.absence_penalty=0,4",
            "--vary", "constraints.dt-floor.min=10:20:10", "--out", str(out), "--plot", "svg"]
    result = CliRunner().invoke(sweep_command, args)
    assert result.exit_code == 0, result.output
    with (out / "sweep.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    assert header[:5] == ["parameters.absence_penalty", "constraints.dt-floor.min", "status",
                          "objective", "unmet_need"]
    assert {"posts_DT", "posts_GON", "posts_SM", "posts_TTAH"} <= set(header)
    assert [(r["parameters.absence_penalty"], r["constraints.dt-floor.min"]) for r in rows] == [
        ("0", "10"), ("0", "20"), ("4", "10"), ("4", "20")]
    assert (out / "sweep.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "4 points" in result.output


def test_cli_bad_input_lists_every_error(tmp_path):
    scenario = _scenario(tmp_path)
    runner = CliRunner()
    bad_values = runner.invoke(sweep_command, [str(scenario), "--data", str(EXAMPLE), "--vary",
                                               "parameters.absence_penalty=-1,-2,3",
                                               "--out", str(tmp_path / "o")])
    assert bad_values.exit_code == 2, bad_values.output
    assert "absence_penalty=-1" in bad_values.output and "absence_penalty=-2" in bad_values.output
    assert not (tmp_path / "o").exists()
    unknown = runner.invoke(sweep_command, [str(scenario), "--data", str(EXAMPLE), "--vary",
                                            "overrides.capacity.NOWHERE.ANES=1,2"])
    assert unknown.exit_code == 2 and "unknown delegation code" in unknown.output
    no_constraint = runner.invoke(sweep_command, [str(scenario), "--data", str(EXAMPLE),
                                                  "--vary", "constraints.floor.min=1,2"])
    assert no_constraint.exit_code == 2 and "no constraint 'floor'" in no_constraint.output
    bad_path = runner.invoke(sweep_command, [str(scenario), "--vary", "parameters=1"])
    assert bad_path.exit_code == 2 and "is not one of" in bad_path.output
    three = runner.invoke(sweep_command, [str(scenario), "--vary", "parameters.a=1",
                                          "--vary", "parameters.b=1", "--vary", "parameters.c=1"])
    assert three.exit_code == 2


def test_scenario_of_the_point_is_the_base_plus_the_path(tmp_path):
    scenario = _scenario(tmp_path, parameters={"absence_penalty": 2})
    inputs = load_inputs(EXAMPLE, scenario)
    spec = SweepSpec(EXAMPLE, scenario, (parse_vary("overrides.priority_weight.TATA=3"),))
    table = run_sweep(spec)
    assert inputs.absence_penalty == 2 and table.loc[0, "status"] == "optimal"
