"""One function per constraint family of MODEL.md, each named after the rule it enforces.

Each function states its rule in the docstring, builds its rows from grouped tables (one pass,
no lookups inside loops) and returns early when there is no data. Labels are readable
(`posts[ANES,2024]`, `capacity[TATA,ANES]`) and are what diagnostics print.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pulp

from optimiser.dependencies import add_dependency_rows
from optimiser.incentives import allowance_costs
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


def _pair_labels(inputs: ModelInputs) -> list[str]:
    """`d,s` of every pair position, formatted once (indexing a MultiIndex per row is slow)."""
    return [f"{d},{s}" for d, s in inputs.pairs.index]


def add_shortfall_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """u[d,s] >= target[d,s] - staff[d,s]  (MODEL.md rule 2), with staff = base + added."""
    rhs = (inputs.pairs["target"] - inputs.pairs["base"]).to_numpy()
    labels = _pair_labels(inputs)
    for pos, u in m.pair_vars["u"].dropna().items():
        expr = m.added[pos] + u
        m.add("shortfall", f"shortfall[{labels[pos]}]", expr, ">=", rhs[pos])


def add_absence_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """a[d,s] >= m[d,s] - staff[d,s]  (MODEL.md rule 3): the first missing doctors."""
    rhs = (inputs.pairs["presence"] - inputs.pairs["base"]).to_numpy()
    labels = _pair_labels(inputs)
    for pos, a in m.pair_vars["a"].dropna().items():
        expr = m.added[pos] + a
        m.add("absence", f"absence[{labels[pos]}]", expr, ">=", rhs[pos])


def add_overstaffing_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """o[d,s] >= staff[d,s] - target[d,s]  (MODEL.md rule 4)."""
    rhs = (inputs.pairs["base"] - inputs.pairs["target"]).to_numpy()
    labels = _pair_labels(inputs)
    for pos, o in m.pair_vars["o"].items():
        expr = o - m.added[pos]
        m.add("overstaffing", f"overstaffing[{labels[pos]}]", expr, ">=", rhs[pos])


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
    """Sum cost[c] * y[c,d,s] + sum allowance[d,s] * x[d,s,p] <= budget  (MODEL.md rule 9,
    only when a budget is set; allowance terms come from scenario incentives, every x column
    of a pair carrying its allowance per post: optimiser/incentives.py)."""
    allowance = allowance_costs(inputs)
    paid = allowance is not None and len(m.x) and bool(allowance[m.x["pair"].to_numpy()].any())
    if inputs.budget is None or (m.y.empty and not paid):
        return
    terms = []
    if len(m.y):
        cost = inputs.contingents["cost_per_doctor"].reindex(m.y["contingent"]).to_numpy(float)
        terms = [(v, float(c)) for v, c in zip(m.y["var"], cost, strict=True) if c != 0]
    if paid:
        per_post = allowance[m.x["pair"].to_numpy()]
        terms += [(v, float(c)) for v, c in zip(m.x["var"], per_post, strict=True) if c != 0]
    m.add("budget", "budget", linear(terms), "<=", inputs.budget,
          group=("budget",))


def selection_pairs(inputs: ModelInputs, selections: Sequence[Selection]) -> list[np.ndarray]:
    """Pair positions (in inputs.pairs) each selection covers: its delegations x specialties,
    read from one (delegation, specialty) -> position grid, ascending."""
    index = inputs.pairs.index
    delegations, specialties = index.levels
    grid = np.full((len(delegations), len(specialties)), -1, dtype=np.int64)
    grid[index.codes[0], index.codes[1]] = np.arange(len(index))
    d_of = {code: i for i, code in enumerate(delegations)}
    s_of = {code: i for i, code in enumerate(specialties)}
    out = []
    for sel in selections:
        d = np.fromiter((d_of[c] for c in sel.delegations if c in d_of), dtype=np.int64)
        s = np.fromiter((s_of[c] for c in sel.specialties if c in s_of), dtype=np.int64)
        pairs = grid[np.ix_(d, s)].ravel()
        out.append(np.sort(pairs[pairs >= 0]))
    return out


class _RowsByPair:
    """A table's rows grouped by pair once, so that any set of pairs maps to its rows with a
    few array operations (no scan of the table per selection)."""

    def __init__(self, table: pd.DataFrame, n_pairs: int) -> None:
        pair = table["pair"].to_numpy(np.int64) if len(table) else np.zeros(0, np.int64)
        self.order = np.argsort(pair, kind="stable")
        self.starts = np.searchsorted(pair[self.order], np.arange(n_pairs + 1))

    def rows(self, pairs: np.ndarray) -> np.ndarray:
        """Positions of the rows of these pairs, ascending (the table's own order)."""
        begin, length = self.starts[pairs], self.starts[pairs + 1] - self.starts[pairs]
        offset = np.repeat(begin - (np.cumsum(length) - length), length)
        return np.sort(self.order[offset + np.arange(int(length.sum()))])


def selection_rows(inputs: ModelInputs, x: pd.DataFrame, y: pd.DataFrame,
                   selections: Sequence[Selection] | None = None
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each selection (default: all of inputs.selections), the positions of the rows of
    `x` and of `y` it sums over. Both tables need a `pair` column (any table keyed like the
    model's: the literal, hull, greedy or per-promotion x).

    Foreign doctors have no promotion: a promotion filter selects national posts only.
    Linear in the selections' sizes: 10,000 selections in well under a second, where a scan
    of both tables per selection took minutes.
    """
    selections = inputs.selections if selections is None else selections
    n = len(inputs.pairs)
    by_x, by_y = _RowsByPair(x, n), _RowsByPair(y, n)
    promotion = x["promotion"].to_numpy() if len(x) else np.zeros(0, np.int64)
    none = np.zeros(0, np.int64)
    out = []
    for sel, pairs in zip(selections, selection_pairs(inputs, selections), strict=True):
        rows_x = by_x.rows(pairs) if sel.counts in ("posts", "all") else none
        if sel.promotions is not None:
            rows_x = rows_x[np.isin(promotion[rows_x], list(sel.promotions))]
        foreign = sel.counts in ("foreign", "all") and sel.promotions is None
        out.append((rows_x, by_y.rows(pairs) if foreign else none))
    return out


def add_scenario_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """Min <= sum of x and/or y over a selection <= max  (MODEL.md rule 10, SCENARIO.md)."""
    x_var = m.x["var"].to_numpy(object) if len(m.x) else np.zeros(0, object)
    y_var = m.y["var"].to_numpy(object) if len(m.y) else np.zeros(0, object)
    rows = selection_rows(inputs, m.x, m.y)
    for sel, (rows_x, rows_y) in zip(inputs.selections, rows, strict=True):
        expr = affine([*x_var[rows_x], *y_var[rows_y]])
        group = ("scenario", sel.name)
        if sel.lower is not None and sel.lower == sel.upper:
            m.add("scenario", f"{sel.label}", expr, "==", sel.lower, group=group)
            continue
        if sel.lower is not None:
            m.add("scenario", f"{sel.label}.min", expr, ">=", sel.lower, group=group)
        if sel.upper is not None:
            m.add("scenario", f"{sel.label}.max", expr, "<=", sel.upper, group=group)


def add_reach_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """r[d] <= sum_{s,p} x[d,s,p] and sum_d r[d] >= min_reach  (NEED.md reach).

    r[d] is binary: a delegation counts as reached only when it receives a national post. A
    delegation that can host no post has no r (it can never count). The sum row is a relaxable
    group, so an unreachable k is explained like any other conflict (`reach` in messages).
    Works on any x table (literal, per promotion, or the hull's segment columns: their sum per
    delegation is its posts).
    """
    if inputs.min_reach is None:
        return
    reached = []
    for i, ((d,), expr) in enumerate(_grouped_sums(m.x, ["delegation"]).items()):
        r = m.variable(f"reach_{i}", 1.0, pulp.LpBinary)
        m.add("reach_link", f"reach[{d}]", r - expr, "<=", 0)
        reached.append(r)
    m.add("reach", "reach", affine(reached), ">=", inputs.min_reach, group=("reach",))


def add_dependency_constraints(m: AllocationModel, inputs: ModelInputs) -> None:
    """New doctors of s at d only where staff_after[d, r] >= min_required, for every rule
    s -> r of dependencies.csv (NEED.md; rows and big-M in optimiser/dependencies.py)."""
    add_dependency_rows(m, inputs)
