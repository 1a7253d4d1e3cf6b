"""NEED.md equity: `parameters.equity_weight` (lambda * max_d g[d] in the objective).

A hand instance with a reasoned optimum, the public case through the CLI (test_public_cases),
and tiny random instances against enumeration (tests/equity_brute.py), in both formulations.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from checker import check_plan, close, load_model
from click.testing import CliRunner
from equity_brute import best_with_equity
from instances import TINY, random_instance, write_instance
from tiny import dataset, scenario

from optimiser.cli import main
from optimiser.fastpath import fast_path_blocker
from optimiser.model import build_model
from optimiser.model.core import BuildOptions
from optimiser.pipeline import load_inputs, run_scenario
from optimiser.solve import solve_model


def hand_dataset(folder: Path, foreign: bool = False) -> Path:
    """A (pop 150,000, weight 1.2, target 3) and B (pop 50,000, target 1); one post, m = 1.

    Unmet need w*(u + 4a): A 8.4 with no post, 2.4 with it; B 5 and 0. The post to A leaves
    7.4 in total (g: A 2.4/1.5 = 1.6, B 5*2 = 10, max 10); to B 8.4 (g: A 8.4/1.5 = 5.6, B 0).
    So lambda*10 + 7.4 against lambda*5.6 + 8.4: B wins from lambda > 1/4.4 = 0.227.
    With `foreign`, the doctor is a contingent's instead of a post (+ eps_foreign 0.001):
    the pairs are then reached by a contingent (the hull model's disjunction).
    """
    contingent = {"contingent_code": "C", "name": "Mission", "origin": "CN", "min_team": 1,
                  "max_sites": "", "cost_per_doctor": 0, "eligible": ""}
    return dataset(folder, delegations=[("A", "R", 150000, 1.2), ("B", "R", 50000, 1)],
                   specialties=[("S", 2, 1, 1)], posts=[(2024, "S", 0 if foreign else 1)],
                   contingents=[contingent] if foreign else [],
                   supply=[("C", "S", 1)] if foreign else [])


def _solve(data: Path, scenario_path: Path, out: Path) -> tuple[int, dict | None, str]:
    result = CliRunner().invoke(main, ["solve", "--data", str(data), "--scenario",
                                       str(scenario_path), "--out", str(out), "--quiet",
                                       "--no-report", "--no-record"], catch_exceptions=False)
    plan_file = out / "plan.json"
    plan = json.loads(plan_file.read_text()) if result.exit_code == 0 else None
    return result.exit_code, plan, result.output


@pytest.mark.parametrize("foreign", [False, True])
@pytest.mark.parametrize(("weight", "objective", "receiver", "worst", "max_g"), [
    (0, 7.4, "A", "B", 10.0), (0.1, 8.4, "A", "B", 10.0), (1, 14.0, "B", "A", 5.6)])
def test_hand_instance(tmp_path: Path, weight: float, objective: float, receiver: str,
                       worst: str, max_g: float, foreign: bool) -> None:
    data = hand_dataset(tmp_path / "data", foreign)
    path = scenario(tmp_path / "s.yaml", parameters={"equity_weight": weight})
    code, plan, output = _solve(data, path, tmp_path / "out")
    assert code == 0, output
    assert close(plan["objective"], objective + 0.001 * foreign), plan["objective"]
    given = plan["foreign"] if foreign else plan["allocations"]
    assert [r["delegation"] for r in given] == [receiver]
    assert plan["worst_delegation"] == worst
    assert close(plan["max_per_capita_unmet_need"], max_g)
    report = check_plan(data, path, plan)  # the checker's objective is MODEL.md's
    assert report.rules() <= {"objective"}, str(report)


@pytest.mark.parametrize("foreign", [False, True])
@pytest.mark.parametrize("weight", [0.1, 1.0])
def test_hand_instance_solver_value(tmp_path: Path, weight: float, foreign: bool) -> None:
    """The solver's objective (its z) equals the plan's, in both formulations."""
    data = hand_dataset(tmp_path / "data", foreign)
    inputs = load_inputs(data, scenario(tmp_path / "s.yaml",
                                        parameters={"equity_weight": weight}))
    run = run_scenario(inputs)
    assert close(run.result.objective, run.plan.objective)
    literal = solve_model(build_model(inputs, BuildOptions()))
    assert close(literal.objective, run.plan.objective)


def test_uptake_expected_is_refused(tmp_path: Path) -> None:
    data = hand_dataset(tmp_path / "data")
    path = scenario(tmp_path / "s.yaml", parameters={"equity_weight": 1, "uptake": "expected"})
    code, plan, output = _solve(data, path, tmp_path / "out")
    assert code == 2 and plan is None
    assert "equity_weight" in output and "uptake" in output
    assert not (tmp_path / "out").exists()


def test_fast_path_declines(tmp_path: Path) -> None:
    data = hand_dataset(tmp_path / "data")
    plain = load_inputs(data, scenario(tmp_path / "a.yaml"))
    assert fast_path_blocker(plain) is None
    weighted = dataclasses.replace(plain, equity_weight=2.0)
    assert "equity" in (fast_path_blocker(weighted) or "")


@pytest.mark.parametrize("seed", range(40))
def test_tiny_instances_match_enumeration(tmp_path: Path, seed: int) -> None:
    """Hull (the plan path) and literal formulations reach the enumerated optimum of
    objective + lambda * max g."""
    weight = [0.5, 5.0, 50.0][seed % 3]
    instance = random_instance(seed, TINY).with_parameters(equity_weight=weight, solver="highs",
                                                           uptake="certain")
    data, path = write_instance(instance, tmp_path)
    try:
        best = best_with_equity(load_model(data, path), weight)
    except ValueError:
        pytest.skip("too large to enumerate")
    inputs = load_inputs(data, path)
    run = run_scenario(inputs)
    literal = build_model(inputs, BuildOptions())
    result = solve_model(literal)
    if best is None:
        assert not run.result.status.has_plan and not result.status.has_plan
        return
    assert run.plan is not None and close(run.plan.objective, best), (run.plan.objective, best)
    # the solver's own value: its z is the plan's max g (g rows exact, not just a bound)
    assert close(run.result.objective, best), (run.result.objective, best)
    assert close(result.objective, best), (result.objective, best)
