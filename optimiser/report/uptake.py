"""The report section "Where posts may stay empty" (UPTAKE.md): the plan's posts most at risk
of not being taken up, and the spread of the weighted unmet need a simulation found.

Shown only when the plan knows acceptance probabilities: `p_accept` in its `delegations` rows
(an expected-uptake plan), or a simulation of this very plan beside it
(`PLAN_DIR/simulation/`, written by `optimiser simulate`, whose `plan_sha256` is that of
plan.json; a simulation of an earlier plan is ignored). A plan without either gets no section,
and its report is unchanged, byte for byte.

Everything in the table is exact, from the binomial law of each (delegation, specialty): with
`n` posts each taken up with probability `p`, expected arrivals `n * p`, expected empty posts
`n * (1 - p)`, and probability that nobody arrives `(1 - p) ** n`. When a simulation exists its
probabilities are the ones used (they are what it drew), and its mean and 5-95% range of the
weighted unmet need are added. An unreadable simulation is treated as absent: it is optional
material, and the plan's report must not depend on it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from optimiser.report.assumptions import items_table
from optimiser.report.base import Table
from optimiser.report.load import PLAN_FILE, Plan

SIMULATION_DIR = "simulation"
TOP_ROWS = 20
UPTAKE_KINDS = {"delegation": "code", "name_fr": "text", "name_ar": "ar", "specialty": "spec",
                "posts": "int", "p_accept": "pct", "expected_arrivals": "num2",
                "expected_empty": "num2", "p_none_arrive": "pct"}


class _Figures(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
    mean: float
    std_error: float | None = None
    p05: float
    p95: float


class _Simulation(BaseModel):
    """The parts of simulation.json the report shows."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
    draws: int
    seed: int
    unmet_need: _Figures
    plan_sha256: str


def uptake_tables(plan: Plan, info: pd.DataFrame, names: Mapping[str, Mapping[str, str]]
                  ) -> tuple[dict[str, Table], dict[str, Any] | None]:
    """Tables `uptake` (the top rows) and `uptake_summary` (Excel's key figures) and the
    section's facts; nothing when the plan has no acceptance probabilities."""
    simulation, simulated_p = read_simulation(plan.folder)
    p = simulated_p if simulated_p is not None else plan_probabilities(plan.meta)
    if p is None:
        return {}, None
    rows = plan.delegations[["delegation", "specialty", "posts"]].merge(
        p, on=["delegation", "specialty"], how="left")
    rows["p_accept"] = rows["p_accept"].fillna(1.0)
    rows = rows[rows["posts"] > 0].copy()
    rows["expected_arrivals"] = rows["posts"] * rows["p_accept"]
    rows["expected_empty"] = rows["posts"] - rows["expected_arrivals"]
    rows["p_none_arrive"] = (1.0 - rows["p_accept"]) ** rows["posts"]
    facts = {
        "posts": int(rows["posts"].sum()),
        "expected_arrivals": float(rows["expected_arrivals"].sum()),
        "expected_empty": float(rows["expected_empty"].sum()),
        "at_risk": int((rows["expected_empty"] > 0).sum()),
        "shown": 0,
        "simulation": simulation,
    }
    risky = rows[rows["expected_empty"] > 0].sort_values(
        ["expected_empty", "p_none_arrive", "delegation", "specialty"],
        ascending=[False, False, True, True], kind="mergesort").head(TOP_ROWS)
    risky = risky.merge(info[["delegation", "name_fr", "name_ar"]], on="delegation", how="left")
    risky["name_fr"] = risky["name_fr"].fillna(risky["delegation"])
    risky["name_ar"] = risky["name_ar"].fillna("")
    facts["shown"] = len(risky)
    tables = {"uptake": Table("uptake", risky.loc[:, list(UPTAKE_KINDS)].reset_index(drop=True),
                              UPTAKE_KINDS, names=names),
              "uptake_summary": _summary_table(facts)}
    return tables, facts


def plan_probabilities(meta: Mapping[str, Any]) -> pd.DataFrame | None:
    """delegation, specialty, p_accept of the plan's rows, when every row has a valid one."""
    rows = meta.get("delegations")
    if not isinstance(rows, list) or not rows:
        return None
    if not all(isinstance(r, Mapping) and "p_accept" in r for r in rows):
        return None
    frame = pd.DataFrame({
        "delegation": [str(r.get("delegation")) for r in rows],
        "specialty": [str(r.get("specialty")) for r in rows],
        "p_accept": pd.to_numeric(pd.Series([r.get("p_accept") for r in rows], dtype=object),
                                  errors="coerce").astype(float)})
    valid = frame["p_accept"].between(0.0, 1.0, inclusive="right")
    return frame if bool(valid.all()) else None


def read_simulation(folder: Path) -> tuple[dict[str, Any] | None, pd.DataFrame | None]:
    """The facts of PLAN_DIR/simulation/simulation.json and the p_accept of its .csv, when
    both are readable and it simulated this plan.json; else (None, None)."""
    base = Path(folder) / SIMULATION_DIR
    try:
        document = json.loads((base / "simulation.json").read_text(encoding="utf-8"))
        summary = _Simulation.model_validate(document)
        digest = hashlib.sha256((Path(folder) / PLAN_FILE).read_bytes()).hexdigest()
        if summary.plan_sha256 != digest:
            return None, None
        table = pd.read_csv(base / "simulation.csv", dtype=str, keep_default_na=False,
                            usecols=["delegation", "specialty", "p_accept"])
    except (OSError, UnicodeDecodeError, ValueError, ValidationError, KeyError,
            pd.errors.ParserError):
        return None, None
    table["p_accept"] = pd.to_numeric(table["p_accept"], errors="coerce")
    if not bool(table["p_accept"].between(0.0, 1.0, inclusive="right").all()):
        return None, None
    figures = summary.unmet_need
    facts = {"draws": summary.draws, "seed": summary.seed, "mean": figures.mean,
             "std_error": figures.std_error, "p05": figures.p05, "p95": figures.p95}
    if not all(v is None or math.isfinite(v) for v in facts.values()):
        return None, None
    return facts, table


def _summary_table(facts: Mapping[str, Any]) -> Table:
    """The section's key figures as (item, value) rows, for the workbook."""
    items: list[tuple[str, Any, str]] = [
        ("posts", facts["posts"], "int"),
        ("expected_arrivals", facts["expected_arrivals"], "num2"),
        ("expected_empty", facts["expected_empty"], "num2"),
    ]
    sim = facts["simulation"]
    if sim is not None:
        items += [("simulation_draws", sim["draws"], "int"),
                  ("simulation_seed", str(sim["seed"]), "text"),
                  ("simulation_mean", sim["mean"], "num2"),
                  ("simulation_std_error", sim["std_error"], "num2"),
                  ("simulation_p05", sim["p05"], "num2"),
                  ("simulation_p95", sim["p95"], "num2")]
    return items_table("uptake_summary", items)
