"""Exact greedy solve for the separable case: no contingent, no scenario constraint.

Without foreign doctors and scenario constraints, MODEL.md separates by specialty: each piece
gives N_s = sum_p posts[s,p] posts to delegations, each delegation's cost
    f_d(k) = w*imp*(max(0, T - b - k) + A*max(0, m - b - k)) + eps_over*max(0, b + k - T)
being convex piecewise linear in its k new posts, with cap[d,s] as the only bound. For a
separable convex objective with one budget, taking the N_s cheapest marginal costs
f_d(k+1) - f_d(k) over all delegations is optimal (marginals are non-decreasing within a
delegation, so the cheapest ones always form a prefix). Promotions are interchangeable here:
any split of each delegation's total across promotions meets rule 1.

Marginals are constant between the integer neighbours of the two breakpoints m - b and T - b,
so each delegation contributes at most five segments (marginal, count) and the solve is a
sort of those segments: no per-post loop, no solver.

Under `uptake: expected` (UPTAKE.md) f_d(k) is the expected cost E f(b + Binomial(k, p)),
still convex in k (optimiser/uptake.py), with marginals that change at every post: such a
delegation contributes one segment per post up to its limit, and the same sort is optimal.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from optimiser.incentives import allowance_costs
from optimiser.inputs import ModelInputs
from optimiser.uptake import expected_segments


def fast_path_blocker(inputs: ModelInputs) -> str | None:
    """Why the greedy cannot be used (None when it can): coupling rules need the MIP."""
    if inputs.solver != "highs":
        return "another solver was asked for"
    if inputs.selections:
        return "scenario constraints couple delegations"
    if inputs.equity_weight > 0:
        return "equity (max per-capita unmet need) couples delegations"
    if len(inputs.dataset.dependencies):
        return "specialty dependencies (dependencies.csv) couple specialties"
    if inputs.min_reach is not None:
        return "min_reach couples delegations (at least k of them receive a post)"
    if (inputs.supply > 0).any() and len(inputs.contingents):
        return "foreign contingents (team, sites, budget) couple specialties"
    allowance = allowance_costs(inputs)
    if inputs.budget is not None and allowance is not None and allowance.any():
        return "a budget on incentive allowances couples specialties"
    return None


def need_at(inputs: ModelInputs, pair: np.ndarray, k: np.ndarray) -> np.ndarray:
    """w*imp*(u + A*a) of the given pair positions with k new doctors (no tie-breaks: the
    unmet need that equity's per-capita figure reads, optimiser/equity.py)."""
    p = inputs.pairs
    staff = p["base"].to_numpy(float)[pair] + k
    target, presence = p["target"].to_numpy()[pair], p["presence"].to_numpy()[pair]
    unmet = (np.maximum(0.0, target - staff)
             + inputs.absence_penalty * np.maximum(0.0, presence - staff))
    return p["coef"].to_numpy()[pair] * unmet


def cost_at(inputs: ModelInputs, pair: np.ndarray, k: np.ndarray) -> np.ndarray:
    """f_d(k) for the given pair positions and new-post counts: the unmet need plus the
    overstaffing tie-break."""
    p = inputs.pairs
    staff = p["base"].to_numpy(float)[pair] + k
    over = np.maximum(0.0, staff - p["target"].to_numpy()[pair])
    return need_at(inputs, pair, k) + inputs.eps_over * over


def cost_segments(inputs: ModelInputs, limit: np.ndarray,
                  certain: np.ndarray | None = None) -> pd.DataFrame:
    """Per pair, integer ranges of k with a constant marginal cost: (pair, start, count, cost).

    Pairs whose posts may stay empty (p_model < 1, `uptake: expected`) get the exact expected
    marginals of optimiser/uptake.py, one segment per post (merged where equal), unless
    `certain` marks them: there k counts doctors that always come (model/hull.py).
    """
    table = _breakpoint_segments(inputs, limit)
    chance = inputs.pairs["p_model"].to_numpy(float) < 1
    if certain is not None:
        chance &= ~certain
    if not chance.any():
        return table
    positions = np.flatnonzero(chance)
    table = pd.concat([table[~chance[table["pair"].to_numpy()]],
                       expected_segments(inputs, positions, limit[positions])],
                      ignore_index=True).sort_values(["pair", "start"], kind="stable",
                                                     ignore_index=True)
    table["cost"] = table.groupby("pair", sort=False)["cost"].cummax()
    return table


def _breakpoint_segments(inputs: ModelInputs, limit: np.ndarray) -> pd.DataFrame:
    """MODEL.md's segments: marginals are constant between the integer neighbours of the
    breakpoints m - b and T - b."""
    p = inputs.pairs
    base = p["base"].to_numpy(float)
    km = p["presence"].to_numpy() - base
    kt = p["target"].to_numpy() - base
    points = np.stack([np.zeros_like(km), np.floor(km), np.ceil(km), np.floor(kt),
                       np.ceil(kt), limit.astype(float)], axis=1)
    points = np.sort(np.clip(points, 0, limit[:, None]), axis=1)
    pair = np.repeat(np.arange(len(p)), points.shape[1] - 1)
    start, end = points[:, :-1].ravel(), points[:, 1:].ravel()
    keep = end > start
    pair, start, count = pair[keep], start[keep], (end - start)[keep]
    cost = cost_at(inputs, pair, start + 1) - cost_at(inputs, pair, start)
    table = pd.DataFrame({"pair": pair, "start": start.astype(np.int64),
                          "count": count.astype(np.int64), "cost": cost})
    # Convexity makes marginals non-decreasing within a pair; enforce it against rounding so
    # the cheapest segments of a pair are always taken from its first post on.
    table["cost"] = table.groupby("pair", sort=False)["cost"].cummax()
    return table


def solve_separable(inputs: ModelInputs) -> tuple[pd.DataFrame, np.ndarray, float] | None:
    """Greedy optimum: x table (delegation, specialty, promotion, pair) with its values, and
    seconds; None when the posts of a specialty exceed what delegations can host."""
    start_time = time.perf_counter()
    p = inputs.pairs
    specialty = p.index.get_level_values("specialty").to_numpy()
    totals = inputs.posts.groupby(level="specialty").sum()
    need = totals.reindex(specialty).fillna(0).to_numpy(np.int64)
    cap = p["cap"].to_numpy()
    limit = np.where(np.isnan(cap), need, np.minimum(np.nan_to_num(cap), need)).astype(np.int64)
    segments = cost_segments(inputs, limit)
    segments["specialty"] = specialty[segments["pair"].to_numpy()]
    segments = segments.sort_values(["specialty", "cost", "pair", "start"], kind="stable")

    given = np.zeros(len(p), dtype=np.int64)
    by_specialty = dict(iter(segments.groupby("specialty", sort=True)))
    for s, n in totals.items():
        group = by_specialty.get(s, segments.iloc[:0])
        n = int(n)
        if not inputs.allocate_all:
            group = group[group["cost"] < 0]
        counts = group["count"].to_numpy()
        if inputs.allocate_all and counts.sum() < n:
            return None  # infeasible: the MIP path diagnoses it
        before = np.cumsum(counts) - counts
        take = np.clip(n - before, 0, counts)
        np.add.at(given, group["pair"].to_numpy(), take)
    x_table, values = split_by_promotion(inputs, given)
    return x_table, values, time.perf_counter() - start_time


def split_by_promotion(inputs: ModelInputs, given: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Fill each specialty's promotions in year order, delegations in code order.

    Delegation d of a specialty takes the slice [c_{d-1}, c_d) of the cumulated posts, and
    promotion p the slice [Q_{p-1}, Q_p) of the cumulated quotas: x[d,s,p] is their overlap.
    """
    p = inputs.pairs
    delegation = p.index.get_level_values("delegation").to_numpy()
    specialty = p.index.get_level_values("specialty").to_numpy()
    parts = []
    for s, posts in inputs.posts.groupby(level="specialty", sort=True):
        positions = np.flatnonzero((specialty == s) & (given > 0))
        if not len(positions):
            continue
        upper = np.cumsum(given[positions])
        lower = upper - given[positions]
        quotas = posts.droplevel("specialty").sort_index()
        top = np.cumsum(quotas.to_numpy())
        for promotion, q_high, q_low in zip(quotas.index, top, top - quotas.to_numpy(),
                                            strict=True):
            share = np.minimum(upper, q_high) - np.maximum(lower, q_low)
            take = share > 0
            parts.append(pd.DataFrame({
                "delegation": delegation[positions[take]], "specialty": s,
                "promotion": int(promotion), "pair": positions[take], "value": share[take]}))
    if not parts:
        empty = pd.DataFrame({"delegation": [], "specialty": [], "promotion": [], "pair": []})
        return empty.astype({"pair": np.int64}), np.zeros(0, np.int64)
    table = pd.concat(parts, ignore_index=True).sort_values(
        ["delegation", "specialty", "promotion"], kind="stable", ignore_index=True)
    values = table.pop("value").to_numpy(np.int64)
    return table, values
