"""`optimiser simulate` (UPTAKE.md): the draws, where p comes from, and what is refused.

The simulated mean is checked against an exact expectation computed independently
(simulate_support.exact_mean: each row's binomial law enumerated; rows are independent, so the
expectation of the sum is the sum of the rows' expectations); with every p = 1 the simulation
must give back the plan's own unmet need; the same seed gives the same bytes whatever the
chunking. The report section is tested in test_simulate_report.py.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from simulate_support import (
    UPTAKE,
    exact_mean,
    inject_p,
    meta,
    random_p,
    read_out,
    row_cost,
    run,
    solve_example,
)

from optimiser.cli import main
from optimiser.simulate import BLOCK_DRAWS, exact_expectation, simulate
from optimiser.simulate_inputs import SimulationInputs, load_inputs


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example dataset's plan, solved once for the module."""
    return solve_example(tmp_path_factory.mktemp("solved") / "plan")


@pytest.fixture()
def plan(solved: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(solved, folder)
    return folder


# -- the simulation --------------------------------------------------------------------------

def test_every_p_one_gives_back_the_plan(plan: Path) -> None:
    result = run(plan, "--draws", 500)
    assert result.exit_code == 0, result.output
    assert "every post is taken up (p = 1)" in " ".join(result.output.split())
    document, table = read_out(plan / "simulation")
    data = meta(plan)
    after = data["unmet_need"]["after"]
    for key in ("mean", "p05", "p50", "p95"):
        assert document["unmet_need"][key] == pytest.approx(after, abs=1e-7)
    assert document["unmet_need"]["std_error"] == 0.0
    posts = data["totals"]["posts_allocated"]
    assert document["posts_taken_up"] == {"mean": posts, "p05": posts, "p95": posts}
    penalty = data["parameters"]["absence_penalty"]
    rows = data["delegations"]
    expected = [row_cost(r, r["posts"], penalty) for r in rows]
    assert table["mean_unmet_need"].to_numpy() == pytest.approx(expected, abs=1e-8)
    assert table["mean_arrivals"].tolist() == [r["posts"] for r in rows]
    assert table[table["posts"] > 0]["p_none_arrive"].eq(0).all()
    assert table[table["posts"] == 0]["p_none_arrive"].isna().all()


def test_explicit_p_one_in_the_plan_is_the_plan(plan: Path) -> None:
    inject_p(plan, 1.0)
    inputs = load_inputs(plan)
    sim = simulate(inputs, 50, 3)
    assert inputs.p_source == "plan.json"
    assert np.all(sim.unmet == sim.unmet[0])
    assert sim.unmet[0] == pytest.approx(meta(plan)["unmet_need"]["after"], abs=1e-7)
    assert sim.exact_mean == pytest.approx(meta(plan)["unmet_need"]["after"], abs=1e-7)


def test_mean_agrees_with_the_exact_expectation(plan: Path) -> None:
    p = random_p(plan)
    inject_p(plan, p)
    result = run(plan, "--draws", 20_000, "--seed", 11)
    assert result.exit_code == 0, result.output
    document, table = read_out(plan / "simulation")
    data = meta(plan)
    rows = data["delegations"]
    probabilities = [r["p_accept"] for r in rows]
    exact = exact_mean(rows, probabilities, data["parameters"]["absence_penalty"])
    unmet = document["unmet_need"]
    assert unmet["std_error"] > 0
    assert abs(unmet["mean"] - exact) <= 3 * unmet["std_error"], (unmet, exact)
    assert document["exact_expected_unmet_need"] == pytest.approx(exact, rel=1e-9)
    assert unmet["p05"] <= unmet["p50"] <= unmet["p95"]
    assert unmet["p05"] < unmet["p95"]
    # per row: arrivals and "nobody comes" against their binomial laws (4 standard errors)
    n = table["posts"].to_numpy()
    q = table["p_accept"].to_numpy()
    assert q.tolist() == probabilities
    draws = document["draws"]
    spread = np.sqrt(n * q * (1 - q) / draws)
    assert np.all(np.abs(table["mean_arrivals"] - n * q) <= 4 * spread + 1e-12)
    none = (1 - q) ** n
    has = n > 0
    assert np.all(np.abs(table["p_none_arrive"][has] - none[has])
                  <= 4 * np.sqrt(none[has] * (1 - none[has]) / draws) + 1e-12)
    taken = document["posts_taken_up"]
    assert taken["p05"] <= taken["mean"] <= taken["p95"]
    expected_taken = float(np.sum(n * q))
    assert abs(taken["mean"] - expected_taken) <= 4 * math.sqrt(
        float(np.sum(n * q * (1 - q))) / draws)
    assert "Posts most likely to stay empty" in result.output


def test_exact_expectation_of_large_rows() -> None:
    """(1 - p)^posts underflows for large posts: the log-space sum must still be exact."""
    rows = pd.DataFrame({"delegation": ["A", "B", "C"], "specialty": ["S", "S", "S"],
                         "posts": [1500, 40, 3], "foreign": [0, 1, 0],
                         "staff_before": [10, 0, 2], "target": [1400.5, 30.25, 1.5],
                         "presence_threshold": [2.0, 2.0, 1.5], "priority_weight": [1.0, 2.0, 1.5],
                         "specialty_weight": [1.0, 1.0, 1.2]})
    p = np.array([0.93, 0.37, 0.5])
    inputs = SimulationInputs(Path("."), rows, p, "test", 3.0, 0.0, None, "")
    records = rows.to_dict("records")
    assert exact_expectation(inputs) == pytest.approx(exact_mean(records, list(p), 3.0),
                                                      rel=1e-10)
    sim = simulate(inputs, 4000, 5)
    assert abs(sim.mean - sim.exact_mean) <= 3 * sim.std_error


def test_same_seed_same_bytes(plan: Path, tmp_path: Path) -> None:
    inject_p(plan, random_p(plan))
    outs = [tmp_path / name for name in ("a", "b", "c")]
    for out, seed in zip(outs, (5, 5, 6), strict=True):
        result = run(plan, "--draws", 3000, "--seed", seed, "--out", out, "--quiet")
        assert result.exit_code == 0, result.output
        assert result.output == ""
    for name in ("simulation.json", "simulation.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    assert (outs[0] / "simulation.json").read_bytes() != (outs[2] / "simulation.json").read_bytes()


@pytest.mark.parametrize("draws", [1, 999, 2503])
def test_chunking_does_not_change_the_draws(plan: Path, draws: int) -> None:
    inject_p(plan, random_p(plan))
    inputs = load_inputs(plan)
    runs = [simulate(inputs, draws, 9, chunk_draws=c) for c in (None, 1, 7, BLOCK_DRAWS)]
    for other in runs[1:]:
        assert other.unmet.tobytes() == runs[0].unmet.tobytes()
        assert other.taken.tobytes() == runs[0].taken.tobytes()
        assert other.rows.equals(runs[0].rows)
    longer = simulate(inputs, draws + 1700, 9, chunk_draws=13)  # more draws: same first ones
    assert longer.unmet[:draws].tobytes() == runs[0].unmet.tobytes()


def test_ten_thousand_draws_of_two_thousand_rows_match_the_exact_mean() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    rows = pd.DataFrame({"delegation": [f"D{i // 30}" for i in range(n)],
                         "specialty": [f"S{i % 30}" for i in range(n)],
                         "posts": rng.integers(1, 6, n), "foreign": rng.integers(0, 2, n),
                         "staff_before": rng.integers(0, 10, n), "target": rng.uniform(0, 20, n),
                         "presence_threshold": rng.uniform(0, 2, n),
                         "priority_weight": rng.uniform(1, 2, n),
                         "specialty_weight": rng.uniform(1, 2, n)})
    inputs = SimulationInputs(Path("."), rows, rng.uniform(0.1, 0.99, n), "test", 4.0, 0.0,
                              None, "")
    sim = simulate(inputs, 10_000, 0)  # timed in benchmarks/uptake.py
    assert abs(sim.mean - sim.exact_mean) <= 3 * sim.std_error


# -- where p comes from ------------------------------------------------------------------------

def test_uptake_file_specific_row_wins_over_star(plan: Path, tmp_path: Path) -> None:
    uptake = tmp_path / "uptake.csv"
    uptake.write_text(UPTAKE, encoding="utf-8")
    inject_p(plan, 0.9)  # the file given on the command line wins over the plan's own p
    result = run(plan, "--draws", 200, "--uptake", uptake)
    assert result.exit_code == 0, result.output
    # the terminal may wrap anywhere, inside the path too
    assert f"p_accept:from{uptake}" in "".join(result.output.split())
    _, table = read_out(plan / "simulation")
    pairs = zip(table["delegation"], table["specialty"], strict=True)
    p = dict(zip(pairs, table["p_accept"], strict=True))
    assert p["TINGHIR", "GYN"] == 0.8 and p["TINGHIR", "ANES"] == 0.4
    assert p["TATA", "PED"] == 0.3 and p["SIDI_IFNI", "ANES"] == 0.5
    assert p["SIDI_IFNI", "GYN"] == 1.0 and p["TETOUAN", "ANES"] == 1.0


@pytest.mark.parametrize(("line", "message"), [
    ("TATA,*,0,x", ":2: column 'p_accept' = '0': a probability above 0 and at most 1"),
    ("TATA,*,1.5,x", "column 'p_accept' = '1.5': a probability above 0 and at most 1"),
    ("TATA,*,abc,x", "column 'p_accept' = 'abc': Input should be a valid number"),
    ("TATA,*,,x", "column 'p_accept' = '': Input should be a valid number"),
    ("NOWHERE,*,0.5,x", "column 'delegation_code' = 'NOWHERE': unknown code: not a delegation"),
    ("TATA,DERM,0.5,x", "column 'specialty_code' = 'DERM': unknown code: not a specialty"),
    ("TATA,=1+1,0.5,x", "column 'specialty_code' = '=1+1': '=1+1' is not a valid code"),
    ("TATA,*,0.5,x\nTATA,*,0.6,y", ":3: column 'specialty_code' = 'TATA,*': duplicate key"),
])
def test_bad_uptake_file_is_exit_2(plan: Path, tmp_path: Path, line: str, message: str) -> None:
    uptake = tmp_path / "bad.csv"
    uptake.write_text(f"delegation_code,specialty_code,p_accept,source\n{line}\n",
                      encoding="utf-8")
    result = run(plan, "--uptake", uptake)
    assert result.exit_code == 2, result.output
    assert f"{uptake}:" in result.output
    assert (f"{uptake}{message}" if message.startswith(":") else message) in result.output
    assert not (plan / "simulation").exists()


def test_uptake_file_missing_column_or_file(plan: Path, tmp_path: Path) -> None:
    uptake = tmp_path / "cols.csv"
    uptake.write_text("delegation_code,p_accept\nTATA,0.5\n", encoding="utf-8")
    result = run(plan, "--uptake", uptake)
    assert result.exit_code == 2
    assert f"{uptake}:1: column 'specialty_code': required column is missing" in result.output
    result = run(plan, "--uptake", tmp_path / "absent.csv")
    assert result.exit_code == 2 and "no such file" in result.output


# -- what is refused -------------------------------------------------------------------------

def test_not_a_plan_is_exit_2(plan: Path, tmp_path: Path) -> None:
    result = run(tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such folder" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(empty)
    assert result.exit_code == 2 and "plan.json: is missing" in result.output
    (empty / "plan.json").write_text("[1, 2", encoding="utf-8")
    result = run(empty)
    assert result.exit_code == 2 and "is not JSON" in result.output
    (empty / "plan.json").write_text('{"status": "infeasible"}', encoding="utf-8")
    result = run(empty)
    assert result.exit_code == 2 and "not a plan: key 'status'" in result.output
    data = meta(plan)
    data["delegations"][3]["posts"] = -1
    data["delegations"][4]["p_accept"] = 0
    (plan / "plan.json").write_text(json.dumps(data), encoding="utf-8")
    result = run(plan)
    assert result.exit_code == 2
    assert "column 'delegations[3].posts' = '-1': must be a whole number" in result.output
    assert "column 'delegations[4].p_accept' = '0': must be a probability" in result.output
    assert "column 'delegations[5].p_accept': a value is required" in result.output
    assert not (plan / "simulation").exists() and not list(empty.glob("simulation*"))


def test_draws_are_bounded(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(plan, "--draws", 1_000_001)
    assert result.exit_code == 2
    assert "is above the limit of 1,000,000 draws (set OPTIMISER_MAX_DRAWS" in result.output
    assert run(plan, "--draws", 0).exit_code == 2
    monkeypatch.setenv("OPTIMISER_MAX_DRAWS", "5")
    assert run(plan, "--draws", 6).exit_code == 2
    assert run(plan, "--draws", 5, "--quiet").exit_code == 0


def test_out_may_not_replace_the_plan(plan: Path) -> None:
    before = (plan / "plan.json").read_bytes()
    for out in (plan, plan.parent):
        result = run(plan, "--out", out)
        assert result.exit_code == 2, result.output
        assert "choose a new folder for --out" in result.output
    assert (plan / "plan.json").read_bytes() == before


def test_an_explicit_out_inside_the_plan_folder_is_listed_as_ours(plan: Path) -> None:
    assert run(plan, "--draws", 10, "--out", plan / "sim-b", "--quiet").exit_code == 0
    marker = json.loads((plan / ".optimiser-output.json").read_text(encoding="utf-8"))
    assert "sim-b" in marker["files"]
    result = CliRunner().invoke(main, ["report", str(plan), "--no-timestamp"])
    assert result.exit_code == 0, result.output


CASE_201 = Path(__file__).resolve().parents[2] / "shared" / "testcases-next" / "case-201-uptake"


@pytest.mark.skipif(not CASE_201.is_dir(), reason="public case 201 not present")
def test_public_case_201_simulated_mean_agrees_with_the_expected_plan(tmp_path: Path) -> None:
    """UPTAKE.md: the simulated mean agrees with the plan's expected_unmet_need within three
    standard errors (an expected-uptake plan of the public case)."""
    out = tmp_path / "plan"
    solved = CliRunner().invoke(main, ["solve", "--data", str(CASE_201), "--scenario",
                                       str(CASE_201 / "scenario.yaml"), "--out", str(out),
                                       "--no-record", "--no-report", "--quiet"])
    assert solved.exit_code == 0, solved.output
    expected = json.loads((CASE_201 / "expected.json").read_text(encoding="utf-8"))
    assert run(out, "--draws", 20_000, "--seed", 1, "--quiet").exit_code == 0
    document, _ = read_out(out / "simulation")
    unmet = document["unmet_need"]
    assert abs(unmet["mean"] - expected["expected_unmet_need"]) <= 3 * unmet["std_error"]
    assert document["exact_expected_unmet_need"] == pytest.approx(
        expected["expected_unmet_need"], abs=1e-6)
    rows = meta(out)["delegations"]
    exact = exact_mean(rows, [r["p_accept"] for r in rows],
                       meta(out)["parameters"]["absence_penalty"])
    assert exact == pytest.approx(expected["expected_unmet_need"], abs=1e-6)
