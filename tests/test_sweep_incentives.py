"""Sweeping an incentive (`incentives.NAME.p_accept|cost_per_post`): each point equals the
scenario solved on its own, and a better acceptance never leaves more need expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from test_whatif_sweep import _independent

from optimiser.whatif.paths import PathError, apply_path, parse_vary
from optimiser.whatif.sweep import SweepSpec, grid, run_sweep

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    (data / "uptake.csv").write_text(
        "delegation_code,specialty_code,p_accept,source\n"
        "AL_HOCEIMA,*,0.5,estimate: test\nTATA,*,0.4,estimate: test\n"
        "TINGHIR,*,0.45,estimate: test\n", encoding="utf-8")
    return data


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({
        "name": "allowance", "parameters": {"uptake": "expected", "budget": 2_000_000},
        "incentives": [{"name": "remote", "delegation": ["TATA", "TINGHIR"],
                        "p_accept": 0.6, "cost_per_post": 20_000}]}), encoding="utf-8")
    return path


def test_incentive_sweep_equals_independent_solves(tmp_path):
    data, scenario = _data(tmp_path), _scenario(tmp_path)
    spec = SweepSpec(data, scenario, (parse_vary("incentives.remote.p_accept=0.6,0.8,1"),
                                      parse_vary("incentives.remote.cost_per_post=0,50000")))
    table = run_sweep(spec)
    points = grid(spec.varies)
    assert len(table) == len(points) == 6
    for (_, row), point in zip(table.iterrows(), points, strict=True):
        run = _independent(data, scenario, point)
        assert row["status"] == run.result.status.value == "optimal", point
        assert row["objective"] == pytest.approx(run.plan.objective, abs=1e-6)
        assert row["expected_unmet_need"] == pytest.approx(run.plan.expected_unmet, abs=1e-6)
    free = table[table["incentives.remote.cost_per_post"] == 0]
    expected = free.sort_values("incentives.remote.p_accept")["expected_unmet_need"].tolist()
    assert expected == sorted(expected, reverse=True) and expected[0] > expected[-1]


def test_incentive_path_names_are_checked():
    document = {"name": "x", "incentives": [{"delegation": ["TATA"], "p_accept": 0.5}]}
    assert apply_path(document, "incentives.incentive-1.p_accept", 0.9)[
        "incentives"][0]["p_accept"] == 0.9
    assert apply_path(document, "incentives.0.cost_per_post", 5)["incentives"][0][
        "cost_per_post"] == 5
    with pytest.raises(PathError, match="no incentive 'remote'"):
        apply_path(document, "incentives.remote.p_accept", 0.9)
    with pytest.raises(PathError, match="incentives.NAME.p_accept"):
        parse_vary("incentives.remote.delegation=1,2")
