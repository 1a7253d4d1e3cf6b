"""One function per constraint family of MODEL.md, each named after the rule it enforces.

Each function states its rule in the docstring, builds its rows from grouped tables (one pass,
no lookups inside loops) and returns early when there is no data. Labels are readable
(`posts[ANES,2024]`, `capacity[TATA,ANES]`) and are what diagnostics print.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from optimiser.inputs import ModelInputs, Selection
from optimiser.model.core import AllocationModel, affine
from optimiser.model.lp import linear


def _grouped_sums(table: pd.DataFrame, keys: list[str]) -> dict[tuple, pulp.LpAffineExpression]:
    """Sum of `var` per group of `keys`, built from one groupby."""
    if table.empty:
        return {}
    out = {}
    for key, idx in table.groupby(keys, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        out[key] = affine(table["var"].iloc[idx])
    return out


def add_posts_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """sum_d x[d,s,p] = posts[s,p]  (MODEL.md rule 1; `<=` when allocate_all is false)."""
    sense = "==" if inputs.allocate_all else "<="
    if m.options.aggregate_promotions:
        sums = _grouped_sums(m.x, ["specialty"])
        for s, posts in inputs.posts.groupby(level="specialty").sum().items():
            if posts > 0 or not m.options.tight_bounds:
                expr = sums.get((s,), linear([]))
                m.add("posts", f"posts[{s}]", expr, sense, posts, group=("posts", s, 0))
        return
    sums = _grouped_sums(m.x, ["specialty", "promotion"])
    for (s, p), posts in inputs.posts.items():
        if posts == 0 and m.options.tight_bounds:
            continue  # no variables exist: the row would read 0 = 0
        expr = sums.get((s, p), linear([]))
        m.add("posts", f"posts[{s},{p}]", expr, sense, posts, group=("posts", s, p))


def _pair_label(inputs: ModelInputs, pos: int) -> str:
    d, s = inputs.pairs.index[pos]
    return f"{d},{s}"


def add_shortfall_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """u[d,s] >= target[d,s] - staff[d,s]  (MODEL.md rule 2), with staff = base + added."""
    rhs = (inputs.pairs["target"] - inputs.pairs["base"]).to_numpy()
    for pos, u in m.pair_vars["u"].dropna().items():
        expr = m.added[pos] + u
        m.add("shortfall", f"shortfall[{_pair_label(inputs, pos)}]", expr, ">=", rhs[pos])


def add_absence_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """a[d,s] >= m[d,s] - staff[d,s]  (MODEL.md rule 3): the first missing doctors."""
    rhs = (inputs.pairs["presence"] - inputs.pairs["base"]).to_numpy()
    for pos, a in m.pair_vars["a"].dropna().items():
        expr = m.added[pos] + a
        m.add("absence", f"absence[{_pair_label(inputs, pos)}]", expr, ">=", rhs[pos])


def add_overstaffing_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """o[d,s] >= staff[d,s] - target[d,s]  (MODEL.md rule 4)."""
    rhs = (inputs.pairs["base"] - inputs.pairs["target"]).to_numpy()
    for pos, o in m.pair_vars["o"].items():
        expr = o - m.added[pos]
        m.add("overstaffing", f"overstaffing[{_pair_label(inputs, pos)}]", expr, ">=", rhs[pos])


def add_capacity_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """sum_p x[d,s,p] + sum_c y[c,d,s] <= cap[d,s]  (MODEL.md rule 5).

    Where only one variable can reach the pair, its bound already says it; the row is still
    added when bounds are loose (diagnosis) so that capacity can be relaxed by specialty.
    """
    cap = inputs.pairs["cap"].to_numpy()
    for pos in np.flatnonzero(~np.isnan(cap)):
        expr = m.added.get(int(pos))
        if expr is None or (m.options.tight_bounds and len(expr) <= 1):
            continue
        d, s = inputs.pairs.index[pos]
        m.add("capacity", f"capacity[{d},{s}]", expr, "<=", cap[pos], group=("capacity", s))


def add_contingent_size_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """sum_d y[c,d,s] <= size[c,s]  (MODEL.md rule 6)."""
    sums = _grouped_sums(m.y, ["contingent", "specialty"])
    for (c, s), expr in sums.items():
        size = inputs.supply[(c, s)]
        m.add("size", f"size[{c},{s}]", expr, "<=", size, group=("size", c, s))


def add_team_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """sum_s y[c,d,s] >= team[c] * b[c,d]  (MODEL.md rule 7, first half)."""
    if m.b.empty:
        return
    team = inputs.contingents["min_team"]
    b_of = {(c, d): var for c, d, var in m.b.itertuples(index=False)}
    for (c, d), expr in _grouped_sums(m.y, ["contingent", "delegation"]).items():
        m.add("team", f"team[{c},{d}]", expr - team[c] * b_of[(c, d)], ">=", 0,
              group=("team", c))


def add_deploy_constraints(m: AllocationModel, inputs: ModelInputs,
                           skip: np.ndarray | None = None) -> None:
    """y[c,d,s] <= M * b[c,d]  (MODEL.md rule 7, second half): no doctor where not deployed.

    M is the variable's own bound min(size, cap) (the tightest valid big-M); when bounds are
    loose (diagnosis) it is a large constant that no relaxed plan can reach. `skip` marks y
    rows another row already links to b (model/hull.py).
    """
    if m.b.empty:
        return
    big_m = float(inputs.supply.sum() + inputs.posts.sum() + 1) * 10
    b_of = {(c, d): var for c, d, var in m.b.itertuples(index=False)}
    rows = m.y[["contingent", "delegation", "specialty", "bound", "var"]].itertuples(index=False)
    for i, (c, d, s, bound, y) in enumerate(rows):
        if skip is not None and skip[i]:
            continue
        limit = big_m if np.isnan(bound) else bound
        m.add("deploy", f"deploy[{c},{d},{s}]", y - limit * b_of[(c, d)], "<=", 0)


def add_sites_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """sum_d b[c,d] <= sites[c]  (MODEL.md rule 8; no row when sites is unlimited)."""
    sites = inputs.contingents["max_sites"]
    for c, expr in _grouped_sums(m.b, ["contingent"]).items():
        limit = sites.get(c[0])
        if limit is not None and not pd.isna(limit):
            m.add("sites", f"sites[{c[0]}]", expr, "<=", float(limit), group=("sites", c[0]))


def add_budget_constraint(m: AllocationModel, inputs: ModelInputs) -> None:
    """Sum cost[c] * y[c,d,s] <= budget  (MODEL.md rule 9, only when a budget is set)."""
    if inputs.budget is None or m.y.empty:
        return
    cost = inputs.contingents["cost_per_doctor"].reindex(m.y["contingent"]).to_numpy(float)
    terms = [(v, float(c)) for v, c in zip(m.y["var"], cost, strict=True) if c != 0]
    m.add("budget", "budget", linear(terms), "<=", inputs.budget,
          group=("budget",))


def selection_masks(
    sel: Selection, x: pd.DataFrame, y: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """Rows of the x and y tables a scenario selection sums over.

    Foreign doctors have no promotion: a promotion filter selects national posts only.
    """
    def in_selection(table: pd.DataFrame) -> pd.Series:
        if table.empty:
            return pd.Series(False, index=table.index, dtype=bool)
        return table["delegation"].isin(sel.delegations) & table["specialty"].isin(sel.specialties)

    mask_x = in_selection(x) & (sel.counts in ("posts", "all"))
    if sel.promotions is not None and not x.empty:
        mask_x &= x["promotion"].isin(sel.promotions)
    mask_y = in_selection(y) & (sel.counts in ("foreign", "all") and sel.promotions is None)
    return mask_x, mask_y


def add_scenario_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """Min <= sum of x and/or y over a selection <= max  (MODEL.md rule 10, SCENARIO.md)."""
    for sel in inputs.selections:
        mask_x, mask_y = selection_masks(sel, m.x, m.y)
        terms = [*(m.x.loc[mask_x, "var"] if len(m.x) else []),
                 *(m.y.loc[mask_y, "var"] if len(m.y) else [])]
        expr = affine(terms)
        group = ("scenario", sel.name)
        if sel.lower is not None and sel.lower == sel.upper:
            m.add("scenario", f"{sel.label}", expr, "==", sel.lower, group=group)
            continue
        if sel.lower is not None:
            m.add("scenario", f"{sel.label}.min", expr, ">=", sel.lower, group=group)
        if sel.upper is not None:
            m.add("scenario", f"{sel.label}.max", expr, "<=", sel.upper, group=group)
