"""NEED.md workload targets: targets.csv replaces the norm-based target of its pairs, and
`optimiser data wisn` computes it with the WHO WISN method.

The WISN example below is a hand-computed one built from the method's formulas (WHO 2010
user's manual: AWT, standard workload, CAF = 1 / (1 - category share), IAF = individual
hours / AWT); it is NOT the manual's own worked example, whose figures could not be read here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from checker import close

from optimiser.errors import InputError
from optimiser.pipeline import load_inputs, run_scenario
from optimiser.wisn import compute_wisn, read_workload

REPO = Path(__file__).resolve().parents[1]
HEADER = ("delegation_code,specialty_code,kind,activity,working_days,absence_days,hours_per_day,"
          "annual_workload,unit_minutes,percent,hours_per_year,source\n")
WORKLOAD = HEADER + (
    "D1,S,time,,260,40,8,,,,,hand example\n"             # AWT (260 - 40) x 8 = 1760 h
    "D1,S,health,consultation,,,,6000,20,,,hand example\n"  # 6000 x 20 / (1760 x 60) = 25/22
    "D1,S,health,operation,,,,300,120,,,hand example\n"     # 300 x 120 / 105600 = 15/44
    "D1,S,category,staff meetings,,,,,,,88,hand example\n"  # 88 / 1760 = 5%
    "D1,S,category,teaching,,,,,,5,,hand example\n"         # 5%: CAF = 1 / 0.9
    "D1,S,individual,head of department,,,,,,,352,hand example\n")  # IAF 352 / 1760 = 0.2


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimiser", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120)


def test_wisn_hand_example(tmp_path: Path) -> None:
    """Health activities 25/22 + 15/44 = 65/44 specialists; x CAF 10/9 + IAF 0.2 =
    325/198 + 0.2 = 1.841414..."""
    path = tmp_path / "workload.csv"
    path.write_text(WORKLOAD, encoding="utf-8")
    row = compute_wisn(read_workload(path), path.name).loc[("D1", "S")]
    assert close(row["awt_hours"], 1760) and close(row["health"], 65 / 44)
    assert close(row["caf"], 10 / 9) and close(row["iaf"], 0.2)
    assert close(row["target"], 325 / 198 + 0.2)


def test_wisn_cli_writes_targets(tmp_path: Path) -> None:
    (tmp_path / "workload.csv").write_text(WORKLOAD, encoding="utf-8")
    out = tmp_path / "targets.csv"
    done = _run("data", "wisn", str(tmp_path / "workload.csv"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "delegation_code,specialty_code,target,source"
    assert lines[1].startswith("D1,S,1.841414,") and "WISN" in lines[1]
    assert "from workload.csv" in lines[1]


def test_wisn_bad_rows_name_line_and_column(tmp_path: Path) -> None:
    """A wrong kind, a health row without its time per unit, and a pair without a `time`
    row: exit 2, each at its line and column, nothing written."""
    bad = HEADER + ("D1,S,time,,260,40,8,,,,,x\nD1,S,work,,,,,,,,,x\n"
                    "D1,S,health,visit,,,,10,,,,x\n")
    (tmp_path / "w.csv").write_text(bad, encoding="utf-8")
    out = tmp_path / "targets.csv"
    done = _run("data", "wisn", str(tmp_path / "w.csv"), "--out", str(out))
    assert done.returncode == 2 and not out.exists()
    assert "w.csv:3: column 'kind'" in done.stderr and "w.csv:4: column 'unit_minutes'" \
        in done.stderr
    (tmp_path / "w.csv").write_text(HEADER + "D2,S,health,visit,,,,10,5,,,x\n", encoding="utf-8")
    try:
        compute_wisn(read_workload(tmp_path / "w.csv"), "w.csv")
    except InputError as exc:
        assert exc.issues[0].line == 2 and "no `time` row" in exc.issues[0].message
    else:
        raise AssertionError("a pair without available working time was accepted")


def _dataset(folder: Path, targets: str | None, uptake: str | None = None) -> Path:
    """D1 (400,000 people) and D2 (100,000), norm 1: targets 4 and 1; staff 2 and 1."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "regions.csv": "region_code,name_fr\nR,R\n",
        "delegations.csv": "delegation_code,name_fr,region_code,population\n"
                           "D1,D1,R,400000\nD2,D2,R,100000\n",
        "specialties.csv": "specialty_code,name_fr,norm_per_100k,min_presence\nS,S,1,1\n",
        "workforce.csv": "delegation_code,specialty_code,current\nD1,S,2\nD2,S,1\n",
        "posts.csv": "promotion,specialty_code,posts\n2024,S,2\n",
    }
    if targets:
        files["targets.csv"] = targets
    if uptake:
        files["uptake.csv"] = uptake
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _solve(data: Path, folder: Path, **params: object) -> tuple[float, dict]:
    scenario = folder / "scenario.yaml"
    scenario.write_text(yaml.safe_dump({"name": "t", **params}), encoding="utf-8")
    run = run_scenario(load_inputs(data, scenario))
    assert run.plan is not None
    posts = run.plan.allocations.groupby("delegation")["posts"].sum()
    return run.plan.objective, {d: int(v) for d, v in posts.items() if v > 0}


TARGETS = "delegation_code,specialty_code,target,source\nD1,S,2.5,study\nD2,S,3,study\n"


def test_targets_shift_the_need(tmp_path: Path) -> None:
    """By the norm D1 is 2 short and D2 at target: both posts to D1, objective 0. With the
    workload targets D1 is 0.5 short and D2 2 short: both to D2 leaves 0.5; one each would
    leave 0.5 x 0 + 1 + 0.01 x 0.5 (D1 over) = 1.005. A norm_multiplier changes nothing: both
    pairs take their target from targets.csv, used as given."""
    assert _solve(_dataset(tmp_path / "n", None), tmp_path) == (0.0, {"D1": 2})
    data = _dataset(tmp_path / "t", TARGETS)
    assert _solve(data, tmp_path) == (0.5, {"D2": 2})
    scaled = _solve(data, tmp_path, overrides={"norm_multiplier": {"*": 10}})
    assert scaled == (0.5, {"D2": 2})


def test_targets_set_the_presence_threshold(tmp_path: Path) -> None:
    """m = min(pres, target): a target of 0.5 makes D1's threshold 0.5 (already met by its 2
    doctors: only the eps_over 0.01 per doctor above 0.5 counts)."""
    data = _dataset(tmp_path / "t", "delegation_code,specialty_code,target\nD1,S,0.5\n")
    pairs = load_inputs(data, None).pairs
    assert pairs.at[("D1", "S"), "target"] == 0.5 and pairs.at[("D1", "S"), "presence"] == 0.5
    assert pairs.at[("D2", "S"), "target"] == 1.0


def test_targets_feed_the_expected_cost(tmp_path: Path) -> None:
    """uptake: expected with D2 taking posts up with p = 0.5: (2,0) costs 0.015 + 2; (1,1)
    0.005 + 1.5; (0,2) 0.5 + E[shortfall of D2] = 0.5 + (0.25 x 2 + 0.5 x 1) = 1.5: best."""
    data = _dataset(tmp_path / "t", TARGETS,
                    "delegation_code,specialty_code,p_accept\nD2,S,0.5\n")
    objective, posts = _solve(data, tmp_path, parameters={"uptake": "expected"})
    assert close(objective, 1.5) and posts == {"D2": 2}


def test_unknown_codes_in_targets_are_errors(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "t", "delegation_code,specialty_code,target\nD9,S,1\nD1,S,-1\n")
    try:
        load_inputs(data, None)
    except InputError as exc:
        found = {(i.file.rsplit("/", 1)[-1], i.line, i.column) for i in exc.issues}
        assert ("targets.csv", 2, "delegation_code") in found
        assert ("targets.csv", 3, "target") in found
    else:
        raise AssertionError("bad targets.csv accepted")
