"""The independent checker must accept a hand-verified plan and catch every kind of mistake.

Hand instance (targets = norm * pop / 1e5, m = min(pres, target)):

    deleg region pop     w  | ANES norm 2 pres 2 imp 1 | CHIR norm 1 pres 1 imp 2
    A     N      100000  1  | t 2   m 2   cur 1        | t 1   m 1   cap 0
    B     N      200000  2  | t 4   m 2                | t 2   m 1   cur 3 dep 1
    C     S       50000  1  | t 1   m 1   cap 1        | t .5  m .5

Posts 2024: ANES 3, CHIR 3. Contingent CN: min_team 2, max_sites 1, cost 100, eligible
"S;B" (= C and B), offers ANES 3, CHIR 2. Scenario: A = 4, budget 250, B/ANES max 2.

Valid plan: x A/ANES 1, B/ANES 2, B/CHIR 2, C/CHIR 1; CN at C: ANES 1, CHIR 1.
    A/CHIR  staff 0 < t 1, < m 1:  1 * 2 * (1 + 4 * 1) = 10
    B/ANES  staff 2 < t 4:         2 * 1 * 2           = 4
    B/CHIR  staff 4 > t 2:         0.01 * 2            = 0.02
    C/CHIR  staff 2 > t .5:        0.01 * 1.5          = 0.015
    foreign 2 doctors:             0.001 * 2           = 0.002      total 14.037
Categories: A/ANES 1 creation; B/ANES 2 creation; B/CHIR 1 compensation + 1 reinforcement;
C/CHIR 1 creation (ceil(0.5) = 1)  ->  creation 4, compensation 1, reinforcement 1.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from bruteforce import brute_force, build_plan, distributions
from checker import check_plan, check_plan_against, close, load_model

FILES = {
    "regions.csv": "region_code,name_fr,name_ar\nN,Nord,\nS,Sud,\n",
    "delegations.csv": (
        "delegation_code,name_fr,region_code,population,priority_weight\n"
        "A,Alpha,N,100000,1\nB,Béta,N,200000,2\nC,Gamma,S,50000,\n"
    ),
    "specialties.csv": (
        "specialty_code,name_fr,norm_per_100k,min_presence,weight\n"
        "ANES,Anesthésie,2,2,1\nCHIR,Chirurgie,1,,2\n"
    ),
    "workforce.csv": "delegation_code,specialty_code,current,departures\nA,ANES,1,0\nB,CHIR,3,1\n",
    "capacity.csv": "delegation_code,specialty_code,max_new\nC,ANES,1\nA,CHIR,0\n",
    "posts.csv": "promotion,specialty_code,posts\n2024,ANES,3\n2024,CHIR,3\n",
    "contingents.csv": (
        "contingent_code,name,origin,min_team,max_sites,cost_per_doctor,eligible\n"
        "CN,Mission,CN,2,1,100,S;B\n"
    ),
    "contingent_supply.csv": "contingent_code,specialty_code,size\nCN,ANES,3\nCN,CHIR,2\n",
}
SCENARIO = """\
name: hand
parameters: {absence_penalty: 4, budget: 250}
constraints:
  - {name: b-anes, delegation: B, specialty: ANES, max: 2}
"""


def _row(d: str, s: str, t: float, before: int, after: int) -> dict[str, Any]:
    m = min({"ANES": 2.0, "CHIR": 1.0}[s], t)
    return {"delegation": d, "specialty": s, "target": t, "staff_before": before,
            "staff_after": after, "shortfall": max(0.0, t - after),
            "absence_shortfall": max(0.0, m - after)}


VALID_PLAN: dict[str, Any] = {
    "scenario": "hand",
    "status": "optimal",
    "objective": 14.037,
    "allocations": [
        {"delegation": "A", "specialty": "ANES", "promotion": 2024, "posts": 1},
        {"delegation": "B", "specialty": "ANES", "promotion": 2024, "posts": 2},
        {"delegation": "B", "specialty": "CHIR", "promotion": 2024, "posts": 2},
        {"delegation": "C", "specialty": "CHIR", "promotion": 2024, "posts": 1},
    ],
    "foreign": [
        {"contingent": "CN", "delegation": "C", "specialty": "ANES", "doctors": 1},
        {"contingent": "CN", "delegation": "C", "specialty": "CHIR", "doctors": 1},
    ],
    "delegations": [
        _row("A", "ANES", 2.0, 1, 2), _row("A", "CHIR", 1.0, 0, 0),
        _row("B", "ANES", 4.0, 0, 2), _row("B", "CHIR", 2.0, 2, 4),
        _row("C", "ANES", 1.0, 0, 1), _row("C", "CHIR", 0.5, 0, 2),
    ],
    "posts_by_category": {"creation": 4, "compensation": 1, "reinforcement": 1},
}


@pytest.fixture()
def hand(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    for name, text in FILES.items():
        (data / name).write_text(text, encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    return data, scenario


def _plan() -> dict[str, Any]:
    return copy.deepcopy(VALID_PLAN)


def _set(rows: list[dict[str, Any]], value_key: str, value: int, **match: Any) -> None:
    """Set `value_key` on the row matching `match`, appending the row if absent."""
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            row[value_key] = value
            return
    rows.append({**match, value_key: value})


def test_hand_plan_passes(hand: tuple[Path, Path]) -> None:
    report = check_plan(*hand, _plan())
    assert report.ok, str(report)
    assert close(report.objective, 14.037)


def test_hand_rows_agree_with_hand_values() -> None:
    """Guard the fixture itself: the absence thresholds typed above are the hand ones."""
    rows = {(r["delegation"], r["specialty"]): r for r in VALID_PLAN["delegations"]}
    assert rows[("A", "CHIR")]["absence_shortfall"] == 1.0
    assert rows[("C", "CHIR")]["absence_shortfall"] == 0.0
    assert rows[("B", "ANES")]["shortfall"] == 2.0


def _mutate_capacity(plan: dict[str, Any]) -> None:
    """One CHIR post moved from C to A, where capacity is 0."""
    _set(plan["allocations"], "posts", 0, delegation="C", specialty="CHIR", promotion=2024)
    _set(plan["allocations"], "posts", 1, delegation="A", specialty="CHIR", promotion=2024)


def _mutate_drop(plan: dict[str, Any]) -> None:
    plan["allocations"] = [r for r in plan["allocations"] if r["delegation"] != "A"]


def _mutate_ineligible(plan: dict[str, Any]) -> None:
    for row in plan["foreign"]:
        row["delegation"] = "A"


def _mutate_team(plan: dict[str, Any]) -> None:
    plan["foreign"] = plan["foreign"][:1]


def _mutate_sites(plan: dict[str, Any]) -> None:
    _set(plan["foreign"], "doctors", 2, contingent="CN", delegation="B", specialty="ANES")


def _mutate_budget(plan: dict[str, Any]) -> None:
    _set(plan["foreign"], "doctors", 2, contingent="CN", delegation="C", specialty="CHIR")


def _mutate_size(plan: dict[str, Any]) -> None:
    _set(plan["foreign"], "doctors", 3, contingent="CN", delegation="C", specialty="CHIR")


def _mutate_scenario(plan: dict[str, Any]) -> None:
    """A's ANES post moved to B: B/ANES = 3 > max 2."""
    _set(plan["allocations"], "posts", 0, delegation="A", specialty="ANES", promotion=2024)
    _set(plan["allocations"], "posts", 3, delegation="B", specialty="ANES", promotion=2024)


def _mutate_objective(plan: dict[str, Any]) -> None:
    plan["objective"] += 0.01


def _mutate_row_value(plan: dict[str, Any]) -> None:
    plan["delegations"][2]["shortfall"] = 1.0


def _mutate_row_missing(plan: dict[str, Any]) -> None:
    del plan["delegations"][0]


def _mutate_row_staff(plan: dict[str, Any]) -> None:
    plan["delegations"][3]["staff_before"] = 3  # cur, not cur - dep


def _mutate_categories(plan: dict[str, Any]) -> None:
    plan["posts_by_category"] = {"creation": 3, "compensation": 2, "reinforcement": 1}


def _mutate_fraction(plan: dict[str, Any]) -> None:
    plan["allocations"][0]["posts"] = 1.5


def _mutate_negative(plan: dict[str, Any]) -> None:
    plan["allocations"].append(
        {"delegation": "C", "specialty": "ANES", "promotion": 2024, "posts": -1})


def _mutate_unknown_promotion(plan: dict[str, Any]) -> None:
    plan["allocations"][0]["promotion"] = 2023


MUTATIONS = {
    "capacity": (_mutate_capacity, "capacity"),
    "post dropped": (_mutate_drop, "posts"),
    "ineligible": (_mutate_ineligible, "eligibility"),
    "team": (_mutate_team, "team"),
    "sites": (_mutate_sites, "sites"),
    "budget": (_mutate_budget, "budget"),
    "size": (_mutate_size, "size"),
    "scenario": (_mutate_scenario, "scenario"),
    "objective": (_mutate_objective, "objective"),
    "row value": (_mutate_row_value, "delegations"),
    "row missing": (_mutate_row_missing, "delegations"),
    "row staff_before": (_mutate_row_staff, "delegations"),
    "categories": (_mutate_categories, "categories"),
    "fraction": (_mutate_fraction, "integrality"),
    "negative": (_mutate_negative, "integrality"),
    "unknown promotion": (_mutate_unknown_promotion, "posts"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_is_reported(hand: tuple[Path, Path], name: str) -> None:
    mutate, rule = MUTATIONS[name]
    plan = _plan()
    mutate(plan)
    report = check_plan(*hand, plan)
    assert rule in report.rules(), str(report)


@pytest.mark.parametrize("name", ["objective", "row value", "categories", "row staff_before"])
def test_reporting_mutations_break_only_their_rule(hand: tuple[Path, Path], name: str) -> None:
    """A wrong reported number must not be blamed on the allocation."""
    mutate, rule = MUTATIONS[name]
    plan = _plan()
    mutate(plan)
    assert check_plan(*hand, plan).rules() == {rule}


def test_allocation_mutations_are_isolated_when_derived_values_follow(
    hand: tuple[Path, Path],
) -> None:
    """With objective/rows/categories recomputed, each allocation mutation is its rule alone."""
    model = load_model(*hand)
    expect = {"capacity": {"capacity"}, "post dropped": {"posts"},
              "ineligible": {"eligibility", "capacity"}, "team": {"team"}, "budget": {"budget"},
              "scenario": {"scenario"}, "sites": {"sites", "budget"}, "size": {"size", "budget"}}
    for name, rules in expect.items():
        plan = _plan()
        MUTATIONS[name][0](plan)
        rebuilt = _rebuild(model, plan)
        assert check_plan_against(model, rebuilt).rules() == rules, name


def _rebuild(model: Any, plan: dict[str, Any]) -> dict[str, Any]:
    x = {(r["delegation"], r["specialty"], r["promotion"]): r["posts"]
         for r in plan["allocations"] if r["posts"]}
    y = {(r["contingent"], r["delegation"], r["specialty"]): r["doctors"]
         for r in plan["foreign"] if r["doctors"]}
    return build_plan(model, x, y)


def test_allocate_all_false_accepts_fewer_posts(hand: tuple[Path, Path]) -> None:
    data, scenario = hand
    scenario.write_text(SCENARIO.replace("budget: 250", "budget: 250, allocate_all: false"))
    model = load_model(data, scenario)
    plan = _plan()
    _mutate_drop(plan)
    assert check_plan_against(model, _rebuild(model, plan)).ok


def test_budget_null_means_no_budget(hand: tuple[Path, Path]) -> None:
    data, scenario = hand
    scenario.write_text(SCENARIO.replace("budget: 250", "budget: null"))
    model = load_model(data, scenario)
    assert model.budget is None
    plan = _plan()
    _mutate_budget(plan)
    assert check_plan_against(model, _rebuild(model, plan)).ok


def test_overrides_as_fixed_by_the_lead(hand: tuple[Path, Path]) -> None:
    data, scenario = hand
    scenario.write_text(
        "name: o\noverrides:\n"
        "  norm_multiplier: {'*': 2, ANES: 1.5}\n"
        "  posts: [{promotion: 2023, specialty: ANES, posts: 4}, "
        "{promotion: 2024, specialty: CHIR, posts: 1}]\n"
        "  contingent_size: [{contingent: CN, specialty: ANES, size: 0}]\n"
        "  priority_weight: {C: 3.5}\n"
        "  capacity: [{delegation: A, specialty: CHIR, max_new: 2}, "
        "{delegation: B, specialty: ANES, max_new: 1}]\n"
    )
    m = load_model(data, scenario)
    assert m.norm == {"ANES": 3.0, "CHIR": 2.0}  # specific replaces "*", no compounding
    assert m.posts == {("ANES", 2024): 3, ("ANES", 2023): 4, ("CHIR", 2024): 1}
    assert m.promotions == [2023, 2024]
    assert m.size[("CN", "ANES")] == 0 and m.size[("CN", "CHIR")] == 2
    assert m.weight == {"A": 1.0, "B": 2.0, "C": 3.5}
    assert m.cap == {("C", "ANES"): 1, ("A", "CHIR"): 2, ("B", "ANES"): 1}
    assert m.budget is None and m.absence_penalty == 4 and m.allocate_all


def test_selection_filters_intersect_and_promotion_drops_foreign(
    hand: tuple[Path, Path],
) -> None:
    data, scenario = hand
    scenario.write_text(
        "name: s\nconstraints:\n"
        "  - {region: N, delegation: [B, C], counts: all, max: 9}\n"
        "  - {specialty: CHIR, counts: all, promotion: 2024, min: 0}\n"
        "  - {region: S, counts: foreign, fix: 0}\n"
    )
    first, second, third = load_model(data, scenario).constraints
    assert first.delegations == {"B"} and first.name == "constraint #1"
    assert first.takes_post("B", "ANES", 2024) and first.takes_foreign("B", "ANES")
    assert second.takes_post("A", "CHIR", 2024) and not second.takes_foreign("A", "CHIR")
    assert not second.takes_post("A", "CHIR", 2023)
    assert third.lo == third.hi == 0 and not third.takes_post("C", "ANES", 2024)
    assert third.takes_foreign("C", "CHIR") and not third.takes_foreign("A", "CHIR")


def test_eligibility_expands_regions(hand: tuple[Path, Path]) -> None:
    assert load_model(*hand).elig["CN"] == {"B", "C"}


def test_distributions() -> None:
    assert sorted(distributions(2, [None, 1])) == [(1, 1), (2, 0)]
    assert list(distributions(0, [0, 0])) == [(0, 0)]
    assert list(distributions(1, [0, 0])) == []
    assert len(list(distributions(4, [None, None, None]))) == 15


def test_brute_force_hand_optimum(tmp_path: Path) -> None:
    """Two posts, A (t 2, w 1) and B (t 1, w 3): (1,1) costs 1, (2,0) 15, (0,2) 6.01."""
    files = {
        "regions.csv": "region_code,name_fr\nR,R\n",
        "delegations.csv": "delegation_code,name_fr,region_code,population,priority_weight\n"
                           "A,A,R,100000,1\nB,B,R,50000,3\n",
        "specialties.csv": "specialty_code,name_fr,norm_per_100k\nS,S,2\n",
        "posts.csv": "promotion,specialty_code,posts\n2024,S,2\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    model = load_model(tmp_path, None)
    result = brute_force(model)
    assert result.objective == pytest.approx(1.0)
    assert result.x == {("A", "S", 2024): 1, ("B", "S", 2024): 1}
    assert check_plan_against(model, build_plan(model, result.x, result.y)).ok


def test_brute_force_reports_infeasible(hand: tuple[Path, Path]) -> None:
    data, scenario = hand
    scenario.write_text("name: i\nconstraints:\n  - {specialty: ANES, max: 2}\n")
    assert not brute_force(load_model(data, scenario)).feasible


def test_brute_force_hand_instance_is_no_worse_than_hand_plan(hand: tuple[Path, Path]) -> None:
    model = load_model(*hand)
    result = brute_force(model)
    assert result.feasible and result.objective <= 14.037 + 1e-9
    assert check_plan_against(model, build_plan(model, result.x, result.y)).ok
