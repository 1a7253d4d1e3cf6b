"""Sensitivity of an expected-uptake plan: the receiver of one more post and its gain price the
*expected* objective (a re-solve with one more post gives exactly that decrease), and the LP
duals, which plan with every post filled, are not presented as its marginal values."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from optimiser.pipeline import load_inputs, run_scenario
from optimiser.whatif.sensitivity import UNCERTAIN_LP, compute_sensitivity

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
P_ACCEPT = {"TANGER_ASSILAH": "0.9", "AL_HOCEIMA": "0.45", "*": "0.7"}


def _dataset(folder: Path, extra_post: tuple[str, int] | None = None) -> Path:
    shutil.copytree(EXAMPLE, folder)
    delegations = [row["delegation_code"] for row in
                   csv.DictReader((folder / "delegations.csv").open(encoding="utf-8"))]
    with (folder / "uptake.csv").open("w", encoding="utf-8", newline="") as out:
        out.write("delegation_code,specialty_code,p_accept,source\n")
        for code in delegations:
            p = P_ACCEPT.get(code, P_ACCEPT["*"])
            out.write(f"{code},*,{p},estimate: test value\n")
    if extra_post is not None:
        rows = list(csv.DictReader((folder / "posts.csv").open(encoding="utf-8")))
        for row in rows:
            if (row["specialty_code"], int(row["promotion"])) == extra_post:
                row["posts"] = str(int(row["posts"]) + 1)
        with (folder / "posts.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def _solve(data: Path, scenario: Path):
    inputs = load_inputs(data, scenario)
    return inputs, run_scenario(inputs)


@pytest.mark.parametrize("contingents", [False, True], ids=["separable", "with-contingents"])
def test_receiver_gain_is_the_expected_objective_decrease(tmp_path, contingents):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: expected\nparameters: {uptake: expected}\n", encoding="utf-8")
    data = _dataset(tmp_path / "data")
    if not contingents:
        for name in ("contingents.csv", "contingent_supply.csv"):
            (data / name).unlink(missing_ok=True)
    inputs, run = _solve(data, scenario)
    document = compute_sensitivity(inputs, run, resolve=True)
    assert document["lp_status"] == UNCERTAIN_LP
    assert all(row["marginal_value"] is None for row in document["posts"])
    checked = 0
    for row in document["posts"]:
        key = (row["specialty"], row["promotion"])
        more = _dataset(tmp_path / f"more-{key[0]}-{key[1]}", key)
        if not contingents:
            for name in ("contingents.csv", "contingent_supply.csv"):
                (more / name).unlink(missing_ok=True)
        _, better = _solve(more, scenario)
        assert row["exact"]
        assert row["receiver_gain"] == pytest.approx(
            run.plan.objective - better.plan.objective, abs=1e-6), key
        checked += 1
    assert checked >= 4
