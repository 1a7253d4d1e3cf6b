"""Equity (NEED.md): the per-capita weighted unmet need of each delegation and the worst-off one.

`g[d] = 100000 / pop[d] * sum_s w[d] * imp[s] * (u[d,s] + A * a[d,s])`. The plan's figure is
always computed from its integers (`worst_off`); inside a model, `add_equity` writes `g[d]` as
an affine expression of the columns that carry each pair's unmet need and one column
`z >= g[d]` for every delegation. The objective gains `equity_weight * z`; the Pareto curve
(whatif/pareto.py) bounds `z` instead. The tie-breaking terms (eps_over, eps_foreign) are not
unmet need and never enter `g`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from optimiser.fastpath import need_at
from optimiser.inputs import ModelInputs
from optimiser.model.lp import linear

if TYPE_CHECKING:  # the model package imports this module (model/build.py)
    from optimiser.model.core import AllocationModel

PER = 100000.0
"""g is per 100,000 inhabitants, like the norms."""


def _scale(inputs: ModelInputs) -> np.ndarray:
    """100000 / pop[d] per pair position (0 for an empty delegation: it has no one to serve)."""
    pop = inputs.pairs["population"].to_numpy(float)
    return np.divide(PER, pop, out=np.zeros_like(pop), where=pop > 0)


def per_capita(inputs: ModelInputs, staff: np.ndarray) -> pd.Series:
    """g[d] for a staffing per pair position, indexed by delegation (sorted)."""
    p = inputs.pairs
    short = np.maximum(0.0, p["target"].to_numpy() - staff)
    absent = np.maximum(0.0, p["presence"].to_numpy() - staff)
    need = p["coef"].to_numpy() * (short + inputs.absence_penalty * absent) * _scale(inputs)
    return pd.Series(need).groupby(p.index.get_level_values("delegation").to_numpy()).sum()


def worst_off(inputs: ModelInputs, staff: np.ndarray) -> tuple[float, str | None]:
    """max_d g[d] and its delegation (the first in code order on a tie; None without one)."""
    g = per_capita(inputs, np.asarray(staff, dtype=float))
    if g.empty:
        return 0.0, None
    return float(g.max()), str(g.idxmax())


def _pair_need_terms(m: AllocationModel, inputs: ModelInputs) -> tuple[list, np.ndarray]:
    """(pair, variable, coefficient) terms and a constant per pair whose sum is the pair's
    unmet need w*imp*(u + A*a) at any integer plan of the model `m` (literal or hull)."""
    n = len(inputs.pairs)
    constant = need_at(inputs, np.arange(n), np.zeros(n))
    terms: list[tuple[int, pulp.LpVariable, float]] = []
    coef = inputs.pairs["coef"].to_numpy()
    if m.options.formulation != "hull":
        constant[list(m.added)] = 0.0  # the u, a columns carry the need of movable pairs
        for pos, u, a in m.pair_vars[["u", "a"]].itertuples():
            if u is not None:
                terms.append((pos, u, float(coef[pos])))
            if a is not None:
                terms.append((pos, a, float(coef[pos] * inputs.absence_penalty)))
        return terms, constant
    reached = np.zeros(n, dtype=bool)
    if len(m.y):
        reached[m.y["pair"].to_numpy(int)] = True
    x_pair = m.x["pair"].to_numpy(int) if len(m.x) else np.zeros(0, int)
    own = ~reached[x_pair]
    # pairs no contingent reaches: segment columns in order of their start (model/hull.py);
    # the need is linear on each segment (need and overstaffing are both convex, so a constant
    # total marginal means constant parts), its marginal is need(start + 1) - need(start)
    seg = m.x.loc[own, ["pair", "bound", "var"]]
    start = seg.groupby("pair")["bound"].cumsum().to_numpy(float) - seg["bound"].to_numpy(float)
    pair = seg["pair"].to_numpy(int)
    marginal = need_at(inputs, pair, start + 1) - need_at(inputs, pair, start)
    terms += [(p, v, float(c)) for p, v, c in zip(pair.tolist(), seg["var"], marginal.tolist(),
                                                  strict=True) if c != 0]
    terms += _reached_need(m, inputs, np.flatnonzero(reached), x_pair, constant)
    return terms, constant


def _reached_need(m: AllocationModel, inputs: ModelInputs, positions: np.ndarray,
                  x_pair: np.ndarray, constant: np.ndarray) -> list[tuple]:
    """Pairs contingents reach (hull model): a column n >= w*imp*(u + A*a) of the pair's new
    doctors t (every x and y column of the pair), from the two lines of MODEL.md's rules 2
    and 3. Exact for g: n only meets rows `z >= g`, so it sits on the need at any optimum."""
    p = inputs.pairs
    short = (p["target"] - p["base"]).to_numpy(float)
    absent = (p["presence"] - p["base"]).to_numpy(float)
    coef, big_a = p["coef"].to_numpy(), inputs.absence_penalty
    y_pair = m.y["pair"].to_numpy(int)
    terms = []
    for pos in positions.tolist():
        constant[pos] = 0.0
        if short[pos] <= 0:
            continue  # staff never falls below base: no need at any plan
        doctors = [*m.x["var"][x_pair == pos], *m.y["var"][y_pair == pos]]
        need = m.variable(f"n_{pos}")
        lines = [(1.0, short[pos])]  # rule 2: u >= short - t
        if absent[pos] > 0:  # rules 2 and 3: u + A*a >= short - t + A*(absent - t)
            lines.append((1.0 + big_a, short[pos] + big_a * absent[pos]))
        for i, (slope, rhs) in enumerate(lines):
            row = [(need, 1.0)] + [(v, coef[pos] * slope) for v in doctors]
            m.add("need", f"need[{pos},{i}]", linear(row), ">=", coef[pos] * rhs)
        terms.append((pos, need, 1.0))
    return terms


def add_equity(m: AllocationModel, inputs: ModelInputs,
               upper: float | None = None) -> pulp.LpVariable:
    """Add rows `equity[d]`: z >= g[d] for every delegation; returns z (bounded by `upper`)."""
    terms, constant = _pair_need_terms(m, inputs)
    scale = _scale(inputs)
    delegation = inputs.pairs.index.get_level_values("delegation").to_numpy(object)
    z = m.variable("z_equity", upper)
    by_d: dict[str, list[tuple]] = {}
    for pos, var, c in terms:
        by_d.setdefault(delegation[pos], []).append((var, -c * scale[pos]))
    fixed = pd.Series(constant * scale).groupby(delegation).sum()
    for d, const in fixed.items():
        m.add("equity", f"equity[{d}]", linear([(z, 1.0), *by_d.get(d, [])]), ">=", const)
    return z


def with_equity(m: AllocationModel, inputs: ModelInputs) -> AllocationModel:
    """The plan objective plus `equity_weight * max g` when the weight is positive."""
    weight = getattr(inputs, "equity_weight", 0.0)
    if weight > 0 and m.options.objective == "plan":
        z = add_equity(m, inputs)
        m.prob.setObjective(m.prob.objective + weight * z)
    return m
