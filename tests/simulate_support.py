"""Shared helpers of the simulation tests (no test here): the example plan, p_accept injected
into its rows as an expected-uptake plan carries them, the command, and an exact expectation
computed independently of optimiser.simulate (each row's binomial law enumerated term by term)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from optimiser.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
UPTAKE = """delegation_code,specialty_code,p_accept,source
TATA,*,0.3,test
TINGHIR,*,0.4,test
TINGHIR,GYN,0.8,test
SIDI_IFNI,ANES,0.5,test
"""


def solve_example(out: Path) -> Path:
    """The example dataset's plan folder, solved (report included, not recorded)."""
    result = CliRunner().invoke(main, ["solve", "--data", str(EXAMPLE), "--out", str(out),
                                       "--no-record", "--no-timestamp", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def meta(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def inject_p(folder: Path, p: dict[tuple[str, str], float] | float) -> None:
    """Write p_accept into every delegations row of plan.json (as an expected-uptake plan)."""
    data = meta(folder)
    for row in data["delegations"]:
        row["p_accept"] = p if isinstance(p, float) else p.get(
            (row["delegation"], row["specialty"]), 1.0)
    (folder / "plan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def random_p(folder: Path, seed: int = 7) -> dict[tuple[str, str], float]:
    """A p for every row with posts (a fifth of them left at 1), reproducibly."""
    rng = np.random.default_rng(seed)
    rows = [r for r in meta(folder)["delegations"] if r["posts"] > 0]
    return {(r["delegation"], r["specialty"]): (1.0 if rng.random() < 0.2
                                                else round(float(rng.uniform(0.05, 0.95)), 3))
            for r in rows}


def run(*args: str | Path) -> object:
    return CliRunner().invoke(main, ["simulate", *map(str, args)])


def read_out(folder: Path) -> tuple[dict, pd.DataFrame]:
    document = json.loads((folder / "simulation.json").read_text(encoding="utf-8"))
    table = pd.read_csv(folder / "simulation.csv", keep_default_na=False, na_values=[""])
    return document, table


def _pmf(n: int, p: float, k: int) -> float:
    if p >= 1:
        return 1.0 if k == n else 0.0
    log = (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
           + k * math.log(p) + (n - k) * math.log1p(-p))
    return math.exp(log)


def row_cost(row: dict, arrivals: int, penalty: float) -> float:
    staff = row["staff_before"] + row["foreign"] + arrivals
    weight = row["priority_weight"] * row["specialty_weight"]
    return weight * (max(0.0, row["target"] - staff)
                     + penalty * max(0.0, row["presence_threshold"] - staff))


def exact_mean(rows: list[dict], p: list[float], penalty: float) -> float:
    """Sum over rows of sum_k P(K = k) * cost(k), k = 0..posts, K ~ Binomial(posts, p)."""
    return sum(sum(_pmf(r["posts"], q, k) * row_cost(r, k, penalty)
                   for k in range(r["posts"] + 1))
               for r, q in zip(rows, p, strict=True))
