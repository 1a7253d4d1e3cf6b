"""`--scheduler` / `--jobs` on a Dask cluster (optimiser/distributed.py): `simulate` writes the
same bytes and `sweep` the same rows as in this process; an address that does not answer is a
clear exit 2 with nothing written. One 2-worker LocalCluster serves the whole module."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from simulate_support import EXAMPLE, UPTAKE, solve_example

from optimiser.cli import main
from optimiser.whatif.paths import parse_vary
from optimiser.whatif.sweep import SweepSpec, run_sweep

distributed = pytest.importorskip("distributed")

UNREACHABLE = "tcp://127.0.0.1:1"
TIMING = ["model", "seconds"]  # how and how fast a point was solved: not part of the result


@pytest.fixture(scope="module")
def address():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("distributed")
    uptake = folder / "uptake.csv"
    uptake.write_text(UPTAKE, encoding="utf-8")
    return solve_example(folder / "plan"), uptake


def _simulate(plan: tuple[Path, Path], out: Path, *extra: str):
    folder, uptake = plan
    return CliRunner().invoke(main, ["simulate", str(folder), "--draws", "23000", "--seed", "5",
                                     "--uptake", str(uptake), "--out", str(out), "--quiet",
                                     *extra])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_simulate_on_the_cluster_writes_the_same_bytes(plan, address, tmp_path):
    """23 blocks of draws in three tasks (10 + 10 + 3), put together in completion order."""
    here = _simulate(plan, tmp_path / "here")
    there = _simulate(plan, tmp_path / "there", "--scheduler", address)
    assert here.exit_code == 0, here.output
    assert there.exit_code == 0, there.output
    files = _files(tmp_path / "here")
    assert {"simulation.json", "simulation.csv"} <= set(files)
    assert b'"draws": 23000' in files["simulation.json"]
    assert b"uptake.csv" in files["simulation.json"]  # p from the file: the draws are random
    assert _files(tmp_path / "there") == files
    other_seed = CliRunner().invoke(main, ["simulate", str(plan[0]), "--draws", "23000",
                                           "--uptake", str(plan[1]), "--out",
                                           str(tmp_path / "seed0"), "--quiet"])
    assert other_seed.exit_code == 0
    assert _files(tmp_path / "seed0") != files  # the comparison can fail


def test_simulate_jobs_starts_a_local_cluster_with_the_same_bytes(plan, tmp_path):
    here = _simulate(plan, tmp_path / "here")
    local = _simulate(plan, tmp_path / "local", "--jobs", "2")
    assert here.exit_code == 0 and local.exit_code == 0, local.output
    assert _files(tmp_path / "local") == _files(tmp_path / "here")


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "sw", "constraints": [
        {"name": "dt-floor", "region": "DT", "min": 10}]}), encoding="utf-8")
    return path


VARY = ["parameters.absence_penalty=0,4,8", "constraints.dt-floor.min=0:40:10"]
"""15 points in two chunks (8 + 7); the floor of 40 is infeasible (36 posts)."""


def test_sweep_on_the_cluster_gives_the_same_rows(address, tmp_path):
    scenario = _scenario(tmp_path)
    outs = {}
    for name, extra in (("here", []), ("there", ["--scheduler", address])):
        args = [str(scenario), "--data", str(EXAMPLE), "--out", str(tmp_path / name),
                "--quiet", *extra]
        for vary in VARY:
            args += ["--vary", vary]
        result = CliRunner().invoke(main, ["sweep", *args])
        assert result.exit_code == 0, result.output
        outs[name] = pd.read_csv(tmp_path / name / "sweep.csv")
    here, there = outs["here"], outs["there"]
    assert len(here) == 15
    assert set(here["status"]) == {"optimal", "infeasible"}
    assert here["objective"].nunique() > 2  # the points differ: the comparison can fail
    pd.testing.assert_frame_equal(here.drop(columns=TIMING), there.drop(columns=TIMING))


def test_sweep_on_the_cluster_solves_only_what_is_not_done(address, tmp_path):
    """--resume: the rows already in `done` are kept, the others come from the cluster."""
    spec = SweepSpec(EXAMPLE, _scenario(tmp_path), tuple(parse_vary(v) for v in VARY))
    full = run_sweep(spec)
    done = {i: {**full.iloc[i].to_dict(), "model": "kept"} for i in (0, 1, 9)}
    with distributed.Client(address, set_as_default=False) as client:
        resumed = run_sweep(spec, done=done, client=client)
    assert list(resumed["model"].iloc[[0, 1, 9]]) == ["kept"] * 3
    assert (resumed["model"].drop(index=[0, 1, 9]) != "kept").all()
    pd.testing.assert_frame_equal(full.drop(columns=TIMING), resumed.drop(columns=TIMING),
                                  check_dtype=False)


@pytest.mark.parametrize("command", ["simulate", "sweep"])
def test_an_unreachable_scheduler_is_a_clear_exit_2(command, plan, tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMISER_SCHEDULER_TIMEOUT", "1")
    out = tmp_path / "out"
    if command == "simulate":
        result = _simulate(plan, out, "--scheduler", UNREACHABLE)
    else:
        result = CliRunner().invoke(main, ["sweep", str(_scenario(tmp_path)), "--data",
                                           str(EXAMPLE), "--vary", VARY[0], "--out", str(out),
                                           "--scheduler", UNREACHABLE])
    assert result.exit_code == 2, result.output
    assert "--scheduler" in result.output and UNREACHABLE in result.output
    assert "within 1 s" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_scheduler_and_jobs_exclude_each_other(plan, tmp_path):
    result = _simulate(plan, tmp_path / "out", "--jobs", "2", "--scheduler", UNREACHABLE)
    assert result.exit_code == 2
    assert "exclude" in result.output
    assert not (tmp_path / "out").exists()
