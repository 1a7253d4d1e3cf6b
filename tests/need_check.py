"""Independent readings of NEED.md's workload targets and reach, for tests only.

Small additions on top of tests/checker.py and tests/bruteforce.py (left unchanged): a
checker model whose targets come from targets.csv, and an exhaustive enumeration that keeps
only plans reaching at least `min_reach` delegations with a national post.
"""

from __future__ import annotations

import csv
from pathlib import Path

from bruteforce import BruteResult, _fits, _options_x, _options_y
from checker import EPS_FOREIGN, Model


def with_targets(model: Model, data_dir: Path) -> Model:
    """`model` with targets.csv rows replacing the norm-based target of their pair (the
    threshold min(pres, target) follows, since checker.Model.threshold calls target)."""
    path = Path(data_dir) / "targets.csv"
    if not path.exists():
        return model
    with path.open(newline="", encoding="utf-8-sig") as fh:
        given = {(r["delegation_code"].strip(), r["specialty_code"].strip()):
                 float(r["target"]) for r in csv.DictReader(fh)}
    norm_based = model.target

    def target(d: str, s: str) -> float:
        return given.get((d, s), norm_based(d, s))

    model.target = target  # type: ignore[method-assign]
    return model


def brute_force_reach(model: Model, min_reach: int) -> BruteResult:
    """The best plan over every feasible integer (x, y) whose national posts reach at least
    `min_reach` delegations (objective None: no such plan)."""
    pairs = model.pairs()
    xs, ys = _options_x(model), _options_y(model)
    caps = [model.cap.get(pair) for pair in pairs]
    bounds = [(sel.lo, sel.hi) for sel in model.constraints]
    delegation_of = [d for d, _ in pairs]
    best = None
    for xo in xs:
        if len({delegation_of[i] for i, a in enumerate(xo.add) if a > 0}) < min_reach:
            continue
        for yo in ys:
            if not _fits(xo, yo, caps, bounds):
                continue
            value = sum(model.pair_cost(d, s, model.base(d, s) + a + b)
                        for (d, s), a, b in zip(pairs, xo.add, yo.add, strict=True))
            value += EPS_FOREIGN * yo.count
            if best is None or value < best[0] - 1e-12:
                best = (value, xo, yo)
    if best is None:
        return BruteResult(None, {}, {}, len(xs) * len(ys))
    return BruteResult(best[0], best[1].decisions, best[2].decisions, len(xs) * len(ys))
