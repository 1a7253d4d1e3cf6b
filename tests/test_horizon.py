"""Several years (NEED.md, parameters.horizon): the public case through the CLI, a one-year
horizon equal to MODEL.md's plan, random tiny instances against an exhaustive checker that
recomputes the spec's objective from the CSV values, rolling against joint, and bad input."""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from optimiser.cli import main
from optimiser.pipeline import load_inputs, run_scenario

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT.parent / "shared" / "testcases-next" / "case-301-horizon"
EPS_OVER = 0.01


def _solve(data: Path, scenario: Path, out: Path, *extra: str) -> tuple[int, dict | None, str]:
    result = CliRunner().invoke(main, ["solve", "--data", str(data), "--scenario", str(scenario),
                                      "--out", str(out), "--no-report", "--no-timestamp",
                                      "--quiet", "--no-record", *extra])
    plan = out / "plan.json"
    return (result.exit_code, json.loads(plan.read_text()) if plan.is_file() else None,
            result.output)


@pytest.mark.skipif(not CASE.is_dir(), reason="the shared public cases are not beside the repo")
def test_public_case_through_the_cli(tmp_path: Path) -> None:
    expected = json.loads((CASE / "expected.json").read_text())
    code, plan, output = _solve(CASE, CASE / "scenario.yaml", tmp_path / "out")
    assert code == 0, output
    assert plan["status"] == expected["status"]
    assert plan["objective"] == pytest.approx(expected["objective"], abs=1e-6)
    assert [row["year"] for row in plan["years"]] == expected["years"]
    assert sorted({r["year"] for r in plan["delegations"]}) == expected["years"]
    # the plan is checked against the spec by the independent evaluation below
    assert _objective_of_plan(CASE, plan) == pytest.approx(expected["objective"], abs=1e-6)


def test_one_year_horizon_is_todays_national_plan(tmp_path: Path) -> None:
    """cohorts.csv 2024 equals posts.csv summed over promotions: MODEL.md's optimum."""
    scenario = tmp_path / "h.yaml"
    scenario.write_text(yaml.safe_dump({"name": "one-year", "parameters": {
        "horizon": {"start": 2024, "end": 2024}}}))
    plain = run_scenario(load_inputs(None, None))
    code, plan, output = _solve(ROOT / "data" / "morocco-2024", scenario, tmp_path / "out")
    assert code == 0, output
    assert plan["status"] == "optimal"
    assert plan["objective"] == pytest.approx(plain.plan.objective, abs=1e-6)
    assert {r["year"] for r in plan["allocations"]} == {2024}
    assert sum(r["posts"] for r in plan["allocations"]) == 695


# -- tiny random instances against an exhaustive checker -------------------------------------

def _write(folder: Path, name: str, rows: list[dict], header: list[str] | None = None) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _tiny_case(seed: int, folder: Path, mode: str = "joint") -> tuple[Path, Path]:
    """2 delegations, 1-2 specialties, 2-3 years, a few posts, attrition 0 to 30%."""
    rng = random.Random(seed)
    data = folder / "data"
    data.mkdir(parents=True)
    delegations = ["D0", "D1"]
    specialties = ["S0", "S1"][:rng.randint(1, 2)]
    years = list(range(2024, 2024 + rng.randint(2, 3)))
    _write(data, "regions.csv", [{"region_code": "R0", "name_fr": "R0"}])
    _write(data, "delegations.csv", [
        {"delegation_code": d, "name_fr": d, "region_code": "R0",
         "population": rng.randint(20, 120) * 1000, "priority_weight": rng.choice([1, 1.5, 2])}
        for d in delegations])
    _write(data, "specialties.csv", [
        {"specialty_code": s, "name_fr": s, "norm_per_100k": rng.choice([1.5, 3.0, 4.5]),
         "min_presence": rng.choice([1, 2]), "weight": rng.choice([1, 2])} for s in specialties])
    workforce = []
    for d, s in itertools.product(delegations, specialties):
        current = rng.randint(0, 2)
        workforce.append({"delegation_code": d, "specialty_code": s, "current": current,
                          "departures": rng.randint(0, current)})
    _write(data, "workforce.csv", workforce)
    _write(data, "capacity.csv", [
        {"delegation_code": d, "specialty_code": s, "max_new": rng.randint(0, 2)}
        for d, s in itertools.product(delegations, specialties) if rng.random() < 0.4],
        ["delegation_code", "specialty_code", "max_new"])
    cohorts = [{"year": t, "specialty_code": s, "posts": rng.randint(0, 2)}
               for t, s in itertools.product(years, specialties)]
    _write(data, "cohorts.csv", cohorts)
    _write(data, "posts.csv", [{"promotion": 2024, "specialty_code": s,
                                "posts": sum(c["posts"] for c in cohorts
                                             if c["year"] == years[0] and
                                             c["specialty_code"] == s)} for s in specialties])
    _write(data, "attrition.csv", [{"specialty_code": s, "rate": rng.choice([0, 0.1, 0.3])}
                                   for s in specialties])
    scenario = folder / "scenario.yaml"
    scenario.write_text(yaml.safe_dump({"name": f"tiny-{seed}", "parameters": {
        "absence_penalty": rng.choice([0, 2, 4]), "allocate_all": rng.random() < 0.8,
        "horizon": {"start": years[0], "end": years[-1], "discount": rng.choice([1.0, 0.8]),
                    "mode": mode}}}))
    return data, scenario


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _spec(data: Path, scenario: Path) -> dict:
    """Everything the spec's objective needs, straight from the CSV and YAML files."""
    params = yaml.safe_load(scenario.read_text())["parameters"]
    deleg = {r["delegation_code"]: r for r in _read(data / "delegations.csv")}
    spec = {r["specialty_code"]: r for r in _read(data / "specialties.csv")}
    pairs = {}
    for r in _read(data / "workforce.csv"):
        d, s = r["delegation_code"], r["specialty_code"]
        target = float(spec[s]["norm_per_100k"]) * float(deleg[d]["population"]) / 100000
        pairs[(d, s)] = {"base": float(r["current"]) - float(r["departures"]), "target": target,
                         "m": min(float(spec[s]["min_presence"]), target),
                         "coef": float(deleg[d]["priority_weight"]) * float(spec[s]["weight"])}
    caps = {(r["delegation_code"], r["specialty_code"]): int(r["max_new"])
            for r in _read(data / "capacity.csv")} if (data / "capacity.csv").is_file() else {}
    rates = {r["specialty_code"]: float(r["rate"]) for r in _read(data / "attrition.csv")}
    h = params["horizon"]
    years = list(range(h["start"], h["end"] + 1))
    cohorts = {(int(r["year"]), r["specialty_code"]): int(r["posts"])
               for r in _read(data / "cohorts.csv")}
    return {"pairs": pairs, "caps": caps, "rates": rates, "years": years, "cohorts": cohorts,
            "A": float(params.get("absence_penalty", 4)), "discount": float(h["discount"]),
            "all": bool(params.get("allocate_all", True))}


def _evaluate(spec: dict, x: dict[tuple[str, str, int], int]) -> float:
    """NEED.md: N_start = base + x; N_t = (1 - rate) N_(t-1) + x_t; the discounted sum of
    MODEL.md's yearly objective (no contingents here, so staff = N)."""
    total = 0.0
    for (d, s), p in spec["pairs"].items():
        staff = p["base"]
        for k, t in enumerate(spec["years"]):
            if k:
                staff *= 1.0 - spec["rates"].get(s, 0.0)
            staff += x.get((d, s, t), 0)
            need = p["coef"] * (max(0.0, p["target"] - staff)
                                + spec["A"] * max(0.0, p["m"] - staff))
            total += spec["discount"] ** k * (need + EPS_OVER * max(0.0, staff - p["target"]))
    return total


def _brute_force(spec: dict) -> float | None:
    """The least objective over every allocation of every year's posts (None: infeasible)."""
    pairs = sorted(spec["pairs"])
    choices = []  # per (year, specialty): the allocations to its delegations
    for t in spec["years"]:
        for s in sorted({s for _, s in pairs}):
            ds = [d for d, s2 in pairs if s2 == s]
            posts = spec["cohorts"][(t, s)]
            options = []
            for split in itertools.product(range(posts + 1), repeat=len(ds)):
                given = sum(split)
                if given > posts or (spec["all"] and given != posts):
                    continue
                if any(n > spec["caps"].get((d, s), 10**9) for d, n in zip(ds, split,
                                                                            strict=True)):
                    continue
                options.append({(d, s, t): n for d, n in zip(ds, split, strict=True)})
            choices.append(options)
    best = None
    for combo in itertools.product(*choices):
        x = {k: v for part in combo for k, v in part.items()}
        value = _evaluate(spec, x)
        best = value if best is None or value < best else best
    return best


def _objective_of_plan(data: Path, plan: dict, scenario: Path | None = None) -> float:
    spec = _spec(data, scenario or data / "scenario.yaml")
    x = {(r["delegation"], r["specialty"], r["year"]): r["posts"] for r in plan["allocations"]}
    for (d, s, _), n in x.items():  # the plan meets every year's rules
        assert n <= spec["caps"].get((d, s), 10**9)
    for t, s in spec["cohorts"]:
        if t in spec["years"]:
            given = sum(n for (_, s2, t2), n in x.items() if (s2, t2) == (s, t))
            assert given == spec["cohorts"][(t, s)] if spec["all"] else given <= \
                spec["cohorts"][(t, s)]
    return _evaluate(spec, x)


@pytest.mark.parametrize("seed", range(40))
def test_joint_plan_is_the_exhaustive_optimum(tmp_path: Path, seed: int) -> None:
    data, scenario = _tiny_case(seed, tmp_path)
    spec = _spec(data, scenario)
    best = _brute_force(spec)
    code, plan, output = _solve(data, scenario, tmp_path / "out")
    if best is None:
        assert code == 3 and plan is None, output
        return
    assert code == 0, output
    assert plan["objective"] == pytest.approx(best, abs=1e-6)
    assert _objective_of_plan(data, plan, scenario) == pytest.approx(best, abs=1e-6)
    # plan.json's years add up to the objective with their weights
    assert sum(r["weight"] * r["objective"] for r in plan["years"]) == pytest.approx(
        plan["objective"], abs=1e-6)


@pytest.mark.parametrize("seed", range(10))
def test_rolling_plans_each_year_alone_and_never_beats_joint(tmp_path: Path, seed: int) -> None:
    data, scenario = _tiny_case(seed, tmp_path / "r", mode="rolling")
    spec = _spec(data, scenario)
    best = _brute_force(spec)
    code, plan, output = _solve(data, scenario, tmp_path / "r" / "out")
    if best is None:
        assert code == 3, output
        return
    assert code == 0, output
    value = _objective_of_plan(data, plan, scenario)
    assert value == pytest.approx(plan["objective"], abs=1e-6)
    assert value >= best - 1e-6
    # the first year alone: MODEL.md's one-year optimum for that year's cohort
    first = spec["years"][0]
    one = dict(spec, years=[first])
    assert plan["years"][0]["objective"] == pytest.approx(_brute_force(one), abs=1e-6)


# -- bad input ------------------------------------------------------------------------------

def test_a_year_without_cohort_is_refused_naming_the_file(tmp_path: Path) -> None:
    data, scenario = _tiny_case(1, tmp_path)
    document = yaml.safe_load(scenario.read_text())
    document["parameters"]["horizon"]["end"] = 2040
    scenario.write_text(yaml.safe_dump(document))
    code, plan, output = _solve(data, scenario, tmp_path / "out")
    assert code == 2 and plan is None
    assert "cohorts.csv" in output and "2040" in output


def test_no_cohorts_file_is_refused(tmp_path: Path) -> None:
    data, scenario = _tiny_case(2, tmp_path)
    (data / "cohorts.csv").unlink()
    code, plan, output = _solve(data, scenario, tmp_path / "out")
    assert code == 2 and plan is None and "cohorts.csv" in output


@pytest.mark.parametrize(("horizon", "needle"), [
    ({"start": 2026, "end": 2024}, "before start"),
    ({"start": 2024, "end": 2090}, "at most"),
    ({"start": 2024, "end": 2025, "discount": 0}, "discount"),
    ({"start": 2024, "end": 2025, "mode": "greedy"}, "mode"),
])
def test_bad_horizon_is_refused(tmp_path: Path, horizon: dict, needle: str) -> None:
    data, scenario = _tiny_case(3, tmp_path)
    document = yaml.safe_load(scenario.read_text())
    document["parameters"]["horizon"] = horizon
    scenario.write_text(yaml.safe_dump(document))
    code, plan, output = _solve(data, scenario, tmp_path / "out")
    assert code == 2 and plan is None
    assert needle in output, output


def test_joint_looks_ahead_where_rolling_cannot(tmp_path: Path) -> None:
    """Seed 25 (found by scanning the 40 above): planning the years together does strictly
    better than one year at a time, and both are checked by the exhaustive evaluation."""
    data, scenario = _tiny_case(25, tmp_path / "j")
    _, joint, _ = _solve(data, scenario, tmp_path / "j" / "out")
    data_r, scenario_r = _tiny_case(25, tmp_path / "r", mode="rolling")
    _, rolling, _ = _solve(data_r, scenario_r, tmp_path / "r" / "out")
    assert joint["objective"] < rolling["objective"] - 1e-6
    assert _objective_of_plan(data, joint, scenario) == pytest.approx(joint["objective"])
    assert _objective_of_plan(data_r, rolling, scenario_r) == pytest.approx(
        rolling["objective"])


# -- compare, sweep, simulate on plans over several years ----------------------------------

def test_compare_gives_every_table_per_year(tmp_path: Path) -> None:
    data, scenario = _tiny_case(25, tmp_path / "j")
    code, joint, output = _solve(data, scenario, tmp_path / "j" / "out")
    assert code == 0, output
    _, rolling_yaml = _tiny_case(25, tmp_path / "r", mode="rolling")
    result = CliRunner().invoke(main, ["compare", str(tmp_path / "j" / "out"),
                                       str(rolling_yaml), "--data", str(data),
                                       "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    comparison = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    name = comparison["base"]
    posts = {(r["year"], r["region"]): r[name] for r in comparison["by_region"]
             if r["metric"] == "posts"}
    expected: dict[tuple[int, str], int] = {}
    for row in joint["allocations"]:
        key = (row["year"], row["region"])
        expected[key] = expected.get(key, 0) + row["posts"]
    assert {k: v for k, v in posts.items() if v} == expected
    assert "year" in result.output
    # the summary's shortfall is what the last year leaves, like its unmet need after
    last = max(r["year"] for r in joint["delegations"])
    left = sum(r["shortfall"] for r in joint["delegations"] if r["year"] == last)
    summary = {r["metric"]: r[name] for r in comparison["summary"]}
    assert summary["shortfall_doctors"] == pytest.approx(left)
    assert summary["unmet_need_after"] == pytest.approx(joint["unmet_need"]["after"])


def test_sweep_solves_each_point_as_a_horizon(tmp_path: Path) -> None:
    data, scenario = _tiny_case(4, tmp_path)
    result = CliRunner().invoke(main, ["sweep", str(scenario), "--data", str(data), "--vary",
                                       "parameters.absence_penalty=0,3", "--out",
                                       str(tmp_path / "sweep"), "--quiet"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "sweep" / "sweep.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    for row in rows:
        document = yaml.safe_load(scenario.read_text())
        document["parameters"]["absence_penalty"] = float(row["parameters.absence_penalty"])
        point = tmp_path / f"p{row['parameters.absence_penalty']}.yaml"
        point.write_text(yaml.safe_dump(document))
        spec = _spec(data, point)
        best = _brute_force(spec)
        assert float(row["objective"]) == pytest.approx(best, abs=1e-6)


def test_simulate_refuses_a_plan_over_several_years(tmp_path: Path) -> None:
    data, scenario = _tiny_case(4, tmp_path)
    code, _, output = _solve(data, scenario, tmp_path / "out")
    assert code == 0, output
    result = CliRunner().invoke(main, ["simulate", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "several years" in result.output


@pytest.mark.parametrize("command", ["explain", "pareto"])
def test_one_year_commands_refuse_a_horizon(tmp_path: Path, command: str) -> None:
    data, scenario = _tiny_case(4, tmp_path)
    result = CliRunner().invoke(main, [command, str(scenario), "--data", str(data)])
    assert result.exit_code == 2
    assert str(scenario) in result.output and "parameters.horizon" in result.output
