"""An independent reading of UPTAKE.md's expected objective, and a brute force over plans.

Imports nothing from `optimiser`: acceptance probabilities are re-read from uptake.csv with the
csv module, and a pair's expected cost is a sum over the acceptance outcomes of its posts:
every subset of accepted posts (2^n outcomes) up to ENUMERATE posts, beyond that the binomial
formula with math.comb. The plan enumeration reuses tests/bruteforce.py's feasible blocks.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

from bruteforce import _fits, _options_x, _options_y
from checker import EPS_FOREIGN, EPS_OVER, Model, Pair

ENUMERATE = 10
"""Pairs with at most this many posts are evaluated outcome by outcome."""


def read_uptake(data_dir: Path, model: Model) -> dict[Pair, float]:
    """p per (delegation, specialty): the pair's row, else the delegation's `*` row, else 1."""
    path = Path(data_dir) / "uptake.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig"))) if path.exists() else []
    given = {(r["delegation_code"].strip(), r["specialty_code"].strip()): float(r["p_accept"])
             for r in rows}
    return {(d, s): given.get((d, s), given.get((d, "*"), 1.0)) for d, s in model.pairs()}


def _outcomes(n: int, p: float) -> list[tuple[int, float]]:
    """(posts taken up, probability) over the acceptance outcomes of n posts."""
    if n <= ENUMERATE:
        out: dict[int, float] = {}
        for taken in itertools.product((0, 1), repeat=n):
            k = sum(taken)
            out[k] = out.get(k, 0.0) + p ** k * (1 - p) ** (n - k)
        return sorted(out.items())
    return [(k, math.comb(n, k) * p ** k * (1 - p) ** (n - k)) for k in range(n + 1)]


def expected_unmet(model: Model, d: str, s: str, p: float, national: int, foreign: int) -> float:
    """E[w*imp*(u + A*a)] of one pair with `national` posts (each taken up with p) and
    `foreign` doctors (who always come)."""
    base = model.base(d, s) + foreign
    return sum(prob * model.unmet(d, s, base + k) for k, prob in _outcomes(national, p))


def pair_cost(model: Model, d: str, s: str, p: float, national: int, foreign: int) -> float:
    """The pair's share of the expected objective: expected unmet need, plus the
    overstaffing tie-break on allocated numbers."""
    over = max(0.0, model.base(d, s) + national + foreign - model.target(d, s))
    return expected_unmet(model, d, s, p, national, foreign) + EPS_OVER * over


def expected_objective(model: Model, p: dict[Pair, float], national: dict[Pair, int],
                       foreign: dict[Pair, int]) -> tuple[float, float]:
    """(expected objective, expected weighted unmet need) of per-pair totals."""
    objective = unmet = 0.0
    for d, s in model.pairs():
        x, y = national.get((d, s), 0), foreign.get((d, s), 0)
        unmet += expected_unmet(model, d, s, p[(d, s)], x, y)
        objective += pair_cost(model, d, s, p[(d, s)], x, y)
    return objective + EPS_FOREIGN * sum(foreign.values()), unmet


def brute_force_expected(model: Model, p: dict[Pair, float],
                         max_pairs: int = 2_000_000) -> float | None:
    """Least expected objective over every feasible integer plan (None: infeasible)."""
    pairs = model.pairs()
    xs, ys = _options_x(model), _options_y(model)
    if len(xs) * len(ys) > max_pairs:
        raise ValueError(f"{len(xs)} x {len(ys)} combinations: instance too large")
    caps = [model.cap.get(pair) for pair in pairs]
    bounds = [(sel.lo, sel.hi) for sel in model.constraints]
    cache: dict[tuple[int, int, int], float] = {}

    def cost(i: int, x: int, y: int) -> float:
        if (i, x, y) not in cache:
            d, s = pairs[i]
            cache[(i, x, y)] = pair_cost(model, d, s, p[(d, s)], x, y)
        return cache[(i, x, y)]

    best = None
    for xo in xs:
        for yo in ys:
            if not _fits(xo, yo, caps, bounds):
                continue
            value = sum(cost(i, a, b) for i, (a, b) in enumerate(zip(xo.add, yo.add,
                                                                     strict=True)))
            value += EPS_FOREIGN * yo.count
            if best is None or value < best:
                best = value
    return best
