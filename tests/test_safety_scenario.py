"""Scenarios and derived numbers never crash, never run away, never answer wrongly with exit 0.

One test (or one parametrised table) per class of hostile or broken input: each is exit 2
with a clean issue (file, line, key, value, message) and nothing written. Attacks that ate
gigabytes before the fix run in a subprocess under a memory cap, so that a regression fails
the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from tiny import dataset, scenario, solve

from optimiser.cli import main

ROOT = Path(__file__).resolve().parents[1]
MEMORY_CAP = 1536 * 2**20
"""Address space of a subprocess attack: a normal solve fits, a 10^9-point grid does not."""
CODE_WORDS = "starts with a letter or digit"


def _data(folder: Path, norm: float = 2.0, population: int = 100000,
          priority: float = 1.0, weight: float = 1.0, cost: float = 10) -> Path:
    """The two-delegation dataset of test_bad_input, with the numbers an attack scales."""
    return dataset(
        folder,
        delegations=[("D1", "R1", population, priority), ("D2", "R2", 50000, 1.5)],
        specialties=[("ANES", norm, 2, weight), ("GYN", 3.0, 1, 1.0)],
        posts=[(2024, "ANES", 2), (2023, "GYN", 1)],
        workforce=[("D1", "ANES", 3, 1)],
        capacity=[("D2", "GYN", 2)],
        contingents=[{"contingent_code": "CN", "name": "Mission", "origin": "CN", "min_team": 1,
                      "max_sites": 2, "cost_per_doctor": cost, "eligible": "R2"}],
        supply=[("CN", "ANES", 2)],
    )


def _refused(tmp_path: Path, code: int, output: str, *words: str) -> None:
    """Exit 2, every word in the message, no traceback, and nothing written."""
    assert code == 2, output
    for word in words:
        assert word in output, output
    assert "Traceback" not in output and "should match pattern" not in output, output
    assert not (tmp_path / "out").exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith((".", "tmp"))]
    assert not leftovers, leftovers


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _cli(*args: str, timeout: float = 120) -> tuple[int, str]:
    """`python -m optimiser ARGS` under a memory cap and a time limit."""
    done = subprocess.run([sys.executable, "-m", "optimiser", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout, preexec_fn=_limited,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done.returncode, done.stdout + done.stderr


# ----------------------------------------------------------------- 1. reading is bounded

BOMB = "name: bomb\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))


def test_device_is_refused_without_reading(tmp_path):
    code, output = _cli("solve", "--scenario", "/dev/zero", "--out", str(tmp_path / "out"),
                        "--quiet", "--no-report")
    _refused(tmp_path, code, output, "/dev/zero", "not a regular file: a character device")


def test_fifo_is_never_opened(tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    code, output = _cli("solve", "--scenario", str(fifo), "--out", str(tmp_path / "out"),
                        "--quiet", "--no-report", timeout=60)
    assert code == 2 and "not a regular file: a named pipe (FIFO)" in output, output


def test_folder_is_refused(tmp_path):
    (tmp_path / "s.yaml").mkdir()
    code, output, _ = solve(_data(tmp_path / "data"), tmp_path / "s.yaml", tmp_path / "out")
    _refused(tmp_path, code, output, "not a regular file: a folder")


def test_file_above_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMISER_MAX_SCENARIO_KB", "1")
    sc = scenario(tmp_path / "s.yaml", description="x" * 2000)
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, "scenario file size", "OPTIMISER_MAX_SCENARIO_KB")


def test_alias_bomb_is_refused_before_expanding(tmp_path):
    assert len(BOMB) < 600
    sc = tmp_path / "s.yaml"
    sc.write_text(BOMB, encoding="utf-8")
    code, output = _cli("solve", "--scenario", str(sc), "--out", str(tmp_path / "out"),
                        "--quiet", "--no-report")
    _refused(tmp_path, code, output, "after expanding aliases", "OPTIMISER_MAX_YAML_NODES")


@pytest.mark.parametrize("text", ["[" * 100_000, "{a: " * 50_000 + "1" + "}" * 50_000,
                                  "- " * 10_000 + "x\n"], ids=["flow", "mapping", "block"])
def test_deep_nesting(tmp_path, text):
    sc = tmp_path / "s.yaml"
    sc.write_text(text, encoding="utf-8")
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, "nesting", "OPTIMISER_MAX_YAML_DEPTH")


def test_recursive_alias(tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text("name: x\nconstraints: &a [*a]\n", encoding="utf-8")
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, "s.yaml:2", "contains it")


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "python"])
def test_yaml_limits_hold_with_both_parsers(monkeypatch, pure_python):
    """Depth counts through aliases; size counts alias expansion without expanding."""
    from optimiser import yamlread as reader
    from optimiser.errors import InputError

    if pure_python:
        monkeypatch.setattr(reader, "_LOADER", yaml.SafeLoader)
    deep = "[" * 24 + "1" + "]" * 24
    assert reader.load_yaml(f"x: &a {deep}\ny: [[[[*a ]]]]\n", "s")[0]["y"]
    for text, words in [(f"x: &a {deep}\ny: {'[' * 12}*a {']' * 12}\n", "nesting"),
                        (BOMB, "expanding aliases"), ("[" * 100_000, "nesting"),
                        ("x: " + "1" * 5000, "digits")]:
        with pytest.raises(InputError, match=words):
            reader.load_yaml(text, "s")


def test_too_many_constraints(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMISER_MAX_CONSTRAINTS", "3")
    sc = scenario(tmp_path / "s.yaml", constraints=[{"max": 9}] * 4)
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, "column 'constraints'", "OPTIMISER_MAX_CONSTRAINTS")


# ------------------------------------------------------------ 2. integers, bounds, codes

WHOLE = "expected a whole number from 0 to 1,000,000,000"
YEAR = "expected a promotion year from 1900 to 2200"
CASES = [
    ("posts beyond int64", {"overrides": {"posts": [
        {"promotion": 2024, "specialty": "ANES", "posts": 10**30}]}},
     "overrides.posts.0.posts", WHOLE),
    ("posts above 10^9", {"overrides": {"posts": [
        {"promotion": 2024, "specialty": "ANES", "posts": 10**9 + 1}]}},
     "overrides.posts.0.posts", WHOLE),
    ("max_new beyond int64", {"overrides": {"capacity": [
        {"delegation": "D1", "specialty": "ANES", "max_new": 2**63}]}},
     "overrides.capacity.0.max_new", WHOLE),
    ("size as a huge float", {"overrides": {"contingent_size": [
        {"contingent": "CN", "specialty": "ANES", "size": 1e30}]}},
     "overrides.contingent_size.0.size", WHOLE),
    ("count given as true", {"overrides": {"posts": [
        {"promotion": 2024, "specialty": "ANES", "posts": True}]}},
     "overrides.posts.0.posts", WHOLE),
    ("promotion beyond int64", {"overrides": {"posts": [
        {"promotion": 10**20, "specialty": "ANES", "posts": 1}]}},
     "overrides.posts.0.promotion", YEAR),
    ("promotion of a constraint", {"constraints": [{"promotion": 1800, "max": 1}]},
     "constraints.0.promotion.0", YEAR),
    ("min beyond int64", {"constraints": [{"region": "R1", "min": 10**20}]},
     "constraints.0.min", WHOLE),
    ("fix not whole", {"constraints": [{"region": "R1", "fix": 0.5}]}, "constraints.0.fix",
     WHOLE),
    ("max negative", {"constraints": [{"region": "R1", "max": -1}]}, "constraints.0.max",
     WHOLE),
    ("absence_penalty 1e308", {"parameters": {"absence_penalty": 1e308}},
     "parameters.absence_penalty", "expected a number from 0 to 1,000,000"),
    ("absence_penalty infinite", {"parameters": {"absence_penalty": float("inf")}},
     "parameters.absence_penalty", "expected a number from 0 to 1,000,000"),
    ("norm_multiplier above 1e6", {"overrides": {"norm_multiplier": {"ANES": 1e7}}},
     "overrides.norm_multiplier.ANES", "expected a number from 0 to 1,000,000"),
    ("priority_weight 1e300", {"overrides": {"priority_weight": {"D1": 1e300}}},
     "overrides.priority_weight.D1", "expected a number from 0 to 1,000,000"),
    ("budget above 1e15", {"parameters": {"budget": 1e16}}, "parameters.budget",
     "expected an amount from 0 to 1,000,000,000,000,000"),
    ("time limit above 7 days", {"parameters": {"time_limit_s": 1e9}},
     "parameters.time_limit_s", "expected seconds from 0 to 604,800"),
    ("mip_gap not a number", {"parameters": {"mip_gap": float("nan")}}, "parameters.mip_gap",
     "expected a fraction from 0 to 1"),
    ("name of 250 characters", {"name": "x" * 250}, "name", "at most 100 characters"),
    ("code starting with a dash", {"constraints": [{"specialty": "-ANES", "max": 1}]},
     "constraints.0.specialty.0", CODE_WORDS),
    ("non-ASCII code", {"overrides": {"priority_weight": {"DÉL": 2}}},
     "overrides.priority_weight.DÉL", CODE_WORDS),
    ("scenario name with a slash", {"name": "../up"}, "name", CODE_WORDS),
]


@pytest.mark.parametrize(("content", "key", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_out_of_range_scenario_values(tmp_path, content, key, message):
    sc = scenario(tmp_path / "s.yaml", **content)
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, f"column '{key}'", message)


def test_constraint_names_differ(tmp_path):
    """Two rows under one name: one of them was dropped from the LP that gives shadow costs
    (its handle overwritten), so the duals were those of another problem."""
    sc = scenario(tmp_path / "s.yaml", constraints=[{"name": "a", "min": 1}, {"max": 3},
                                                    {"name": "a", "max": 2},
                                                    {"name": "constraint-2", "max": 3}])
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, "column 'constraints.2.name' = 'a'",
             "column 'constraints.3.name' = 'constraint-2'", "also constraints.1")


def test_whole_bound_written_as_float_is_accepted(tmp_path):
    sc = scenario(tmp_path / "s.yaml", constraints=[{"name": "all", "fix": 3.0}])
    code, output, plan = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    assert code == 0, output
    [row] = plan["scenario_constraints"]
    assert (row["min"], row["max"], row["value"]) == (3, 3, 3)


# ---------------------------------------------------------------- 3. derived numbers

DERIVED = [
    ("target: norm x multiplier x population", {"norm": 1000, "population": 10**9},
     {"overrides": {"norm_multiplier": {"ANES": 1e6}}}, "overrides.norm_multiplier.ANES",
     ["norm_per_100k[ANES] = 1000", "norm_multiplier 1000000", "population[D1]",
      "gives a target of 1e+13 in D1, ANES"]),
    ("coefficient: priority weight x weight x penalty", {"weight": 1000},
     {"overrides": {"priority_weight": {"D1": 1e6}}, "parameters": {"absence_penalty": 1e6}},
     "overrides.priority_weight.D1",
     ["priority_weight[D1] = 1000000", "weight[ANES] = 1000", "absence_penalty 1000000",
      "objective coefficient"]),
    ("cost x size with a budget", {"cost": 1e9},
     {"overrides": {"contingent_size": [{"contingent": "CN", "specialty": "ANES",
                                         "size": 10**6}]}, "parameters": {"budget": 1e15}},
     "overrides.contingent_size.0.size",
     ["cost_per_doctor[CN] = 1000000000", "contingent_size[CN,ANES] = 1,000,000",
      "gives a cost of 1e+15"]),
    ("penalty 1e308", {}, {"parameters": {"absence_penalty": 1e308}},
     "parameters.absence_penalty", []),
    ("priority weight override 1e300", {}, {"overrides": {"priority_weight": {"D1": 1e300}}},
     "overrides.priority_weight.D1", []),
]


@pytest.mark.parametrize(("data", "content", "key", "words"), [c[1:] for c in DERIVED],
                         ids=[c[0] for c in DERIVED])
def test_derived_numbers_stay_in_range(tmp_path, data, content, key, words):
    sc = scenario(tmp_path / "s.yaml", **content)
    code, output, _ = solve(_data(tmp_path / "data", **data), sc, tmp_path / "out")
    _refused(tmp_path, code, output, f"column '{key}'", *words)
    assert "nan" not in output.lower().replace("name", "")


def test_derived_number_from_the_dataset_names_the_file(tmp_path):
    """No scenario key involved: the issue points at the dataset column."""
    data = _data(tmp_path / "data", priority=1e6, weight=1e6)
    code, output, _ = solve(data, None, tmp_path / "out")
    _refused(tmp_path, code, output, "delegations.csv", "column 'priority_weight'",
             "w*imp*(1+A) of 5e+12 in D1, ANES")


# ----------------------------------------------------- 4. constraint count and speed

def _scan(table: pd.DataFrame, sel: object) -> np.ndarray:
    return (table["delegation"].isin(sel.delegations)  # type: ignore[attr-defined]
            & table["specialty"].isin(sel.specialties)).to_numpy()  # type: ignore[attr-defined]


def test_selection_rows_agree_with_a_scan(tmp_path):
    """The vectorised row lookup equals the obvious per-selection scan (literal model: x by
    promotion, y by contingent; every counts kind and promotion filters); so do the plan's
    achieved values."""
    from benchmarks.constraints import random_constraints
    from optimiser.model import BuildOptions, build_model
    from optimiser.model.constraints import selection_rows
    from optimiser.pipeline import load_inputs, run_scenario

    cons = random_constraints(60, seed=7, promotions=True)
    for i, con in enumerate(cons):
        if i % 4 == 0 and "promotion" in con:
            con["promotion"] = [2023, 2024]
        if i % 5 == 0:
            con.update(counts="foreign")
            con.pop("promotion", None)
    sc = scenario(tmp_path / "s.yaml", constraints=cons)
    inputs = load_inputs(None, sc)
    model = build_model(inputs, BuildOptions())
    x, y = model.x, model.y
    for sel, (rows_x, rows_y) in zip(inputs.selections, selection_rows(inputs, x, y),
                                     strict=True):
        want_x = _scan(x, sel) & (sel.counts in ("posts", "all"))
        if sel.promotions is not None:
            want_x &= x["promotion"].isin(sel.promotions).to_numpy()
        want_y = _scan(y, sel) & (sel.counts in ("foreign", "all") and sel.promotions is None)
        assert rows_x.tolist() == np.flatnonzero(want_x).tolist(), sel
        assert rows_y.tolist() == np.flatnonzero(want_y).tolist(), sel
    run = run_scenario(inputs)
    x = run.model.x.assign(posts=run.result.x)
    y = run.model.y.assign(doctors=run.result.y)
    for sel, row in zip(inputs.selections, run.plan.scenario_values, strict=True):
        want = int(x.loc[_scan(x, sel) & (sel.counts != "foreign") & (
            x["promotion"].isin(sel.promotions) if sel.promotions else True), "posts"].sum())
        if sel.counts != "posts" and sel.promotions is None:
            want += int(y.loc[_scan(y, sel), "doctors"].sum())
        assert row["value"] == want, sel


def test_ten_thousand_constraints_are_solved_and_priced(tmp_path):
    """Read, resolve, build, solve, tabulate and price 10,000 constraints (timed in
    benchmarks/constraints.py: a scan of the model's tables per constraint, three times, once
    took over a minute)."""
    from benchmarks.constraints import random_constraints
    from optimiser.pipeline import load_inputs, run_scenario
    from optimiser.whatif.sensitivity import compute_sensitivity

    sc = scenario(tmp_path / "s.yaml", constraints=random_constraints(10_000))
    inputs = load_inputs(None, sc)
    run = run_scenario(inputs)
    sensitivity = compute_sensitivity(inputs, run)
    assert run.result.status.value == "optimal"
    assert len(run.plan.scenario_values) == 10_000
    assert len(sensitivity["scenario_constraints"]) == 10_000


# ---------------------------------------------------------------------- 5. sweep grid

def test_sweep_range_is_counted_before_it_is_built(tmp_path):
    sc = scenario(tmp_path / "s.yaml", constraints=[{"name": "x", "region": "R1", "min": 0}])
    code, output = _cli("sweep", str(sc), "--data", str(_data(tmp_path / "data")),
                        "--vary", "constraints.x.min=0:1000000000:1",
                        "--out", str(tmp_path / "out"), "--quiet", timeout=60)
    assert code == 2, output
    assert "1,000,000,001 points" in output and "OPTIMISER_MAX_SWEEP_POINTS" in output, output
    assert not (tmp_path / "out").exists()


def test_sweep_values_and_grid_size(monkeypatch):
    from optimiser.whatif.paths import PathError, Vary, grid_size, parse_values

    for text in ("0:1e400:1", "0:1e300:1e-300", "0:10:0", "[[[[1]]]]", "{a: 1}"):
        with pytest.raises(PathError):
            parse_values(text)
    assert parse_values("10:0:-5") == [10, 5, 0]
    assert parse_values("0:1:0.25") == [0.0, 0.25, 0.5, 0.75, 1.0]
    thousand = Vary("a", tuple(range(1000)))
    assert grid_size((thousand,)) == 1000
    with pytest.raises(PathError, match="1,000,000 points"):
        grid_size((thousand, Vary("b", tuple(range(1000)))))
    monkeypatch.setenv("OPTIMISER_MAX_SWEEP_POINTS", "3")
    with pytest.raises(PathError, match="OPTIMISER_MAX_SWEEP_POINTS"):
        parse_values("1,2,3,4")
    assert parse_values("1,2,3") == [1, 2, 3]


# --------------------------------------------------------------------------- 6. hints

@pytest.mark.parametrize(("constraint", "line", "patch"), [
    ({"name": "nothing", "max": 0}, "raise `nothing` max from 0 to 3",
     {"constraints.nothing.max": 3}),
    ({"name": "huge", "region": "R1", "min": 10**6}, "lower `huge` min from 1 000 000 to 3",
     {"constraints.huge.min": 3}),
], ids=["zero", "million"])
def test_hints_are_whole_numbers(tmp_path, constraint, line, patch):
    """`-0` came from PuLP's stored constant of a zero bound, `1e+06` from `:g`."""
    sc = scenario(tmp_path / "s.yaml", constraints=[constraint])
    report = tmp_path / "explain.json"
    result = CliRunner().invoke(main, ["explain", str(sc), "--data",
                                       str(_data(tmp_path / "data")), "--json", str(report)])
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert line in output, output
    assert "-0 " not in output and "e+0" not in output, output
    least = json.loads(report.read_text(encoding="utf-8"))["least_total_relaxation"]
    assert least["scenario_patch"] == patch
    assert all(isinstance(v, int) for v in least["scenario_patch"].values())


def test_control_characters_in_scenario_text_are_refused(tmp_path):
    """A description or constraint name goes into the workbook, which refuses ESC or a bell:
    refused at load with its line, not an IllegalCharacterError after the solve."""
    sc = tmp_path / "s.yaml"
    sc.write_text('name: ctl\ndescription: "red \\x1b[31m text"\nconstraints:\n'
                  '- {name: "a\\x07b", region: R1, min: 0}\n', encoding="utf-8")
    code, output, _ = solve(_data(tmp_path / "data"), sc, tmp_path / "out")
    _refused(tmp_path, code, output, "s.yaml:2", "s.yaml:4", "control character")
    sc.write_text("name: ok\ndescription: |\n  two lines\n  of text\n", encoding="utf-8")
    code, output, _ = solve(_data(tmp_path / "data2"), sc, tmp_path / "out")
    assert code == 0, output
