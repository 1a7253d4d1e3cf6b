"""Bad input: exit status 2, every error named by file, line and column, and nothing written."""

from __future__ import annotations

import shutil

import pytest
from tiny import edit_file, scenario, solve, valid_dataset

# (description, file, edit (old, new) or None to delete, expected "file:line" and column)
DATA_CASES = [
    ("unknown region code", "delegations.csv",
     ("D2,Délégation D2,إقليم,R2", "D2,Délégation D2,إقليم,R9"),
     "delegations.csv:3", "region_code"),
    ("duplicate key", "posts.csv", ("2023,GYN,1", "2024,ANES,1"), "posts.csv:3", "specialty_code"),
    ("negative count", "capacity.csv", ("D2,GYN,2", "D2,GYN,-2"), "capacity.csv:2", "max_new"),
    ("not a number", "delegations.csv", ("100000", "lots"), "delegations.csv:2", "population"),
    ("fraction where a count is due", "posts.csv", ("2024,ANES,2", "2024,ANES,2.5"),
     "posts.csv:2", "posts"),
    ("departures above current", "workforce.csv", ("D1,ANES,3,1", "D1,ANES,3,4"),
     "workforce.csv:2", "departures"),
    ("bad eligible code", "contingents.csv", (",R2", ",R2;NOWHERE"), "contingents.csv:2",
     "eligible"),
    ("unknown specialty in supply", "contingent_supply.csv", ("CN,ANES", "CN,CARDIO"),
     "contingent_supply.csv:2", "specialty_code"),
    ("missing required column", "specialties.csv", ("norm_per_100k", "norm"),
     "specialties.csv:1", "norm_per_100k"),
    ("empty required cell", "specialties.csv", ("ANES,ANES,2.0", "ANES,ANES,"),
     "specialties.csv:2", "norm_per_100k"),
    ("bad code characters", "regions.csv", ("R1,", "R 1,"), "regions.csv:2", "region_code"),
    ("missing required file", "posts.csv", None, "posts.csv", None),
    ("supply file missing", "contingent_supply.csv", None, "contingent_supply.csv", None),
]


@pytest.mark.parametrize(("file", "edit", "where", "column"),
                         [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES])
def test_bad_dataset(tmp_path, file, edit, where, column):
    data = valid_dataset(tmp_path / "data")
    if edit is None:
        (data / file).unlink()
    else:
        edit_file(data / file, *edit)
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("previous plan", encoding="utf-8")
    code, output, _ = solve(data, None, out)
    assert code == 2, output
    assert where in output
    if column is not None:
        assert f"column '{column}'" in output
    assert [p.name for p in out.iterdir()] == ["plan.json"]
    assert (out / "plan.json").read_text(encoding="utf-8") == "previous plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no temp folder left


def test_every_error_is_reported_at_once(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "delegations.csv", "100000", "-5")
    edit_file(data / "workforce.csv", "D1,ANES,3,1", "D1,ANES,3,4")
    edit_file(data / "posts.csv", "2023,GYN", "2023,XXX")
    sc = scenario(tmp_path / "s.yaml", parameters={"absence_penalty": -1})
    code, output, _ = solve(data, sc, tmp_path / "out")
    assert code == 2
    for where in ("delegations.csv:2", "workforce.csv:2", "posts.csv:3", "s.yaml:3"):
        assert where in output, output
    assert not (tmp_path / "out").exists()


def test_non_utf8_file_names_the_line(tmp_path):
    data = valid_dataset(tmp_path / "data")
    path = data / "regions.csv"
    latin1 = "R\xe9gion R2".encode("latin-1")
    path.write_bytes(path.read_bytes().replace("Région R2".encode(), latin1))
    code, output, _ = solve(data, None, tmp_path / "out")
    assert code == 2
    assert "regions.csv:3" in output and "not UTF-8" in output


SCENARIO_CASES = [
    ("unknown key", {"parameters": {"absence_penalty": 4, "speed": 3}}, 4, "parameters.speed"),
    ("unknown code", {"constraints": [{"region": "R1", "specialty": "CARDIO", "min": 1}]}, 4,
     "constraints.0.specialty"),
    ("min above max", {"constraints": [{"name": "c", "region": "R1", "min": 3, "max": 2}]}, 3,
     "constraints.0"),
    ("promotion with foreign", {"constraints": [{"promotion": 2024, "counts": "foreign",
                                                 "max": 1}]}, 3, "constraints.0"),
    ("selection matches nothing", {"constraints": [{"region": "R1", "delegation": "D2", "min": 1}]},
     3, "constraints.0"),
    ("unknown promotion", {"constraints": [{"promotion": 2019, "max": 1}]}, 3,
     "constraints.0.promotion"),
    ("bad solver", {"parameters": {"solver": "gurobi"}}, 3, "parameters.solver"),
    ("override of unknown delegation", {"overrides": {"priority_weight": {"D9": 2}}}, 4,
     "overrides.priority_weight.D9"),
    ("conflicting overrides", {"overrides": {"posts": [
        {"promotion": 2024, "specialty": "ANES", "posts": 1},
        {"promotion": 2024, "specialty": "ANES", "posts": 2}]}}, 7, "overrides.posts.1"),
]


@pytest.mark.parametrize(("content", "line", "key"), [c[1:] for c in SCENARIO_CASES],
                         ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario(tmp_path, content, line, key):
    data = valid_dataset(tmp_path / "data")
    sc = scenario(tmp_path / "s.yaml", **content)
    code, output, _ = solve(data, sc, tmp_path / "out")
    assert code == 2, output
    assert f"s.yaml:{line}" in output, (output, sc.read_text())
    assert f"column '{key}'" in output
    assert not (tmp_path / "out").exists()


def test_invalid_yaml(tmp_path):
    data = valid_dataset(tmp_path / "data")
    sc = tmp_path / "s.yaml"
    sc.write_text("name: x\nconstraints:\n  - {region: R1, min: 1\n", encoding="utf-8")
    code, output, _ = solve(data, sc, tmp_path / "out")
    assert code == 2
    assert "not valid YAML" in output and "s.yaml:" in output


def test_arabic_names_round_trip(tmp_path):
    data = valid_dataset(tmp_path / "data")
    code, output, plan = solve(data, None, tmp_path / "out")
    assert code == 0, output
    names = {row["delegation"]: row["name_ar"] for row in plan["delegation_info"]}
    assert names == {"D1": "إقليم", "D2": "إقليم"}
    text = (tmp_path / "out" / "plan.json").read_text(encoding="utf-8")
    assert "إقليم" in text  # written as UTF-8, not \u escapes
    shutil.rmtree(tmp_path / "out")
