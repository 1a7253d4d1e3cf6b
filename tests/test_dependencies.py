"""Specialty dependencies (NEED.md, dependencies.csv): public case, hand instances with reasoned
optima, brute force on random tiny instances, infeasibility explained, bad input refused."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import pytest
from bruteforce import EPS_FOREIGN, _fits, _options_x, _options_y
from checker import close, load_model
from click.testing import CliRunner
from instances import TINY, random_instance, run_cli, write_instance
from tiny import dataset, posts_of, scenario, solve, write_csv

from optimiser.cli import main

CASE = Path(__file__).resolve().parents[2] / "shared" / "testcases-next" / \
    "case-204-dependencies"


# ----------------------------------------------------------------------- the public case

@pytest.mark.skipif(not CASE.is_dir(), reason="public case not found")
def test_public_case_with_and_without_the_rule(tmp_path: Path) -> None:
    """expected.json: 2323.10207572 with dependencies.csv, 2252.00207572 without it."""
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    result = run_cli(CASE, CASE / "scenario.yaml", tmp_path / "with")
    assert result.code == 0, result.explain()
    assert close(result.plan["objective"], expected["objective"])
    assert result.plan["dependencies"]["rules"][0]["rule"] == "S1->S0"
    plain = tmp_path / "data"
    shutil.copytree(CASE, plain)
    (plain / "dependencies.csv").unlink()
    result = run_cli(plain, plain / "scenario.yaml", tmp_path / "without")
    assert result.code == 0, result.explain()
    assert close(result.plan["objective"], expected["objective_without_the_rule"])
    assert "dependencies" not in result.plan


# ----------------------------------------------------------------------- hand instances

def _hand(folder: Path, anes_posts: int, rule: bool) -> Path:
    """D1 has an anaesthetist, D2 (weight 3) needs surgeons and anaesthetists, D3 (weight 4)
    needs an anaesthetist only (its surgeons are there). Norms 2 CHIR, 1 ANES per 100,000,
    presence 1, absence penalty 4: a missing first surgeon costs w*(2+4), a missing first
    anaesthetist w*(1+4)."""
    dataset(folder,
            delegations=[("D1", "R1", 100000, 1), ("D2", "R1", 100000, 3),
                         ("D3", "R1", 100000, 4)],
            specialties=[("ANES", 1.0, 1, 1.0), ("CHIR", 2.0, 1, 1.0)],
            posts=[(2024, "CHIR", 1), (2024, "ANES", anes_posts)],
            workforce=[("D1", "ANES", 1, 0), ("D3", "CHIR", 2, 0)])
    if rule:
        write_csv(folder / "dependencies.csv", [
            {"specialty_code": "CHIR", "requires": "ANES", "min_required": 1,
             "source": "test"}])
    return folder


def test_surgeon_post_goes_where_an_anaesthetist_works(tmp_path: Path) -> None:
    """One CHIR post, no ANES post. Without the rule it goes to D2 (saves 3*5 = 15 against
    1*5 at D1): 6 + 3 + 15 (D2 ANES) + 20 (D3 ANES) = 44. With CHIR->ANES,1 only D1 has an
    anaesthetist: 1 + 18 + 15 + 20 = 54."""
    code, _, plan = solve(_hand(tmp_path / "a", 0, False), None, tmp_path / "oa")
    assert code == 0 and posts_of(plan) == {("D2", "CHIR"): 1}
    assert close(plan["objective"], 44.0)
    code, _, plan = solve(_hand(tmp_path / "b", 0, True), None, tmp_path / "ob")
    assert code == 0 and posts_of(plan) == {("D1", "CHIR"): 1}
    assert close(plan["objective"], 54.0)
    binding = plan["dependencies"]["binding"]
    assert binding == [{"rule": "CHIR->ANES", "delegation": "D1", "specialty": "CHIR",
                        "requires": "ANES", "min_required": 1, "received": 1,
                        "staff_after": 1}]


def test_an_anaesthetist_is_sent_along(tmp_path: Path) -> None:
    """One CHIR and one ANES post. Without the rule: CHIR to D2, ANES to D3 (4*5 = 20 > 15):
    6 + 3 + 15 = 24. With it: CHIR+ANES to D2 = 6 + 3 + 20 = 29, better than CHIR to D1 with
    ANES to D3 (1 + 18 + 15 = 34)."""
    code, _, plan = solve(_hand(tmp_path / "a", 1, False), None, tmp_path / "oa")
    assert posts_of(plan) == {("D2", "CHIR"): 1, ("D3", "ANES"): 1}
    assert close(plan["objective"], 24.0)
    code, _, plan = solve(_hand(tmp_path / "b", 1, True), None, tmp_path / "ob")
    assert code == 0 and posts_of(plan) == {("D2", "CHIR"): 1, ("D2", "ANES"): 1}
    assert close(plan["objective"], 29.0)


def test_rule_that_already_holds_adds_nothing(tmp_path: Path) -> None:
    """min_required met by current staff everywhere the post could go: same plan as without."""
    folder = _hand(tmp_path / "a", 0, True)
    write_csv(folder / "workforce.csv", [
        {"delegation_code": d, "specialty_code": "ANES", "current": 1, "departures": 0}
        for d in ("D1", "D2", "D3")] + [
        {"delegation_code": "D3", "specialty_code": "CHIR", "current": 2, "departures": 0}])
    code, _, plan = solve(folder, None, tmp_path / "o")
    assert code == 0 and posts_of(plan) == {("D2", "CHIR"): 1}
    assert plan["dependencies"]["binding"][0]["delegation"] == "D2"


# ----------------------------------------------------------------------- infeasible

def test_infeasible_rule_is_named(tmp_path: Path) -> None:
    """All posts must go, and no delegation can ever have an anaesthetist."""
    folder = _hand(tmp_path / "a", 0, True)
    (folder / "workforce.csv").write_text(
        "delegation_code,specialty_code,current,departures\nD3,CHIR,2,0\n", encoding="utf-8")
    path = scenario(tmp_path / "s.yaml")
    code, output, plan = solve(folder, path, tmp_path / "o")
    assert code == 3 and plan is None
    assert "dependency[CHIR->ANES]" in output
    result = CliRunner().invoke(main, ["explain", str(path), "--data", str(folder)])
    assert "dependency[CHIR->ANES]" in result.output, result.output


# ----------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("rows", "needle"), [
    ("CHIR,CHIR,1", "cannot require itself"),
    ("CHIR,XX,1", "unknown code"),
    ("CHIR,ANES,0", "min_required"),
    ("CHIR,ANES,1\nCHIR,ANES,2", "duplicate key"),
])
def test_bad_dependencies_file(tmp_path: Path, rows: str, needle: str) -> None:
    folder = _hand(tmp_path / "a", 0, False)
    (folder / "dependencies.csv").write_text(
        "specialty_code,requires,min_required,source\n"
        + "".join(f"{row},test\n" for row in rows.splitlines()), encoding="utf-8")
    code, output, _ = solve(folder, None, tmp_path / "o")
    assert code == 2 and needle in output and "dependencies.csv" in output, output
    assert not (tmp_path / "o").exists()


# ----------------------------------------------------------------------- brute force

def _brute(data_dir: Path, scenario_path: Path, rules: list[tuple[str, str, int]]
           ) -> float | None:
    """MODEL.md optimum by enumeration (tests/bruteforce.py), keeping only plans where every
    delegation receiving doctors of s has at least k of r after the plan."""
    model = load_model(data_dir, scenario_path)
    pairs = model.pairs()
    index = {pair: i for i, pair in enumerate(pairs)}
    xs, ys = _options_x(model), _options_y(model)
    if len(xs) * len(ys) > 300_000:
        return -1.0
    bases = [model.base(d, s) for d, s in pairs]
    caps = [model.cap.get(pair) for pair in pairs]
    bounds = [(sel.lo, sel.hi) for sel in model.constraints]
    checks = [(index[(d, s)], index[(d, r)], k) for s, r, k in rules
              for d in model.delegations]
    best = None
    for xo in xs:
        for yo in ys:
            add = [a + b for a, b in zip(xo.add, yo.add, strict=True)]
            if any(add[i] > 0 and bases[j] + add[j] < k for i, j, k in checks):
                continue
            if not _fits(xo, yo, caps, bounds):
                continue
            value = sum(model.pair_cost(d, s, b + k) for (d, s), b, k
                        in zip(pairs, bases, add, strict=True)) + EPS_FOREIGN * yo.count
            best = value if best is None or value < best else best
    return best


SEEDS = [seed for seed in range(60)
         if len(random_instance(seed, TINY).tables["specialties.csv"]) >= 2][:20]
"""Seeds whose instance has two specialties (a rule needs one to require another)."""


@pytest.mark.parametrize("seed", SEEDS)
def test_optimum_equals_brute_force(tmp_path: Path, seed: int) -> None:
    instance = random_instance(seed, TINY)
    data_dir, scenario_path = write_instance(instance, tmp_path / "case")
    with (data_dir / "specialties.csv").open(encoding="utf-8") as fh:
        codes = [row["specialty_code"] for row in csv.DictReader(fh)]
    assert len(codes) >= 2
    rng = random.Random(seed)
    s, r = rng.sample(codes, 2)
    rules = [(s, r, rng.choice([1, 2]))]
    write_csv(data_dir / "dependencies.csv", [
        {"specialty_code": a, "requires": b, "min_required": k, "source": "random"}
        for a, b, k in rules])
    best = _brute(data_dir, scenario_path, rules)
    if best == -1.0:
        pytest.skip("instance too large to enumerate")
    code, output, plan = solve(data_dir, scenario_path, tmp_path / "out")
    if best is None:
        assert code == 3, output
        return
    assert code == 0, output
    assert close(plan["objective"], best), (plan["objective"], best)
