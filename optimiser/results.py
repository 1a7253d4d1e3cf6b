"""Plan figures as tables keyed like the inputs, computed from the plan's integers alone.

Everything a report shows is derived here, once: staffing before and after, shortfalls, the
creation / compensation / reinforcement reading of MODEL.md, and the objective recomputed
from the allocation (so the reported objective is the plan's, not a solver's rounding of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.equity import worst_off
from optimiser.incentives import allowance_spent, incentive_rows
from optimiser.inputs import ModelInputs
from optimiser.model import AllocationModel
from optimiser.model.constraints import selection_rows
from optimiser.solve import SolveResult
from optimiser.uptake import expected_staff, expected_unmet_need, uncertain

CATEGORIES = ("creation", "compensation", "reinforcement")


@dataclass(frozen=True)
class PlanTables:
    """The solved plan: allocation tables plus per-pair figures and headline numbers."""

    allocations: pd.DataFrame
    foreign: pd.DataFrame
    delegations: pd.DataFrame
    posts_by_category: dict[str, int]
    objective: float
    unmet_before: float
    unmet_after: float
    budget_used: float
    scenario_values: list[dict]
    expected_unmet: float | None = None
    """E[weighted unmet need] under the dataset's acceptance (UPTAKE.md); None without
    uptake data."""
    incentives: list[dict] = field(default_factory=list)
    """Per scenario incentive: posts, allowance cost, expected arrivals (incentives.py)."""


def _per_pair(n_pairs: int, table: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Sum of variable values per (delegation, specialty) position."""
    if not len(table):
        return np.zeros(n_pairs, dtype=np.int64)
    return np.bincount(table["pair"].to_numpy(), weights=values, minlength=n_pairs).astype(np.int64)


def classify_posts(posts: np.ndarray, base: np.ndarray, presence: np.ndarray,
                   departures: np.ndarray) -> dict[str, np.ndarray]:
    """MODEL.md "Reading a plan", per pair, national posts only (foreign doctors are not posts).

    creation: posts that lift staff from below the presence threshold up to it;
    compensation: then up to the departures; reinforcement: the rest. Departures are rounded
    up: under a horizon they are a share of a real staff (optimiser/horizon), and a post that
    replaces part of a departing doctor is a compensation (whole posts in every category).
    """
    missing = np.where(base < presence, np.ceil(presence - base - 1e-9), 0).astype(np.int64)
    creation = np.minimum(posts, missing)
    replaced = np.ceil(np.asarray(departures, dtype=float) - 1e-9).astype(np.int64)
    compensation = np.minimum(posts - creation, replaced)
    return {"creation": creation, "compensation": compensation,
            "reinforcement": posts - creation - compensation}


def weighted_unmet_need(inputs: ModelInputs, staff: np.ndarray) -> float:
    """Sum w*imp*(u + A*a) for a given staffing: the headline of MODEL.md's objective."""
    p = inputs.pairs
    short = np.maximum(0.0, p["target"].to_numpy() - staff)
    absent = np.maximum(0.0, p["presence"].to_numpy() - staff)
    return float(np.sum(p["coef"].to_numpy() * (short + inputs.absence_penalty * absent)))


def _staffing(inputs: ModelInputs, model: AllocationModel, result: SolveResult
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """National posts, foreign doctors, staff before and after, per pair position."""
    n = len(inputs.pairs)
    posts = _per_pair(n, model.x, result.x)
    foreign = _per_pair(n, model.y, result.y)
    base = staff_base(inputs)
    return posts, foreign, base, base + posts + foreign


def staff_base(inputs: ModelInputs) -> np.ndarray:
    """Base per pair position: whole numbers as int64 (MODEL.md: current - departures), real
    numbers as they are (a later year of a horizon, after attrition: optimiser/horizon)."""
    base = inputs.pairs["base"].to_numpy(dtype=float)
    whole = np.rint(base)
    return whole.astype(np.int64) if np.array_equal(base, whole) else base


def plan_objective(inputs: ModelInputs, posts: np.ndarray, foreign: np.ndarray) -> float:
    """MODEL.md's objective of national posts and foreign doctors given per pair position
    (exact, from the integers: what `plan_tables` reports as `objective`)."""
    return _objective(inputs, staff_base(inputs) + posts + foreign, foreign)[0]


def _objective(inputs: ModelInputs, staff: np.ndarray, foreign: np.ndarray
               ) -> tuple[float, float]:
    """MODEL.md's objective and its first term (weighted unmet need) for a staffing.

    Under `uptake: expected` with some p < 1 the objective's first term is the exact expected
    weighted unmet need (UPTAKE.md); the second value stays the need left if every post is
    taken up (plan.json `unmet_need.after`)."""
    over = np.maximum(0.0, staff - inputs.pairs["target"].to_numpy())
    unmet_after = weighted_unmet_need(inputs, staff.astype(float))
    first = unmet_after
    if uncertain(inputs):
        posts = staff - inputs.pairs["base"].to_numpy(dtype=np.int64) - foreign
        first = expected_unmet_need(inputs, posts, foreign, inputs.pairs["p_model"].to_numpy())
    objective = (first + inputs.eps_over * float(over.sum())
                 + inputs.eps_foreign * float(foreign.sum()))
    if inputs.equity_weight > 0:  # NEED.md equity: + lambda * max_d g[d]
        objective += inputs.equity_weight * worst_off(inputs, staff.astype(float))[0]
    return objective, unmet_after


@dataclass(frozen=True)
class Headline:
    """The few figures a sweep row needs, without the plan's tables (a sweep makes 1,000)."""

    objective: float
    unmet_before: float
    unmet_after: float
    posts: int
    foreign: int
    posts_by_region: dict[str, int]
    expected_unmet: float | None = None
    """Expected weighted unmet need (UPTAKE.md), when the dataset has uptake data."""


def headline(inputs: ModelInputs, model: AllocationModel, result: SolveResult) -> Headline:
    """Objective, unmet need and posts by region of a solved model, as plan_tables has them."""
    posts, foreign, base, staff = _staffing(inputs, model, result)
    objective, unmet_after = _objective(inputs, staff, foreign)
    by_region = pd.Series(posts).groupby(inputs.pairs["region"].to_numpy()).sum()
    expected = (expected_unmet_need(inputs, posts, foreign,
                                    inputs.pairs["p_accept"].to_numpy(float))
                if inputs.dataset.has_uptake else None)
    return Headline(objective, weighted_unmet_need(inputs, base.astype(float)), unmet_after,
                    int(posts.sum()), int(foreign.sum()),
                    {str(r): int(v) for r, v in by_region.items()}, expected)


def plan_tables(inputs: ModelInputs, model: AllocationModel, result: SolveResult) -> PlanTables:
    """Turn a solved model into the plan's tables."""
    p = inputs.pairs
    posts, foreign, base, staff = _staffing(inputs, model, result)
    target, presence = p["target"].to_numpy(), p["presence"].to_numpy()
    categories = classify_posts(posts, base, presence, p["departures"].to_numpy())

    table = pd.DataFrame({
        "delegation": p.index.get_level_values("delegation"),
        "region": p["region"].to_numpy(),
        "specialty": p.index.get_level_values("specialty"),
        "population": p["population"].to_numpy(),
        "priority_weight": p["priority_weight"].to_numpy(),
        "specialty_weight": p["specialty_weight"].to_numpy(),
        "target": target,
        "presence_threshold": presence,
        "current": p["current"].to_numpy(),
        "departures": p["departures"].to_numpy(),
        # most new doctors (posts + foreign) the pair can host; NaN = unlimited (null in
        # plan.json, empty in delegations.csv), so a report can say "capacity reached"
        "capacity": p["cap"].to_numpy(dtype=float),
        "staff_before": base,
        "posts": posts,
        "foreign": foreign,
        "staff_after": staff,
        "shortfall_before": np.maximum(0.0, target - base),
        "shortfall": np.maximum(0.0, target - staff),
        "absence_shortfall_before": np.maximum(0.0, presence - base),
        "absence_shortfall": np.maximum(0.0, presence - staff),
        **categories,
    })
    objective, unmet_after = _objective(inputs, staff, foreign)
    expected = None
    if inputs.dataset.has_uptake:  # a naive plan is evaluated too (UPTAKE.md)
        table["p_accept"] = p["p_accept"].to_numpy(float)
        table["expected_staff_after"] = expected_staff(inputs, posts, foreign)
        expected = expected_unmet_need(inputs, posts, foreign, p["p_accept"].to_numpy(float))

    x = model.x.assign(posts=result.x)
    allocations = x.loc[x["posts"] > 0, ["delegation", "specialty", "promotion", "posts"]]
    allocations.insert(1, "region", p["region"].to_numpy()[x.loc[x["posts"] > 0, "pair"]])
    y = model.y.assign(doctors=result.y)
    deployed = y[y["doctors"] > 0]
    foreign_rows = deployed[["contingent", "delegation", "specialty", "doctors"]].copy()
    foreign_rows.insert(2, "region", p["region"].to_numpy()[deployed["pair"]])
    cost = inputs.contingents["cost_per_doctor"].reindex(deployed["contingent"]).to_numpy(float)
    return PlanTables(
        allocations=allocations.reset_index(drop=True),
        foreign=foreign_rows.reset_index(drop=True),
        delegations=table,
        posts_by_category={k: int(v.sum()) for k, v in categories.items()},
        objective=objective,
        unmet_before=weighted_unmet_need(inputs, base.astype(float)),
        unmet_after=unmet_after,
        # foreign doctors and incentive allowances share the budget row
        budget_used=float(np.sum(cost * deployed["doctors"].to_numpy()))
        + allowance_spent(inputs, posts),
        scenario_values=_scenario_values(inputs, x, y),
        expected_unmet=expected,
        incentives=incentive_rows(inputs, posts),
    )


def _scenario_values(inputs: ModelInputs, x: pd.DataFrame, y: pd.DataFrame) -> list[dict]:
    """Achieved sum of each scenario constraint, next to its bounds."""
    posts = x["posts"].to_numpy(np.int64) if len(x) else np.zeros(0, np.int64)
    doctors = y["doctors"].to_numpy(np.int64) if len(y) else np.zeros(0, np.int64)
    rows = []
    for sel, (rows_x, rows_y) in zip(inputs.selections, selection_rows(inputs, x, y),
                                     strict=True):
        value = int(posts[rows_x].sum()) + int(doctors[rows_y].sum())
        rows.append({"name": sel.name, "description": sel.description, "counts": sel.counts,
                     "min": sel.lower, "max": sel.upper, "value": value})
    return rows


def posts_by_region(plan: PlanTables, absence_penalty: float) -> pd.DataFrame:
    """National posts and foreign doctors per region, with weighted unmet need before/after
    (w * imp * (u + A * a), the first term of MODEL.md's objective)."""
    d = plan.delegations
    coef = d["priority_weight"] * d["specialty_weight"]
    before = coef * (d["shortfall_before"] + absence_penalty * d["absence_shortfall_before"])
    after = coef * (d["shortfall"] + absence_penalty * d["absence_shortfall"])
    return (d.assign(unmet_before=before, unmet_after=after)
            .groupby("region", sort=True)[["posts", "foreign", *CATEGORIES,
                                           "unmet_before", "unmet_after"]].sum())
