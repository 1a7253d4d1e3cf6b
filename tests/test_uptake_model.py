"""The expected-uptake plan (UPTAKE.md, `parameters.uptake: expected`) is exact.

- The binomial maths of optimiser/uptake.py against math.comb and outcome enumeration; the
  expected cost is convex in the posts (non-decreasing marginals).
- Tiny random instances (tests/instances.py, with and without contingents), with random
  acceptance: the greedy and the hull MIP reach the least expected objective of a brute force
  that enumerates every feasible plan and every acceptance outcome (tests/uptake_brute.py).
- With every p = 1, or without uptake.csv, the plan is today's; plan.json gains the expected
  figures only when the dataset has uptake data, and a naive (`certain`) plan's expected
  unmet need is never below the expected plan's.
- uptake.csv and the `uptake` parameter are checked like every other input.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from checker import load_model
from instances import TINY, Instance, random_instance, write_instance
from uptake_brute import brute_force_expected, expected_objective, read_uptake

from optimiser.data import load_dataset
from optimiser.errors import InputError
from optimiser.inputs import ModelInputs
from optimiser.model import build_model
from optimiser.output import plan_document, plan_json_text
from optimiser.pipeline import load_inputs, plan_build_options, run_scenario
from optimiser.uptake import binomial_pmf, expected_parts, unmet, unmet_grid

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
MOROCCO = ROOT / "data" / "morocco-2024"
CASE_201 = ROOT.parent / "shared" / "testcases-next" / "case-201-uptake"
UPTAKE_KEYS = ("expected_unmet_need",)
ROW_KEYS = ("p_accept", "expected_staff_after")


# --------------------------------------------------------------------------- the maths


def _comb_pmf(n: int, p: float, i: int) -> float:
    return math.comb(n, i) * p ** i * (1 - p) ** (n - i) if i <= n else 0.0


def test_binomial_pmf_matches_math_comb():
    rng = np.random.default_rng(7)
    n = rng.integers(0, 400, 40)
    p = rng.uniform(0.001, 0.999, 40)
    p[:3] = (1.0, 0.5, 1e-6)
    got = binomial_pmf(n, p, 420)
    want = np.array([[_comb_pmf(int(k), float(q), i) for i in range(420)]
                     for k, q in zip(n, p, strict=True)])
    assert np.abs(got - want).max() < 1e-12
    assert np.allclose(got.sum(axis=1), 1.0, atol=1e-12)


def _enumerated(base: float, extra: int, posts: int, p: float, target: float,
                presence: float, a: float) -> float:
    """E[U(base + extra + Bin(posts, p))] by the binomial formula (math.comb)."""
    return sum(_comb_pmf(posts, p, i) * float(unmet(np.array(base + extra + i), target,
                                                    presence, a))
               for i in range(posts + 1))


def test_recursion_and_log_space_agree_with_enumeration():
    rng = np.random.default_rng(11)
    n = 30
    base = rng.integers(0, 8, n).astype(float)
    target = rng.uniform(0, 25, n)
    presence = np.minimum(rng.integers(1, 4, n), target)
    p = rng.uniform(0.05, 1.0, n)
    p[0] = 1.0
    a = 3.0
    eu, edu = unmet_grid(base, target, presence, a, p, 25, 3)
    for r in range(n):
        for k in range(26):
            for j in range(4):
                want = _enumerated(base[r], j, k, p[r], target[r], presence[r], a)
                assert eu[r, k, j] == pytest.approx(want, abs=1e-11)
        # the marginal is p * E[dU] (UPTAKE.md hint), and it never decreases: convex in k
        steps = p[r] * edu[r, :25, 0]
        assert np.allclose(np.diff(eu[r, :, 0]), steps, atol=1e-11)
        assert np.all(np.diff(steps) >= -1e-12)
    posts = rng.integers(0, 26, n)
    foreign = rng.integers(0, 4, n)
    short, absent = expected_parts(base, foreign, posts, p, target, presence)
    assert np.allclose(short + a * absent, eu[np.arange(n), posts, foreign], atol=1e-11)


# --------------------------------------------------------------------------- brute force


def _uptake_rows(seed: int, instance: Instance) -> list[dict]:
    """Random acceptance: `*` rows for some delegations, specific rows for some pairs."""
    rng = random.Random(seed)
    choices = (0.15, 0.3, 0.5, 0.65, 0.8, 0.95, 1.0)
    rows = []
    specialties = [r["specialty_code"] for r in instance.tables["specialties.csv"]]
    for row in instance.tables["delegations.csv"]:
        d = row["delegation_code"]
        if rng.random() < 0.7:
            rows.append({"delegation_code": d, "specialty_code": "*",
                         "p_accept": rng.choice(choices)})
        rows += [{"delegation_code": d, "specialty_code": s, "p_accept": rng.choice(choices)}
                 for s in specialties if rng.random() < 0.3]
    return rows


def _write_uptake(data: Path, rows: list[dict]) -> None:
    with (data / "uptake.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["delegation_code", "specialty_code", "p_accept"])
        writer.writeheader()
        writer.writerows(rows)


def _uptake_instance(seed: int, tmp_path: Path) -> tuple[Path, Path]:
    """A TINY instance without promotion filters (refused with `expected`), its uptake.csv
    and `uptake: expected`."""
    instance = random_instance(seed, TINY if seed % 2 else WITH_CONTINGENT)
    constraints = [{k: v for k, v in con.items() if k != "promotion"}
                   for con in instance.scenario.get("constraints") or []]
    instance = Instance(instance.tables, {**instance.scenario, "constraints": constraints})
    data, scenario = write_instance(instance.with_parameters(uptake="expected"), tmp_path)
    _write_uptake(data, _uptake_rows(seed, instance))
    return data, scenario


def _uncertain_reached(inputs: ModelInputs) -> int:
    """Pairs a contingent reaches with p < 1 and posts of their specialty: the disjunction."""
    y = build_model(inputs, plan_build_options(inputs)).y
    if not len(y):
        return 0
    reached = np.zeros(len(inputs.pairs), dtype=bool)
    reached[y["pair"].to_numpy(int)] = True
    posts = inputs.posts.groupby(level="specialty").sum()
    has_posts = posts.reindex(inputs.pairs.index.get_level_values("specialty")).fillna(0) > 0
    return int((reached & has_posts.to_numpy() & (inputs.pairs["p_model"] < 1)).sum())


BRUTE_SEEDS = range(100)
WITH_CONTINGENT = dataclasses.replace(TINY, contingents=(1, 1))
"""Even seeds: a contingent always, so that the disjunction of model/hull_uptake.py is met."""
@pytest.mark.parametrize("seed", BRUTE_SEEDS)
def test_expected_plan_matches_brute_force(tmp_path, seed):
    data, scenario = _uptake_instance(seed, tmp_path)
    try:
        inputs = load_inputs(data, scenario)
    except InputError:
        pytest.skip("without its promotion filter a constraint selects nothing")
    model = load_model(data, scenario)
    p = read_uptake(data, model)
    best = brute_force_expected(model, p)
    runs = [run_scenario(inputs), run_scenario(inputs, fast_path=False)]
    for run in runs:
        if best is None:
            assert run.plan is None and run.result.status.value == "infeasible"
            continue
        assert run.plan is not None, run.result.status
        assert math.isclose(run.plan.objective, best, rel_tol=1e-6, abs_tol=1e-6)
        # the plan's objective is its exact expectation, recomputed independently
        national = run.plan.delegations.set_index(["delegation", "specialty"])
        again, unmet_need = expected_objective(
            model, p, national["posts"].to_dict(), national["foreign"].to_dict())
        assert math.isclose(run.plan.objective, again, rel_tol=1e-9, abs_tol=1e-9)
        # no uptake row drawn: no uptake data, no expected figure (and p = 1 everywhere)
        reported = run.plan.unmet_after if run.plan.expected_unmet is None \
            else run.plan.expected_unmet
        assert math.isclose(reported, unmet_need, rel_tol=1e-9, abs_tol=1e-9)
        if run.result.solver == "HiGHS":  # the model's cost is the expectation, not a bound
            assert math.isclose(run.result.objective, best, rel_tol=1e-6, abs_tol=1e-5)


def test_brute_force_covers_contingent_pairs(tmp_path):
    """The seeds above exercise the disjunction of model/hull_uptake.py (can fail if the
    generator stops making such pairs); the models are built, not solved."""
    reached = []
    for seed in BRUTE_SEEDS:
        data, scenario = _uptake_instance(seed, tmp_path / str(seed))
        try:
            reached.append(_uncertain_reached(load_inputs(data, scenario)))
        except InputError:
            continue  # skipped above too
    assert sum(1 for n in reached if n) >= 15, reached  # 18 of the 100 seeds


# --------------------------------------------------------------------------- plans and plan.json


def _copy(source: Path, target: Path, uptake: list[dict] | None) -> Path:
    """A dataset copy with the given uptake.csv rows (None: no uptake.csv)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("uptake.csv", "graduates*",
                                                                  "preferences*"))
    if uptake is not None:
        _write_uptake(target, uptake)
    return target


def _scenario(tmp_path: Path, name: str, **parameters: object) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "parameters": parameters}), encoding="utf-8")
    return path


def _document(data: Path, scenario: Path | None) -> dict:
    inputs = load_inputs(data, scenario)
    run = run_scenario(inputs)
    assert run.plan is not None
    return plan_document(inputs, run.result, run.plan, 0.0, timestamp=False)


def _delegations(dataset: Path) -> list[str]:
    with (dataset / "delegations.csv").open(encoding="utf-8") as fh:
        return [row["delegation_code"] for row in csv.DictReader(fh)]


def _without_uptake(document: dict) -> dict:
    out = {k: v for k, v in document.items() if k not in UPTAKE_KEYS}
    out["parameters"] = {k: v for k, v in out["parameters"].items() if k != "uptake"}
    out["delegations"] = [{k: v for k, v in row.items() if k not in ROW_KEYS}
                          for row in out["delegations"]]
    out["sources"] = {k: v for k, v in out["sources"].items() if k != "uptake.csv"}
    return out


@pytest.mark.parametrize("source", [EXAMPLE, MOROCCO], ids=["example", "morocco"])
def test_every_p_one_is_todays_plan(tmp_path, source):
    plain = _copy(source, tmp_path / "plain", None)
    ones = _copy(source, tmp_path / "ones",
                 [{"delegation_code": d, "specialty_code": "*", "p_accept": 1}
                  for d in _delegations(source)])
    today = _document(plain, _scenario(tmp_path, "today"))
    assert not set(UPTAKE_KEYS) & set(today) and "uptake" not in today["parameters"]
    assert not set(ROW_KEYS) & set(today["delegations"][0])
    for mode in ("expected", "certain"):
        document = _document(ones, _scenario(tmp_path, mode, uptake=mode))
        assert document["objective"] == today["objective"]
        assert document["allocations"] == today["allocations"]
        assert document["expected_unmet_need"] == today["unmet_need"]["after"]
        assert _without_uptake(document) == {**today, "scenario": mode}
    # no uptake.csv: `expected` is today's plan to the byte
    expected = _document(plain, _scenario(tmp_path, "baseline", uptake="expected"))
    assert plan_json_text(expected) == plan_json_text({**today, "scenario": "baseline"})


def _made_up_uptake(source: Path) -> list[dict]:
    """Acceptance falling with the delegation's priority weight (remote places: fewer
    doctors come), one specialty lower still: a test dataset, not an estimate."""
    rows = []
    with (source / "delegations.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            weight = float(row.get("priority_weight") or 1)
            p = round(1 / (1 + math.exp(-(4 - 3 * weight))), 4)
            rows += [{"delegation_code": row["delegation_code"], "specialty_code": "*",
                      "p_accept": p},
                     {"delegation_code": row["delegation_code"], "specialty_code": "ANES",
                      "p_accept": round(0.8 * p, 4)}]
    return rows


def _naive_and_expected(data: Path, tmp_path: Path, base: dict | None = None
                        ) -> tuple[dict, dict]:
    """Plans of the same scenario (`base`, else defaults) with uptake certain and expected."""
    out = []
    for mode in ("certain", "expected"):
        scenario = dict(base or {"name": mode})
        scenario["parameters"] = {**(scenario.get("parameters") or {}), "uptake": mode}
        path = tmp_path / f"{mode}.yaml"
        path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
        out.append(_document(data, path))
    return out[0], out[1]


@pytest.mark.parametrize("source", [EXAMPLE, MOROCCO], ids=["example", "morocco"])
def test_expected_plan_lowers_expected_unmet_need(tmp_path, source):
    data = _copy(source, tmp_path / "data", _made_up_uptake(source))
    naive, aware = _naive_and_expected(data, tmp_path)
    assert aware["expected_unmet_need"] < naive["expected_unmet_need"] - 1
    # the naive plan is MODEL.md's plan; the expected one pays for it where posts are taken
    assert naive["unmet_need"]["after"] <= aware["unmet_need"]["after"]
    assert aware["parameters"]["uptake"] == "expected"
    # plan.json rows: p and E[staff] = staff before + foreign + p * posts
    model = load_model(data, None)
    p = read_uptake(data, model)
    for row in aware["delegations"]:
        key = (row["delegation"], row["specialty"])
        assert row["p_accept"] == p[key]
        want = row["staff_before"] + row["foreign"] + p[key] * row["posts"]
        assert row["expected_staff_after"] == pytest.approx(want, abs=1e-9)
    if source == EXAMPLE:  # an independent evaluation of both plans (the national one is slow)
        for document in (naive, aware):
            posts, foreign = _per_pair(document)
            _, unmet_need = expected_objective(model, p, posts, foreign)
            assert document["expected_unmet_need"] == pytest.approx(unmet_need, abs=1e-6)


def _per_pair(document: dict) -> tuple[dict, dict]:
    posts = {(r["delegation"], r["specialty"]): r["posts"] for r in document["delegations"]}
    foreign = {(r["delegation"], r["specialty"]): r["foreign"] for r in document["delegations"]}
    return posts, foreign


@pytest.mark.skipif(not CASE_201.is_dir(), reason="public case-201 not found")
def test_public_case_naive_plan_is_worse(tmp_path):
    scenario = yaml.safe_load((CASE_201 / "scenario.yaml").read_text(encoding="utf-8"))
    naive, aware = _naive_and_expected(CASE_201, tmp_path, scenario)
    expected = json.loads((CASE_201 / "expected.json").read_text(encoding="utf-8"))
    assert aware["objective"] == pytest.approx(expected["objective"], rel=1e-6)
    assert aware["expected_unmet_need"] == pytest.approx(expected["expected_unmet_need"],
                                                         rel=1e-6)
    assert naive["expected_unmet_need"] >= aware["expected_unmet_need"]


# --------------------------------------------------------------------------- inputs


def _bad_uptake(tmp_path: Path, text: str) -> list:
    data = _copy(EXAMPLE, tmp_path / "data", None)
    (data / "uptake.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_dataset(data)
    return [(i.file, i.line, i.column, i.value) for i in caught.value.issues]


def test_bad_uptake_rows_are_named(tmp_path):
    d = _delegations(EXAMPLE)[0]
    issues = _bad_uptake(tmp_path, "delegation_code,specialty_code,p_accept,source\n"
                         f"NOPE,*,0.5,x\n{d},*,0,x\n{d},ANES,1.5,x\n{d},XX,0.5,x\n"
                         f"{d},*,0.4,x\n{d},*,0.6,x\n{d},=X,0.5,x\n{d},CHIR,,x\n")
    assert sorted(issues) == [
        ("uptake.csv", 2, "delegation_code", "NOPE"),
        ("uptake.csv", 3, "p_accept", "0"),
        ("uptake.csv", 4, "p_accept", "1.5"),
        ("uptake.csv", 5, "specialty_code", "XX"),
        ("uptake.csv", 7, "specialty_code", f"{d},*"),  # duplicate of line 6
        ("uptake.csv", 8, "specialty_code", "=X"),
        ("uptake.csv", 9, "p_accept", ""),
    ]


def test_specific_row_wins_over_star(tmp_path):
    d, other = _delegations(EXAMPLE)[:2]
    data = _copy(EXAMPLE, tmp_path / "data", [
        {"delegation_code": d, "specialty_code": "*", "p_accept": 0.5},
        {"delegation_code": d, "specialty_code": "ANES", "p_accept": 0.25}])
    pairs = load_inputs(data, _scenario(tmp_path, "s", uptake="expected")).pairs
    assert pairs.loc[(d, "ANES"), "p_accept"] == 0.25
    assert pairs.loc[(d, "CHIR"), "p_accept"] == 0.5
    assert pairs.loc[(other, "ANES"), "p_accept"] == 1.0
    assert pairs.loc[(d, "ANES"), "p_model"] == 0.25
    certain = load_inputs(data, _scenario(tmp_path, "c")).pairs
    assert certain.loc[(d, "ANES"), "p_model"] == 1.0  # `certain` is the default


def test_uptake_parameter_is_checked(tmp_path):
    data = _copy(EXAMPLE, tmp_path / "data", _made_up_uptake(EXAMPLE))
    with pytest.raises(InputError) as caught:
        load_inputs(data, _scenario(tmp_path, "s", uptake="sometimes"))
    assert caught.value.issues[0].column == "parameters.uptake"
    path = tmp_path / "promotion.yaml"
    path.write_text(yaml.safe_dump({"name": "p", "parameters": {"uptake": "expected"},
                                    "constraints": [{"specialty": "ANES", "promotion": 2024,
                                                     "max": 3}]}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inputs(data, path)
    issue = caught.value.issues[0]
    assert issue.column == "constraints.0.promotion" and "uptake" in issue.message
    load_inputs(data, _scenario(tmp_path, "ok", uptake="certain"))  # a certain plan may
