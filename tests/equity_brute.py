"""Every feasible plan of a TINY instance with its equity figures, by enumeration.

A second reading of NEED.md's equity, independent of optimiser/equity.py: the checker's pair
costs (tests/checker.py) and enumeration of tests/bruteforce.py, then per delegation
g[d] = 100000 / pop[d] * sum_s unmet(d, s).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bruteforce import _fits, _options_x, _options_y
from checker import EPS_FOREIGN, Model


@dataclass(frozen=True)
class Figures:
    """One feasible plan: MODEL.md objective, total unmet need, max g and per-pair staff."""

    objective: float
    unmet: float
    max_g: float
    staff: tuple[int, ...]


def plans(model: Model, limit: int = 200_000) -> Iterator[Figures]:
    """Every feasible integer plan (rules 1-10) with its figures."""
    pairs = model.pairs()
    xs, ys = _options_x(model), _options_y(model)
    if len(xs) * len(ys) > limit:
        raise ValueError("instance too large for enumeration")
    caps = [model.cap.get(p) for p in pairs]
    bounds = [(sel.lo, sel.hi) for sel in model.constraints]
    bases = [model.base(d, s) for d, s in pairs]
    for xo in xs:
        for yo in ys:
            if not _fits(xo, yo, caps, bounds):
                continue
            staff = tuple(b + a + c for b, a, c in zip(bases, xo.add, yo.add, strict=True))
            objective = sum(model.pair_cost(d, s, t) for (d, s), t in
                            zip(pairs, staff, strict=True)) + EPS_FOREIGN * yo.count
            g: dict[str, float] = {d: 0.0 for d in model.delegations}
            unmet = 0.0
            for (d, s), t in zip(pairs, staff, strict=True):
                need = model.unmet(d, s, t)
                unmet += need
                g[d] += 100000 / model.pop[d] * need
            yield Figures(objective, unmet, max(g.values()), staff)


def best_with_equity(model: Model, weight: float) -> float | None:
    """min objective + weight * max g over every plan (None: infeasible)."""
    values = [f.objective + weight * f.max_g for f in plans(model)]
    return min(values) if values else None


def frontier(model: Model) -> list[tuple[float, float]]:
    """Non-dominated (unmet, max g) pairs among plans that are optimal for MODEL.md's objective
    under a bound on max g (the epsilon-constraint's points), least unmet first."""
    every = list(plans(model))
    out: list[tuple[float, float]] = []
    for eps in sorted({round(f.max_g, 9) for f in every}, reverse=True):
        best = min((f for f in every if f.max_g <= eps + 1e-9), key=lambda f: f.objective)
        point = (round(best.unmet, 6), round(best.max_g, 6))
        if not any(u <= point[0] and g <= point[1] for u, g in out):
            out.append(point)
    return out
