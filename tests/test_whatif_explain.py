"""`optimiser explain`: the conflicting rules, relaxations that work, and what constraints cost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tiny import dataset, scenario

from optimiser.data import load_dataset
from optimiser.inputs import build_inputs
from optimiser.pipeline import load_inputs, run_scenario
from optimiser.whatif.commands import explain_command
from optimiser.whatif.explain import apply_patch, explain, group_label
from optimiser.whatif.paths import read_document, scenario_file

SPEC = [("ANES", 2.0, 2, 1.0), ("GYN", 2.0, 1, 1.0)]
DELEGATIONS = [("D1", "R1", 100000, 1), ("D2", "R1", 100000, 1), ("D3", "R2", 100000, 1)]
CASES = Path(__file__).resolve().parents[2] / "shared" / "testcases"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"


def _explain(tmp_path, constraints=(), **tables):
    data = dataset(tmp_path / "d", delegations=DELEGATIONS, specialties=SPEC, **tables)
    sc = scenario(tmp_path / "s.yaml", constraints=list(constraints))
    inputs = load_inputs(data, sc)
    return data, sc, explain(inputs, read_document(sc))


def _feasible_after(data: Path, sc: Path, patch: dict) -> bool:
    doc = apply_patch(read_document(sc), patch)
    return run_scenario(build_inputs(load_dataset(data), scenario_file(doc, "patched"))) \
        .result.status.has_plan


def _alternative(e, label):
    return next(r for r in e.alternatives if [group_label(g) for g in r.groups] == [label])


def test_floor_above_total_posts(tmp_path):
    data, sc, e = _explain(tmp_path, [{"name": "r2-floor", "region": "R2", "min": 6}],
                           posts=[(2023, "ANES", 2), (2024, "ANES", 1), (2024, "GYN", 2)])
    assert e.status == "infeasible"
    assert {group_label(g) for g in e.conflict.groups} == {
        "scenario[r2-floor]", "posts[ANES,2023]", "posts[ANES,2024]", "posts[GYN,2024]"}
    floor = _alternative(e, "scenario[r2-floor]")
    assert floor.lines == ["lower `r2-floor` min from 6 to 5 (national posts in region R2 >= 6)"]
    assert floor.patch == {"constraints.r2-floor.min": 5}
    more = _alternative(e, "posts[GYN,2024]")
    assert more.patch == {"overrides.posts.GYN.2024": 3}
    for relax in e.alternatives:
        assert relax.verified is True
        assert _feasible_after(data, sc, relax.patch)
    assert e.least.total == 1


def test_capacity_below_posts(tmp_path):
    data, sc, e = _explain(tmp_path, posts=[(2024, "ANES", 40), (2024, "GYN", 1)],
                           capacity=[("D1", "ANES", 10), ("D2", "ANES", 10), ("D3", "ANES", 11)])
    assert {group_label(g) for g in e.conflict.groups} == {"capacity[ANES]", "posts[ANES,2024]"}
    cap = _alternative(e, "capacity[ANES]")
    assert cap.lines[0].startswith("raise hosting capacity for ANES in ")
    assert cap.total == 9
    for change in cap.changes:  # each raised limit is in the patch
        d = change.label.removeprefix("capacity[").split(",")[0]
        assert cap.patch[f"overrides.capacity.{d}.ANES"] == change.old + change.amount
    assert _feasible_after(data, sc, cap.patch)
    fewer = _alternative(e, "posts[ANES,2024]")
    assert fewer.patch == {"overrides.posts.ANES.2024": 31}
    assert _feasible_after(data, sc, fewer.patch)


def test_contingent_team_larger_than_its_size(tmp_path):
    contingent = {"contingent_code": "CN", "name": "Mission", "origin": "CN", "min_team": 3,
                  "max_sites": 1, "cost_per_doctor": 0, "eligible": ""}
    data, sc, e = _explain(tmp_path, [{"name": "need-foreign", "delegation": "D3",
                                       "counts": "foreign", "min": 1}],
                           posts=[(2024, "GYN", 1)], contingents=[contingent],
                           supply=[("CN", "ANES", 2)])
    assert {group_label(g) for g in e.conflict.groups} == {
        "scenario[need-foreign]", "team[CN]", "size[CN,ANES]"}
    size = _alternative(e, "size[CN,ANES]")
    assert size.patch == {"overrides.contingent_size.CN.ANES": 3} and size.verified
    team = _alternative(e, "team[CN]")
    assert team.needs_data_change and not team.patch
    assert team.lines == ["accept teams of 2 instead of 3 for contingent CN (min_team in "
                          "contingents.csv)"]
    assert _alternative(e, "scenario[need-foreign]").verified


def test_feasible_scenario_costs_of_constraints(tmp_path):
    """Two ANES posts; D1 (weight 3) would take both. A floor of one post in R2 costs the
    difference, and a harmless cap costs nothing."""
    data = dataset(tmp_path / "d", delegations=[("D1", "R1", 300000, 3), ("D2", "R1", 100000, 1),
                                                ("D3", "R2", 100000, 1)],
                   specialties=SPEC, posts=[(2024, "ANES", 2)],
                   workforce=[("D1", "ANES", 2, 0), ("D2", "ANES", 2, 0), ("D3", "ANES", 2, 0)])
    sc = scenario(tmp_path / "s.yaml", constraints=[
        {"name": "r2-floor", "region": "R2", "min": 1}, {"name": "cap", "region": "R1", "max": 9}])
    inputs = load_inputs(data, sc)
    e = explain(inputs)
    costs = {b["name"]: b for b in e.binding}
    with_floor = run_scenario(inputs).plan.objective
    without = run_scenario(load_inputs(data, scenario(tmp_path / "n.yaml", constraints=[
        {"name": "cap", "region": "R1", "max": 9}]))).plan.objective
    assert costs["r2-floor"]["cost"] == pytest.approx(with_floor - without, abs=1e-9)
    assert costs["r2-floor"]["binding"] and costs["r2-floor"]["at_bound"]
    assert costs["cap"]["cost"] == pytest.approx(0, abs=1e-9) and not costs["cap"]["binding"]


def test_cli_exit_codes_and_json(tmp_path):
    data = dataset(tmp_path / "d", delegations=DELEGATIONS, specialties=SPEC,
                   posts=[(2024, "ANES", 3)])
    bad = scenario(tmp_path / "bad.yaml", constraints=[
        {"name": "d1-anes", "delegation": "D1", "specialty": "ANES", "min": 2},
        {"name": "r1-cap", "region": "R1", "max": 1}])
    runner = CliRunner()
    result = runner.invoke(explain_command, [str(bad), "--data", str(data),
                                             "--json", str(tmp_path / "e.json")])
    assert result.exit_code == 3, result.output
    assert "lower `d1-anes` min from 2 to 1" in result.output
    assert "raise `r1-cap` max from 1 to 2" in result.output
    doc = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert doc["status"] == "infeasible" and len(doc["alternatives"]) == 2
    good = scenario(tmp_path / "good.yaml", constraints=[{"name": "r1-cap", "region": "R1",
                                                          "max": 1}])
    result = runner.invoke(explain_command, [str(good), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "r1-cap" in result.output
    result = runner.invoke(explain_command, [str(tmp_path / "nothing.yaml"), "--data", str(data)])
    assert result.exit_code == 2


def test_example_dataset(tmp_path):
    sc = scenario(tmp_path / "s.yaml", constraints=[{"name": "sm-floor", "region": "SM",
                                                     "min": 25}])
    result = CliRunner().invoke(explain_command, [str(sc), "--data", str(EXAMPLE)])
    assert result.exit_code == 3, result.output
    # SM is Tata alone: 20 posts fit (ANES and PED are capped at 2 and 1 there)
    assert "lower `sm-floor` min from 25 to 20" in result.output


@pytest.mark.skipif(not CASES.is_dir(), reason="public cases not present")
def test_public_infeasible_case():
    case = CASES / "case-104-infeasible"
    result = CliRunner().invoke(explain_command, [str(case / "scenario.yaml"), "--data",
                                                  str(case)])
    assert result.exit_code == 3, result.output
    assert "raise `c2` max from 1 to 35" in result.output
    assert "verified" in result.output
