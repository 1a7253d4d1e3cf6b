"""The acceptance estimate shipped with data/morocco-2024 (`uptake.csv`, issue 14): coverage,
range, provenance, the two published calibration targets recomputed from the file itself,
the documented formula, and a builder that reproduces the file byte for byte."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from optimiser.datasets import uptake, uptake_docs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "morocco-2024"
FORMULA = re.compile(r"p = 1 / \(1 \+ exp\(-\((-?\d+\.\d+) - (\d+\.\d+) x deprivation_index\)\)\)")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows("uptake.csv")


def _mean(rows: list[dict[str, str]], column: str) -> float:
    weights = [int(r["calibration_posts"]) for r in rows]
    return math.fsum(float(r[column]) * w for r, w in zip(rows, weights, strict=True)) / sum(
        weights)


def test_one_star_row_per_delegation(rows):
    delegations = [r["delegation_code"] for r in _rows("delegations.csv")]
    assert sorted(r["delegation_code"] for r in rows) == sorted(delegations)
    assert {r["specialty_code"] for r in rows} == {"*"}


def test_probabilities_are_in_range(rows):
    for line, row in enumerate(rows, start=2):
        assert 0 < float(row["p_accept"]) <= 1, line
        assert 0 < float(row["p_general_est"]) <= 1, line


def test_every_row_says_it_is_an_estimate(rows):
    for line, row in enumerate(rows, start=2):
        assert row["source"].startswith("estimate, not an official figure"), line
        assert "104 of 400" in row["source"] and "0.95" in row["source"], line
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "### Acceptance estimate (`uptake.csv`)" in text
    assert "**An estimate, not an official figure.**" in text
    assert text.index("### Acceptance estimate") < text.index("\n## Limits\n")


def test_calibration_targets_hold_on_the_file(rows):
    """Recomputed from the CSV alone: the post-weighted national mean of p_accept is the
    specialists' 95%; the remote class's mean of the general-doctor curve is 104/400."""
    assert sum(int(r["calibration_posts"]) for r in rows) == 695
    assert _mean(rows, "p_accept") == pytest.approx(0.95, abs=1e-3)
    remote = [r for r in rows if r["priority_class"] == "4"]
    assert _mean(remote, "p_general_est") == pytest.approx(104 / 400, abs=1e-3)
    # the specialists' remote class: lower than the national mean, above the 26% floor
    assert 0.26 < _mean(remote, "p_accept") < _mean(rows, "p_accept")


def test_priority_classes_are_quarters_of_the_index(rows):
    """Checked independently of the code: rank by (index, code), cut into 19/19/19/18."""
    index = {r["delegation_code"]: float(r["deprivation_index"])
             for r in _rows("delegations.csv")}
    ranked = sorted(index, key=lambda c: (index[c], c))
    expected = {code: 1 + (rank >= 19) + (rank >= 38) + (rank >= 57)
                for rank, code in enumerate(ranked)}
    assert {r["delegation_code"]: int(r["priority_class"]) for r in rows} == expected
    assert {r["delegation_code"]: float(r["deprivation_index"]) for r in rows} == index
    remote = {c for c, k in expected.items() if k == 4}
    assert {"TAOUNATE", "FIGUIG", "AL_HOCEIMA", "AZILAL"} <= remote
    assert not {"RABAT", "CASABLANCA"} & remote


def test_documented_formula_gives_every_value(rows):
    """The coefficients printed in `source` and SOURCES.md reproduce every probability."""
    found = FORMULA.search(rows[0]["source"])
    assert found, rows[0]["source"]
    a_specialist, minus_b = float(found.group(1)), float(found.group(2))
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    general = FORMULA.findall(text)
    assert (found.group(1), found.group(2)) in general
    a_general = next(float(a) for a, b in general if b == found.group(2)
                     and a != found.group(1))
    assert a_general == pytest.approx(math.log(0.95 / 0.05), abs=1e-4)
    for row in rows:
        x = float(row["deprivation_index"])
        assert float(row["p_accept"]) == pytest.approx(
            1 / (1 + math.exp(-(a_specialist - minus_b * x))), abs=5.1e-5)
        assert float(row["p_general_est"]) == pytest.approx(
            1 / (1 + math.exp(-(a_general - minus_b * x))), abs=5.1e-5)
        assert float(row["p_general_est"]) < float(row["p_accept"])
    ordered = sorted(rows, key=lambda r: float(r["deprivation_index"]))
    p = [float(r["p_accept"]) for r in ordered]
    assert p == sorted(p, reverse=True)  # the more remote, the fewer take the post up
    assert 0.88 < min(p) < 0.95 < max(p) < 1


def _grid_root(f, low: float, high: float, steps: int = 200_000) -> float:
    """An independent root finder: the sign change on a fine grid, linearly interpolated."""
    previous_x, previous = low, f(low)
    for i in range(1, steps + 1):
        x = low + (high - low) * i / steps
        value = f(x)
        if previous < 0 <= value:
            return previous_x + (x - previous_x) * (-previous) / (value - previous)
        previous_x, previous = x, value
    raise AssertionError("no sign change")


def test_calibration_solves_its_equations_on_a_small_case():
    index = {"A": 0.05, "B": 0.3, "C": 0.55, "D": 0.8, "E": 0.95}
    posts = {"A": 1, "B": 4, "C": 6, "D": 9, "E": 5}
    classes = uptake.priority_classes(index)
    assert classes == {"A": 1, "B": 1, "C": 2, "D": 3, "E": 4}  # 1 + 4 * rank // 5
    a_general, slope, a_specialist = uptake.calibrate(index, posts, classes)
    assert a_general == round(math.log(0.95 / 0.05), 4)
    expected_slope = _grid_root(
        lambda b: 1 / (1 + math.exp(-(a_general + b * 0.95))) - 0.26, -20.0, 0.0)
    assert slope == pytest.approx(expected_slope, abs=1e-4)

    def national(a: float) -> float:
        total = sum(posts.values())
        return sum(n / (1 + math.exp(-(a + slope * index[c]))) for c, n in posts.items()) / total

    assert a_specialist == pytest.approx(_grid_root(lambda a: national(a) - 0.95, 0.0, 20.0),
                                         abs=1e-4)


def test_impossible_calibrations_are_refused():
    index = {"A": 0.1, "B": 0.9}
    with pytest.raises(ValueError, match="sum to 0"):
        uptake.calibrate(index, {"A": 3, "B": 0}, {"A": 1, "B": 4})
    with pytest.raises(ValueError, match="no root"):
        uptake.solve_increasing(lambda x: x + 5, 0.0, 1.0)


def test_builder_reproduces_the_committed_file(tmp_path):
    """The estimate of the committed tables, written again, is the committed file, and the
    SOURCES.md section is the one rendered from it."""
    est = uptake.estimate_dataset(DATA)
    uptake.write_uptake(est, tmp_path)
    assert (tmp_path / "uptake.csv").read_bytes() == (DATA / "uptake.csv").read_bytes()
    names = {r["delegation_code"]: r["name_fr"] for r in _rows("delegations.csv")}
    section = uptake_docs.sources_section(est, names)
    assert section in (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert uptake.estimate_dataset(DATA) == est


def test_reflow_keeps_tables_and_code():
    text = ("### T\n" + "some words " * 10 + "\n\n| a | b |\n|---|---|\n\n    code  kept\n\n"
            "- item one " + "word " * 30 + "\n1. next")
    out = uptake_docs.reflow(text, width=40)
    assert "| a | b |\n|---|---|" in out and "    code  kept" in out
    assert all(len(line) <= 40 for line in out.splitlines() if not line.startswith("|"))
    assert "\n  word" in out and out.endswith("1. next")
