"""`optimiser compare`: identical scenarios show no change; a floor shows exactly who moves."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from tiny import dataset, scenario, solve

from optimiser.whatif.commands import compare_command
from optimiser.whatif.compare import KEYS, compare, load_sides

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
SPEC = [("S", 2.0, 1, 1.0), ("T", 2.0, 1, 1.0)]


def _floor_instance(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two S posts: D1 (weight 2) takes both; a floor of one post in R2 moves one to D2.

    Each S post is worth 2 at D1 and 1 at D2 (both below target); D3 is at its S target. D3 gets
    the T post in both plans (D1 and D2 already have T at target), so it never moves.
    """
    data = dataset(tmp_path / "d",
                   delegations=[("D1", "R1", 300000, 2), ("D2", "R2", 100000, 1),
                                ("D3", "R3", 100000, 1)],
                   specialties=SPEC, posts=[(2024, "S", 2), (2024, "T", 1)],
                   workforce=[("D1", "S", 1, 0), ("D2", "S", 1, 0), ("D3", "S", 2, 0),
                              ("D1", "T", 6, 0), ("D2", "T", 2, 0)])
    base = scenario(tmp_path / "base.yaml", name="base")
    floor = scenario(tmp_path / "floor.yaml", name="floor",
                     constraints=[{"name": "r2-floor", "region": "R2", "min": 1}])
    return data, base, floor


def test_a_scenario_compared_with_itself_shows_no_change(tmp_path):
    data, base, _ = _floor_instance(tmp_path)
    c = compare(load_sides([base, base], data))
    assert c.names == ["base", "base#2"]
    assert c.delegation_changes.empty and c.foreign_changes.empty
    for frame in (c.summary, c.by_region, c.by_specialty):
        assert (frame["base"].astype(str) == frame["base#2"].astype(str)).all()


def test_an_extra_floor_shows_exactly_the_delegations_forced_to_change(tmp_path):
    data, base, floor = _floor_instance(tmp_path)
    c = compare(load_sides([base, floor], data))
    moved = {(r.delegation, r.specialty, r.metric): (r.base, r.floor)
             for r in c.delegation_changes.itertuples()}
    assert moved == {("D1", "S", "posts"): (2, 1), ("D2", "S", "posts"): (0, 1)}
    region = c.by_region.set_index(["region", "metric"])
    assert region.loc[("R2", "posts"), "floor"] == 1 and region.loc[("R2", "posts"), "base"] == 0
    objective = c.summary.set_index("metric").loc["objective"]
    assert objective["floor"] > objective["base"]


def test_plan_folders_and_scenarios_mix(tmp_path):
    data, base, floor = _floor_instance(tmp_path)
    code, output, _ = solve(data, floor, tmp_path / "floor-plan")
    assert code == 0, output
    c = compare(load_sides([floor, tmp_path / "floor-plan"], data))
    assert c.delegation_changes.empty
    summary = c.summary.set_index("metric")
    assert summary.loc["objective", "floor"] == summary.loc["objective", "floor#2"]


def test_cli_writes_csv_and_json_with_override_logs(tmp_path):
    data, base, _ = _floor_instance(tmp_path)
    other = scenario(tmp_path / "more.yaml", name="more-s",
                     overrides={"norm_multiplier": {"S": 1.5}})
    out = tmp_path / "cmp"
    result = CliRunner().invoke(compare_command, [str(base), str(other), "--data", str(data),
                                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "override norm_per_100k[S]: 2 -> 3 (norm_multiplier 1.5)" in result.output
    header = (out / "comparison.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [*KEYS, "base", "more-s"]
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert doc["base"] == "base"
    assert doc["scenarios"][1]["overrides_log"] == [
        "norm_per_100k[S]: 2 -> 3 (norm_multiplier 1.5)"]
    assert {"summary", "by_region", "by_specialty", "delegation_changes",
            "foreign_changes"} <= set(doc)


def test_cli_example_dataset_and_exit_codes(tmp_path):
    tight = scenario(tmp_path / "tight.yaml", name="tight",
                     constraints=[{"name": "dt-floor", "region": "DT", "min": 15},
                                  {"name": "cn-off", "counts": "foreign", "fix": 0}])
    impossible = scenario(tmp_path / "impossible.yaml", name="impossible",
                          constraints=[{"name": "floor", "region": "SM", "min": 100}])
    runner = CliRunner()
    ok = runner.invoke(compare_command, [str(tight), str(tight), "--data", str(EXAMPLE),
                                         "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    assert "No delegation's allocation changes." in ok.output
    infeasible = runner.invoke(compare_command, [str(tight), str(impossible), "--data",
                                                 str(EXAMPLE), "--out", str(tmp_path / "b")])
    assert infeasible.exit_code == 3, infeasible.output
    assert "infeasible" in (tmp_path / "b" / "comparison.csv").read_text(encoding="utf-8")
    bad = runner.invoke(compare_command, [str(tmp_path / "missing.yaml"), str(tight)])
    assert bad.exit_code == 2 and "no such file" in bad.output
