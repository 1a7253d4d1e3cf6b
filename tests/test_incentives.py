"""Scenario incentives (optimiser/incentives.py): an allowance raises acceptance at a cost.

- Tiny random instances with uptake.csv, an allowance on one delegation and a budget: the hull
  MIP and the literal model reach the least expected objective of a brute force over every
  feasible plan, with the raised p and the budget counting foreign doctors and allowances.
- An allowance that costs nothing and raises nothing changes no byte of plan.json but the
  `incentives` key; raising p never raises the plan's expected unmet need; a tight budget
  moves posts away from the allowance, or is infeasible (naming the budget) when every post
  must go there.
- Bad entries are exit-2 input errors naming the scenario line and key.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest
import yaml
from bruteforce import _fits, _options_x, _options_y
from checker import EPS_FOREIGN, load_model
from instances import TINY, Instance, random_instance, write_instance
from tiny import scenario, solve
from uptake_brute import pair_cost, read_uptake

from optimiser.errors import InputError
from optimiser.output import plan_document, plan_json_text
from optimiser.pipeline import load_inputs, run_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
UPTAKE = {"TATA": 0.5, "TINGHIR": 0.6, "SIDI_IFNI": 0.55, "GUELMIM": 0.7, "ERRACHIDIA": 0.8,
          "AL_HOCEIMA": 0.75, "TETOUAN": 0.9, "TANGER_ASSILAH": 0.95}
"""Made-up acceptance per delegation for data/example (tests only)."""
REMOTE = {"name": "remote", "region": ["SM", "GON"], "p_accept": 0.95, "cost_per_post": 30000}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """data/example with a made-up uptake.csv."""
    data = tmp_path_factory.mktemp("ex") / "example"
    shutil.copytree(EXAMPLE, data)
    rows = ["delegation_code,specialty_code,p_accept,source"]
    rows += [f"{d},*,{p},estimate: test" for d, p in UPTAKE.items()]
    (data / "uptake.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return data


def _plan(data: Path, path: Path, **content: object) -> tuple[object, dict]:
    """Solve in-process: the run and its byte-stable plan.json document."""
    inputs = load_inputs(data, scenario(path, **content))
    run = run_scenario(inputs)
    assert run.plan is not None, run.result.status
    return run, plan_document(inputs, run.result, run.plan, 0.0, timestamp=False)


# --------------------------------------------------------------------------- brute force


def _brute(model: object, p: dict, allowance: dict, budget: float | None) -> float | None:
    """Least expected objective over every feasible plan; the budget counts foreign doctors
    (cost per doctor) and allowances (cost per national post of a selected pair)."""
    pairs = model.pairs()
    caps = [model.cap.get(pair) for pair in pairs]
    bounds = [(sel.lo, sel.hi) for sel in model.constraints]
    best = None
    for xo in _options_x(model):
        paid = sum(allowance.get(pair, 0.0) * k for pair, k in zip(pairs, xo.add, strict=True))
        for yo in _options_y(model):
            if not _fits(xo, yo, caps, bounds):
                continue
            spent = paid + sum(model.cost.get(c, 0.0) * v for (c, _, _), v in yo.decisions.items())
            if budget is not None and spent > budget + 1e-6:
                continue
            value = sum(pair_cost(model, d, s, p[(d, s)], a, b)
                        for (d, s), a, b in zip(pairs, xo.add, yo.add, strict=True))
            value += EPS_FOREIGN * yo.count
            best = value if best is None or value < best else best
    return best


def _instance(seed: int, tmp_path: Path) -> tuple[Path, Path, dict]:
    """A TINY instance (no promotion filter), random uptake, an allowance on one delegation
    and a budget; returns data, scenario and the incentive."""
    rng = random.Random(seed)
    inst = random_instance(seed, TINY)
    constraints = [{k: v for k, v in con.items() if k != "promotion"}
                   for con in inst.scenario.get("constraints") or []]
    delegations = [r["delegation_code"] for r in inst.tables["delegations.csv"]]
    chosen = rng.choice(delegations)
    incentive = {"name": "allow", "delegation": chosen, "p_accept": rng.choice((0.9, 1.0)),
                 "cost_per_post": rng.choice((0, 40, 100))}
    params = {"uptake": "expected", "budget": rng.choice((None, 0, 100, 250, 500))}
    inst = Instance(inst.tables, {**inst.scenario, "constraints": constraints,
                                  "incentives": [incentive]}).with_parameters(**params)
    data, sc = write_instance(inst, tmp_path)
    rows = ["delegation_code,specialty_code,p_accept,source"]
    rows += [f"{d},*,{rng.choice((0.2, 0.5, 0.8, 0.9))},estimate: test" for d in delegations]
    (data / "uptake.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return data, sc, incentive


@pytest.mark.parametrize("seed", range(40))
def test_incentive_plan_is_the_exact_optimum(tmp_path, seed):
    data, sc, incentive = _instance(seed, tmp_path)
    try:
        inputs = load_inputs(data, sc)
    except InputError as exc:
        if "below the acceptance" in str(exc) or "selects no" in str(exc):
            pytest.skip("the drawn allowance would lower acceptance, or nothing is selected")
        raise
    model = load_model(data, sc)
    budget = yaml.safe_load(sc.read_text())["parameters"]["budget"]
    model.budget = None  # the brute force applies the whole budget row itself
    p = read_uptake(data, model)
    chosen = incentive["delegation"]
    p = {pair: max(q, incentive["p_accept"]) if pair[0] == chosen else q
         for pair, q in p.items()}
    allowance = {pair: float(incentive["cost_per_post"]) for pair in p if pair[0] == chosen}
    best = _brute(model, p, allowance, budget)
    for fast in (True, False):
        run = run_scenario(inputs, fast_path=fast)
        if best is None:
            assert run.plan is None and run.result.status.value == "infeasible"
            continue
        assert run.plan is not None, run.result.status
        assert math.isclose(run.plan.objective, best, rel_tol=1e-6, abs_tol=1e-6)
        posts = run.plan.delegations.set_index(["delegation", "specialty"])["posts"]
        paid = sum(allowance.get(pair, 0.0) * k for pair, k in posts.items())
        row = run.plan.incentives[0]
        assert row["posts"] == int(posts[posts.index.get_level_values(0) == chosen].sum())
        assert math.isclose(row["cost"], paid)
        if budget is not None:
            assert run.plan.budget_used <= budget + 1e-6


# --------------------------------------------------------------------------- properties


def test_free_allowance_that_raises_nothing_changes_nothing(example, tmp_path):
    """cost 0 and p = the current p (TATA 0.5): the same plan.json but the new key."""
    params = {"uptake": "expected", "budget": 1500000}
    _, base = _plan(example, tmp_path / "a.yaml", parameters=params)
    _, same = _plan(example, tmp_path / "b.yaml", parameters=params, incentives=[
        {"name": "nothing", "delegation": "TATA", "p_accept": 0.5, "cost_per_post": 0}])
    assert same.pop("incentives")[0]["cost"] == 0
    assert plan_json_text(base) == plan_json_text(same)


@pytest.mark.parametrize("uptake", ["expected", "certain"])
def test_raising_acceptance_never_raises_expected_unmet_need(example, tmp_path, uptake):
    run_a, base = _plan(example, tmp_path / "a.yaml", parameters={"uptake": uptake})
    previous = base["expected_unmet_need"]
    for p in (0.6, 0.8, 0.95, 1.0):
        _, doc = _plan(example, tmp_path / "b.yaml", parameters={"uptake": uptake},
                       incentives=[{**REMOTE, "p_accept": p, "cost_per_post": 0}])
        assert doc["expected_unmet_need"] <= previous + 1e-9
        previous = doc["expected_unmet_need"]
        row = doc["incentives"][0]
        assert row["expected_arrivals"] >= row["expected_arrivals_without"]
    assert previous < base["expected_unmet_need"] - 1  # it buys something real


def test_budget_counts_allowances_and_moves_posts(example, tmp_path):
    """Without contingents (their supply set to 0) the budget only pays allowances: a budget
    for 10 posts keeps the allowance pairs to 10 posts; budget_used is what they cost."""
    zero = [{"contingent": c, "specialty": s, "size": 0}
            for c, s in (("CN", "ANES"), ("CN", "GYN"), ("SN", "ANES"), ("SN", "PED"))]
    overrides = {"contingent_size": zero}
    _, free = _plan(example, tmp_path / "a.yaml", parameters={"uptake": "expected"},
                    overrides=overrides, incentives=[REMOTE])
    assert free["incentives"][0]["posts"] > 10
    _, tight = _plan(example, tmp_path / "b.yaml",
                     parameters={"uptake": "expected", "budget": 300000},
                     overrides=overrides, incentives=[REMOTE])
    assert tight["incentives"][0]["posts"] == 10
    assert tight["budget_used"] == tight["incentives"][0]["cost"] == 300000
    assert tight["expected_unmet_need"] > free["expected_unmet_need"]


def test_budget_too_small_when_posts_must_go_there(example, tmp_path):
    """Every PED post must go to the remote regions (a scenario constraint), whose allowance
    the budget cannot pay: infeasible, and the diagnosis names the budget."""
    sc = scenario(tmp_path / "s.yaml", parameters={"uptake": "expected", "budget": 100000},
                  incentives=[REMOTE],
                  constraints=[{"name": "ped-remote", "region": ["SM", "GON"],
                                "specialty": "PED", "fix": 5}])
    code, output, plan = solve(example, sc, tmp_path / "out")
    assert code != 0 and plan is None, output
    assert "budget" in output, output
    # the budget row pays the allowances too, and the explanation says so
    assert "foreign doctors and incentive allowances cost at most" in " ".join(output.split())


def test_compare_shows_expected_unmet_need(example, tmp_path):
    from optimiser.whatif.compare import compare, load_side
    a = scenario(tmp_path / "a.yaml", name="without", parameters={"uptake": "expected"})
    b = scenario(tmp_path / "b.yaml", name="with", parameters={"uptake": "expected"},
                 incentives=[REMOTE])
    result = compare([load_side(a, example), load_side(b, example)])
    row = result.summary.set_index("metric").loc["expected_unmet_need"]
    assert row["with"] < row["without"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("entry", "key", "words"), [
    ({"delegation": "NOWHERE"}, "incentives.0.delegation", "unknown delegation code"),
    ({"specialty": "XYZ"}, "incentives.0.specialty", "unknown specialty code"),
    ({"p_accept": 1.5}, "incentives.0.p_accept", "a probability"),
    ({"p_accept": 0}, "incentives.0.p_accept", "greater than 0"),
    ({"p_accept": 0.3}, "incentives.0.p_accept", "does not lower acceptance"),
    ({"cost_per_post": -5}, "incentives.0.cost_per_post", "an amount"),
    ({"region": None}, "incentives.0", "give region and/or delegation"),
    ({"colour": "red"}, "incentives.0.colour", "unknown key"),
])
def test_bad_entries_are_input_errors(example, tmp_path, entry, key, words):
    incentive = {**REMOTE, **entry}
    sc = scenario(tmp_path / "s.yaml", parameters={"uptake": "expected"},
                  incentives=[incentive])
    code, output, _ = solve(example, sc, tmp_path / "out")
    assert code == 2, output
    assert f"column '{key}'" in output and words in output, output
    assert "s.yaml:" in output and "Traceback" not in output, output
    assert not (tmp_path / "out").exists()


def test_overlapping_and_twice_named_entries(example, tmp_path):
    sc = scenario(tmp_path / "s.yaml", incentives=[
        REMOTE, {**REMOTE, "region": None, "delegation": "TATA"}])
    code, output, _ = solve(example, sc, tmp_path / "out")
    assert code == 2 and "incentive name given twice" in output, output
    sc = scenario(tmp_path / "s.yaml", incentives=[
        REMOTE, {**REMOTE, "name": "tata", "region": None, "delegation": "TATA"}])
    code, output, _ = solve(example, sc, tmp_path / "out")
    assert code == 2 and "at most one allowance" in output, output


def test_plan_json_has_incentives_only_when_asked(example, tmp_path):
    _, doc = _plan(example, tmp_path / "a.yaml", incentives=[REMOTE])
    row = doc["incentives"][0]
    assert row["cost"] == row["posts"] * 30000 and doc["budget_used"] >= row["cost"]
    _, plain = _plan(example, tmp_path / "b.yaml")
    assert "incentives" not in plain
    json.dumps(doc)
