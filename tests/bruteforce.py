"""Exhaustive enumeration of every integer allocation of a TINY instance.

Written as enumeration rather than as a check so that it is a second, structurally different
reading of MODEL.md: blocks of national posts per (specialty, promotion) and of foreign doctors
per (contingent, specialty) are enumerated, infeasible combinations are filtered, and the best
objective wins. `build_plan` turns the optimum into a plan dict so that `check_plan` can
cross-check the enumeration's feasibility logic.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from checker import (
    CATEGORIES,
    EPS_FOREIGN,
    TOL,
    Model,
    category_split,
    objective,
)

XKey = tuple[str, str, int]  # (delegation, specialty, promotion)
YKey = tuple[str, str, str]  # (contingent, delegation, specialty)


@dataclass
class BruteResult:
    """Optimum found by enumeration (objective None = infeasible)."""

    objective: float | None
    x: dict[XKey, int]
    y: dict[YKey, int]
    examined: int

    @property
    def feasible(self) -> bool:
        return self.objective is not None


def distributions(total: int, caps: Sequence[int | None]) -> Iterator[tuple[int, ...]]:
    """Every way to put exactly `total` units into len(caps) slots, slot i holding <= caps[i]."""
    if not caps:
        if total == 0:
            yield ()
        return
    first = caps[0] if caps[0] is not None else total
    for k in range(min(first, total) + 1):
        for rest in distributions(total - k, caps[1:]):
            yield (k, *rest)


@dataclass
class _Option:
    """One enumerated choice: per-pair additions, per-constraint sums, and its decisions."""

    add: tuple[int, ...]
    sums: tuple[int, ...]
    count: int
    decisions: dict[Any, int]


def _blocks_x(model: Model) -> list[list[dict[XKey, int]]]:
    """Per (s,p): every distribution of its posts over delegations (all, or <= if optional)."""
    dels = model.delegations
    blocks = []
    for (s, p), n in sorted(model.posts.items()):
        caps = [model.cap.get((d, s)) for d in dels]
        totals = [n] if model.allocate_all else range(n + 1)
        block = [
            {(d, s, p): k for d, k in zip(dels, dist, strict=True) if k}
            for t in totals for dist in distributions(t, caps)
        ]
        blocks.append(block)
    return blocks


def _blocks_y(model: Model) -> list[list[dict[YKey, int]]]:
    """Per (c,s): every way of sending 0..size doctors to eligible delegations."""
    blocks = []
    for (c, s), n in sorted(model.size.items()):
        if c not in model.elig or n <= 0:
            continue
        dels = sorted(model.elig[c])
        caps = [model.cap.get((d, s)) for d in dels]
        block = [
            {(c, d, s): k for d, k in zip(dels, dist, strict=True) if k}
            for t in range(n + 1) for dist in distributions(t, caps)
        ]
        blocks.append(block)
    return blocks


def _y_allowed(model: Model, y: dict[YKey, int]) -> bool:
    """Team, sites and budget: the rules that involve foreign doctors only."""
    at: dict[tuple[str, str], int] = defaultdict(int)
    for (c, d, _), v in y.items():
        at[(c, d)] += v
    if any(v < model.team.get(c, 1) for (c, _), v in at.items()):
        return False
    for c in model.contingents:
        limit = model.sites.get(c)
        if limit is not None and sum(1 for (cc, _) in at if cc == c) > limit:
            return False
    if model.budget is not None:
        spent = sum(model.cost.get(c, 0.0) * v for (c, _, _), v in y.items())
        if spent > model.budget + TOL * max(1.0, model.budget):
            return False
    return True


def _combine(blocks: list[list[dict[Any, int]]]) -> Iterator[dict[Any, int]]:
    for parts in itertools.product(*blocks):
        merged: dict[Any, int] = {}
        for part in parts:
            merged.update(part)
        yield merged


def _options_x(model: Model) -> list[_Option]:
    index = {pair: i for i, pair in enumerate(model.pairs())}
    out = []
    for x in _combine(_blocks_x(model)):
        add = [0] * len(index)
        for (d, s, _), v in x.items():
            add[index[(d, s)]] += v
        sums = tuple(
            sum(v for (d, s, p), v in x.items() if sel.takes_post(d, s, p))
            for sel in model.constraints
        )
        out.append(_Option(tuple(add), sums, sum(x.values()), x))
    return out


def _options_y(model: Model) -> list[_Option]:
    index = {pair: i for i, pair in enumerate(model.pairs())}
    out = []
    for y in _combine(_blocks_y(model)):
        if not _y_allowed(model, y):
            continue
        add = [0] * len(index)
        for (_, d, s), v in y.items():
            add[index[(d, s)]] += v
        sums = tuple(
            sum(v for (_, d, s), v in y.items() if sel.takes_foreign(d, s))
            for sel in model.constraints
        )
        out.append(_Option(tuple(add), sums, sum(y.values()), y))
    return out


def brute_force(model: Model, max_pairs: int = 2_000_000) -> BruteResult:
    """Best objective over all feasible integer (x, y); raises if the space is too large."""
    pairs = model.pairs()
    xs, ys = _options_x(model), _options_y(model)
    if len(xs) * len(ys) > max_pairs:
        raise ValueError(f"{len(xs)} x {len(ys)} combinations: instance too large")
    bases = [model.base(d, s) for d, s in pairs]
    caps = [model.cap.get(pair) for pair in pairs]
    top = max((o.count for o in xs), default=0) + max((o.count for o in ys), default=0)
    costs = [[model.pair_cost(d, s, b + k) for k in range(top + 1)]
             for (d, s), b in zip(pairs, bases, strict=True)]
    bounds = [(sel.lo, sel.hi) for sel in model.constraints]
    best: tuple[float, _Option, _Option] | None = None
    for xo in xs:
        for yo in ys:
            if not _fits(xo, yo, caps, bounds):
                continue
            value = sum(
                row[a + b] for row, a, b in zip(costs, xo.add, yo.add, strict=True)
            ) + EPS_FOREIGN * yo.count
            if best is None or value < best[0] - 1e-12:
                best = (value, xo, yo)
    if best is None:
        return BruteResult(None, {}, {}, len(xs) * len(ys))
    return BruteResult(best[0], best[1].decisions, best[2].decisions, len(xs) * len(ys))


def _fits(
    xo: _Option, yo: _Option, caps: list[int | None], bounds: list[tuple[Any, Any]]
) -> bool:
    """Capacity (rule 5) and scenario bounds (rule 10) of one combination."""
    for cap, a, b in zip(caps, xo.add, yo.add, strict=True):
        if cap is not None and a + b > cap:
            return False
    for (lo, hi), a, b in zip(bounds, xo.sums, yo.sums, strict=True):
        if lo is not None and a + b < lo - TOL:
            return False
        if hi is not None and a + b > hi + TOL:
            return False
    return True


def build_plan(model: Model, x: dict[XKey, int], y: dict[YKey, int]) -> dict[str, Any]:
    """A plan.json-shaped dict for decisions (x, y), with the stable keys of SCENARIO.md."""
    national: dict[tuple[str, str], int] = defaultdict(int)
    foreign: dict[tuple[str, str], int] = defaultdict(int)
    for (d, s, _), v in x.items():
        national[(d, s)] += v
    for (_, d, s), v in y.items():
        foreign[(d, s)] += v
    rows, cats = [], dict.fromkeys(CATEGORIES, 0)
    for d, s in model.pairs():
        before = model.base(d, s)
        after = before + national[(d, s)] + foreign[(d, s)]
        t, m = model.target(d, s), model.threshold(d, s)
        split = category_split(national[(d, s)], before, model.dep.get((d, s), 0), m)
        for name, v in zip(CATEGORIES, split, strict=True):
            cats[name] += v
        rows.append({"delegation": d, "specialty": s, "target": t, "staff_before": before,
                     "staff_after": after, "shortfall": max(0.0, t - after),
                     "absence_shortfall": max(0.0, m - after)})
    return {
        "status": "optimal",
        "objective": objective(model, dict(national), dict(foreign)),
        "allocations": [{"delegation": d, "specialty": s, "promotion": p, "posts": v}
                        for (d, s, p), v in sorted(x.items())],
        "foreign": [{"contingent": c, "delegation": d, "specialty": s, "doctors": v}
                    for (c, d, s), v in sorted(y.items())],
        "delegations": rows,
        "posts_by_category": cats,
    }
