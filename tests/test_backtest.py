"""The back-test against the 2025 round (docs/backtest-2025.md): the page is current, the
published figures resolve to the dataset's codes with a source, the model's round has the 566
posts, and the page's figures are those of a fresh solve."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources" / "backtest-2025"
DATASET = ROOT / "data" / "morocco-2024"
DOC = ROOT / "docs" / "backtest-2025.md"


def _backtest():  # docs/ is not a package of the tool
    sys.path.insert(0, str(ROOT))
    try:
        import docs.backtest as backtest
    finally:
        sys.path.remove(str(ROOT))
    return backtest


BACKTEST = _backtest()


@pytest.fixture(scope="module")
def fresh():
    """The back-test computed now (two solves, a few seconds)."""
    return BACKTEST.compute()


def _doc_rows(heading: str) -> dict[str, list[str]]:
    """The rows of the table under `### heading` in the committed page, by code."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells
    return rows


def test_the_committed_page_is_current():
    done = subprocess.run([sys.executable, "-m", "docs.backtest", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def test_check_fails_on_a_stale_page(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "backtest-2025.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("| AZILAL |", "| AZILAL  |"),
                     encoding="utf-8")
    monkeypatch.setattr(BACKTEST, "DOC", stale)
    assert BACKTEST.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert "| AZILAL  |" in stale.read_text(encoding="utf-8")  # --check writes nothing


def test_published_rows_resolve_to_dataset_codes_and_have_a_source():
    regions = set(pd.read_csv(DATASET / "regions.csv")["region_code"])
    delegations = set(pd.read_csv(DATASET / "delegations.csv")["delegation_code"])
    with (SOURCES / "round_2025.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7
    for row in rows:
        known = {"region": regions, "province": delegations}[row["level"]]
        assert row["code"] in known, row
        assert row["source"].strip(), row
        assert "original article not held here" in row["source"], row
        assert int(row["posts"]) > 0, row
    assert {(r["code"], int(r["posts"])) for r in rows} >= {
        ("BMK", 71), ("DT", 58), ("TTAH", 71), ("AL_HOCEIMA", 26), ("AZILAL", 18),
        ("BOUJDOUR", 13), ("TINGHIR", 17)}


def test_an_unknown_code_is_refused(tmp_path, monkeypatch):
    text = (SOURCES / "round_2025.csv").read_text(encoding="utf-8")
    (tmp_path / "round_2025.csv").write_text(text.replace("province,AZILAL,", "province,AZILA,"),
                                             encoding="utf-8")
    monkeypatch.setattr(BACKTEST, "SOURCES", tmp_path)
    with pytest.raises(BACKTEST.BacktestError, match="AZILA"):
        BACKTEST.read_published()


def test_largest_remainder_is_proportional_and_exact():
    split = BACKTEST.largest_remainder(pd.Series([1, 1, 1], index=["A", "B", "C"]), 2)
    assert split.tolist() == [1, 1, 0]  # ties go to the first
    split = BACKTEST.largest_remainder(pd.Series([118, 155, 30], index=["X", "Y", "Z"]), 100)
    assert split.sum() == 100
    assert split.tolist() == [39, 51, 10]  # quotas 38.94, 51.16, 9.90


def test_the_model_round_has_566_national_posts_of_promotion_2025(fresh):
    assert fresh.round_total == 566
    assert fresh.posts["posts"].sum() == 566
    plan = fresh.run_2025.plan
    assert int(plan.delegations["posts"].sum()) == 566
    assert set(plan.allocations["promotion"]) == {2025}
    # the 2025 staff is the 2024 plan's staff after without its foreign doctors (one-year
    # contingents), pair by pair
    before = fresh.run_2024.plan.delegations.set_index(["delegation", "specialty"])
    after = plan.delegations.set_index(["delegation", "specialty"])
    national = before["staff_after"] - before["foreign"]
    assert (after["current"] == national.reindex(after.index)).all()
    assert (after["departures"] == before["departures"].reindex(after.index)).all()


@pytest.mark.parametrize("code", ["AZILAL", "BOUJDOUR", "AL_HOCEIMA", "TINGHIR"])
def test_page_province_figures_match_a_fresh_computation(fresh, code):
    d = fresh.run_2025.plan.delegations
    mine = d[d["delegation"] == code]
    published = int(pd.read_csv(SOURCES / "round_2025.csv").set_index("code").loc[code, "posts"])
    posts, foreign = int(mine["posts"].sum()), int(mine["foreign"].sum())
    row = _doc_rows("Provinces")[code]
    # code, name, region, published, model posts, difference, model posts + foreign, difference
    assert row[2] == mine["region"].iloc[0]
    assert row[3:8] == [str(published), str(posts), f"{posts - published:+d}" if
                        posts != published else "0", str(posts + foreign),
                        f"{posts + foreign - published:+d}" if posts + foreign != published
                        else "0"]
    assert row[8] == f"{100 * published / 566:.1f}%"
    assert row[9] == f"{100 * posts / 566:.1f}%"


def test_page_region_figures_match_a_fresh_computation(fresh):
    d = fresh.run_2025.plan.delegations
    rows = _doc_rows("Regions")
    for code in ("BMK", "DT", "TTAH"):
        posts = int(d.loc[d["region"] == code, "posts"].sum())
        assert rows[code][3] == str(posts), code
    assert re.search(r"\b566 national posts\b", DOC.read_text(encoding="utf-8"))
