"""`optimiser pareto` (NEED.md): the exact trade-off between total unmet need and max g.

A hand instance with its two-point curve through the CLI, and tiny random instances whose
curve must be the enumerated frontier (tests/equity_brute.py).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from checker import close, load_model
from click.testing import CliRunner
from equity_brute import frontier
from instances import TINY, random_instance, write_instance
from test_equity import hand_dataset
from tiny import scenario

from optimiser.cli import main
from optimiser.pipeline import load_inputs
from optimiser.whatif.pareto import ScenarioInfeasible, pareto_points


def _pareto(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["pareto", *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("foreign", [False, True])
def test_hand_curve(tmp_path: Path, foreign: bool) -> None:
    """One doctor for A or B (test_equity.hand_dataset): the plain optimum (7.4, g 10, B
    worst) and the most equal plan (8.4, g 5.6, A worst); nothing in between."""
    data = hand_dataset(tmp_path / "data", foreign)
    path = scenario(tmp_path / "s.yaml", parameters={"equity_weight": 3})  # not used by pareto
    out = tmp_path / "pareto"
    code, output = _pareto([str(path), "--data", str(data), "--out", str(out),
                            "--no-timestamp", "--plot", "svg"])
    assert code == 0, output
    rows = list(csv.DictReader((out / "pareto.csv").open()))
    got = [(float(r["total_unmet_need"]), float(r["max_per_capita_unmet_need"]),
            r["worst_delegation"]) for r in rows]
    assert [r["point"] for r in rows] == ["1", "2"]
    assert all(close(a, b) and close(c, d) and e == f for (a, c, e), (b, d, f)
               in zip(got, [(7.4, 10.0, "B"), (8.4, 5.6, "A")], strict=True))
    assert (out / "pareto.svg").is_file()
    plans = [json.loads((out / f"point-0{i}" / "plan.json").read_text()) for i in (1, 2)]
    # plan objectives are MODEL.md's (the curve ignores the scenario's equity_weight)
    assert close(plans[0]["objective"], 7.4 + 0.001 * foreign)
    assert close(plans[1]["objective"], 8.4 + 0.001 * foreign)
    assert plans[1]["pareto"]["point"] == 2 and len(plans[1]["pareto"]["points"]) == 2
    assert (out / "point-01" / "report.html").is_file()
    html = (out / "point-02" / "report.html").read_text()
    assert '<section id="pareto">' in html and 'aria-current="true"><td><strong>2<' in html


def test_refuses_foreign_folder(tmp_path: Path) -> None:
    data = hand_dataset(tmp_path / "data")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code, output = _pareto([str(scenario(tmp_path / "s.yaml")), "--data", str(data),
                            "--out", str(out), "--no-report"])
    assert code == 2, output
    assert (out / "notes.txt").read_text() == "keep me" and len(list(out.iterdir())) == 1


def test_points_are_even_then_filled(tmp_path: Path) -> None:
    """--points 2 asks for the two ends only."""
    data = hand_dataset(tmp_path / "data")
    inputs = load_inputs(data, scenario(tmp_path / "s.yaml"))
    curve, stats = pareto_points(inputs, 2)
    assert len(curve) == 2 and stats["solves"] == 3  # plain, min g, lexicographic


@pytest.mark.parametrize("seed", range(30))
def test_tiny_curves_match_enumeration(tmp_path: Path, seed: int) -> None:
    """With points to spare, the curve is the whole enumerated frontier; every point is the
    least unmet need at its own max g; point 1 is the plain optimum."""
    instance = random_instance(seed, TINY).with_parameters(solver="highs", uptake="certain")
    data, path = write_instance(instance, tmp_path)
    try:
        expected = frontier(load_model(data, path))
    except ValueError:
        pytest.skip("too large to enumerate")
    if not expected:  # no feasible plan: no curve, said as `solve` says it (exit 3)
        with pytest.raises(ScenarioInfeasible):
            pareto_points(load_inputs(data, path), 50)
        return
    curve, _ = pareto_points(load_inputs(data, path), 50)
    got = [(p.total_unmet_need, p.max_per_capita_unmet_need) for p in curve]
    assert len(got) == len(expected), (got, expected)
    for (a, b), (c, d) in zip(got, expected, strict=True):
        assert close(a, c, 1e-6) and close(b, d, 1e-6), (got, expected)


def test_infeasible_scenario_is_exit_3_and_writes_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from optimiser.cli import main

    scenario = tmp_path / "impossible.yaml"
    scenario.write_text("name: impossible\nconstraints:\n  - {name: too-much, min: 100000}\n",
                        encoding="utf-8")
    example = Path(__file__).resolve().parents[1] / "data" / "example"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["pareto", str(scenario), "--data", str(example),
                                       "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "optimiser explain" in result.output and not out.exists()
