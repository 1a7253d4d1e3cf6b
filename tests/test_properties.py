"""Property tests of the solver CLI against the independent checker and a brute force.

Every solve is a subprocess of the stable CLI (SCENARIO.md), so these tests exercise the whole
pipeline: loader, scenario, model, solver, plan writer. Budgets keep the file around a minute
on two cores: the two solvers of property (b) run concurrently.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from bruteforce import brute_force
from checker import check_plan, close, load_model
from hypothesis import HealthCheck, given, settings
from instances import (
    SMALL,
    TINY,
    CliResult,
    Instance,
    instances,
    random_instance,
    run_cli_many,
    write_instance,
)

pytestmark = pytest.mark.slow

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each example costs ~2 s of wall time (two CLI subprocesses, which also write the reports).
# PROPERTY_SCALE=10 turns the default ~1 minute budget into a longer bug hunt.
SCALE = float(os.environ.get("PROPERTY_SCALE", "1"))


def _examples(n: int) -> int:
    return max(1, round(n * SCALE))


Run = tuple[Path, Path, CliResult]  # data dir, scenario file, CLI outcome


def _solve_both(instance: Instance, root: Path) -> dict[str, Run]:
    """Solve with HiGHS and CBC concurrently; returns {solver: (data, scenario, result)}."""
    jobs, layout = [], {}
    for solver in ("highs", "cbc"):
        data, scenario = write_instance(instance.with_parameters(solver=solver), root / solver)
        jobs.append((data, scenario, root / solver / "out"))
        layout[solver] = (data, scenario)
    results = run_cli_many(jobs)
    return {s: (*layout[s], r) for s, r in zip(("highs", "cbc"), results, strict=True)}


def _assert_solved_or_infeasible(instance: Instance, result: CliResult, label: str) -> None:
    """Generated inputs are valid: only 0 (plan) or 3 (infeasible, nothing written) allowed."""
    context = f"{label}: {result.explain()}\n{instance.describe()}"
    assert result.code in (0, 3), f"unexpected exit status\n{context}"
    if result.code == 3:
        assert not result.wrote_anything(), f"infeasible but output written\n{context}"
    else:
        assert result.plan is not None, f"exit 0 without plan.json\n{context}"
        assert result.plan["status"] == "optimal", context


def _check_agreement(instance: Instance) -> None:
    """Properties (a), (b), (c) on one instance."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = _solve_both(instance, Path(tmp))
        for solver, (data, scenario, result) in runs.items():
            _assert_solved_or_infeasible(instance, result, solver)
            if result.plan is not None:
                report = check_plan(data, scenario, result.plan)
                context = f"{solver}\n{report}\n{instance.describe()}"
                assert report.ok, f"(a) plan fails the checker: {context}"
                assert close(report.objective, result.plan["objective"]), f"(c) {context}"
        highs, cbc = runs["highs"][2], runs["cbc"][2]
        assert highs.code == cbc.code, (
            f"(b) feasibility differs: highs exit {highs.code}, cbc exit {cbc.code}\n"
            f"{instance.describe()}"
        )
        if highs.plan is not None:
            assert close(highs.plan["objective"], cbc.plan["objective"]), (
                f"(b) objectives differ: highs {highs.plan['objective']!r}, "
                f"cbc {cbc.plan['objective']!r}\n{instance.describe()}"
            )


def _check_brute_force(instance: Instance) -> None:
    """Property (d): the solver's optimum and verdict equal exhaustive enumeration's."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = _solve_both(instance, Path(tmp))
        data, scenario, _ = runs["highs"]
        best = brute_force(load_model(data, scenario))
        for solver, (_, _, res) in runs.items():
            _assert_solved_or_infeasible(instance, res, solver)
            context = (f"{solver}: brute force {best.objective!r} (x={best.x}, y={best.y})\n"
                       f"{res.explain()}\n{instance.describe()}")
            if not best.feasible:
                assert res.code == 3, f"(d) brute force finds no plan, solver does: {context}"
                continue
            assert res.plan is not None, f"(d) solver: infeasible, brute force: plan. {context}"
            assert close(res.plan["objective"], best.objective), f"(d) optimum differs: {context}"
            report = check_plan(data, scenario, res.plan)
            assert report.ok, f"{report}\n{context}"


@settings(SETTINGS, max_examples=_examples(10))
@given(instances(SMALL))
def test_plans_pass_checker_and_solvers_agree(instance: Instance) -> None:
    """(a) every plan passes check_plan, (b) HiGHS == CBC, (c) objective recomputes."""
    _check_agreement(instance)


@settings(SETTINGS, max_examples=_examples(12))
@given(instances(TINY))
def test_tiny_instances_match_brute_force(instance: Instance) -> None:
    """(d) optimum and infeasibility verdict equal the exhaustive enumeration's."""
    _check_brute_force(instance)


@pytest.mark.parametrize("seed", [11])
def test_seeded_small_instance(seed: int) -> None:
    """Fixed seeds: reproducible without the hypothesis database."""
    _check_agreement(random_instance(seed, SMALL))


@pytest.mark.parametrize("seed", [17])
def test_seeded_tiny_instance(seed: int) -> None:
    _check_brute_force(random_instance(seed, TINY))
