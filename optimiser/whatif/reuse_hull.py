"""The hull plan model (model/hull.py) in HiGHS, re-solved across the points of a sweep.

A sweep point usually moves a scenario bound, a contingent size or the budget. In the hull
model those are row bounds, column bounds and the big-M of y <= min(size, cap) * b: the built
model is kept and only those numbers are rewritten (InPlaceModel). Anything that changes a
pair's cost lines (norms, weights, staff, capacity, absence penalty) or the posts (they shape
the segments and the disjunction bounds) changes the matrix: refused, the sweep builds anew.

Why the variant's optimum is the one solved: its own build would have the same columns and
rows except (a) where its supply is 0 a y column with upper bound 0 (and its b, which the team
row then keeps at 0 or, with no minimum team, leaves free at no cost), (b) cost lines computed
up to the base model's staffing limit, valid as long as no y bound grows (checked), (c) a
deploy row y <= min(size, cap) * b where the base model let the capacity row
x1 + y <= cap * b link y to b: the same integer plans, only a looser LP. Each
re-solve starts from the previous point's plan, without presolve and primal heuristics: on the
national instance that is 0.10 s a point against 0.16-0.40 s for a cold default solve.
"""

from __future__ import annotations

import numpy as np

from optimiser.inputs import ModelInputs
from optimiser.model import build_model
from optimiser.model.hull import HIGHS_OPTIONS
from optimiser.pipeline import plan_build_options
from optimiser.whatif.highs import INF
from optimiser.whatif.reuse import IncompatibleVariant, InPlaceModel, _Numbers

NO_HEURISTICS = {f"mip_heuristic_run_{name}": False
                 for name in ("feasibility_jump", "rins", "rens", "root_reduced_cost")}


class HullReusable(InPlaceModel):
    """One hull model in HiGHS; compatible variants rewrite bounds and right-hand sides."""

    highs_options = {**HIGHS_OPTIONS, **NO_HEURISTICS}
    warm_start = True

    def __init__(self, inputs: ModelInputs, threads: int | None = None) -> None:
        reason = _unsupported(inputs)
        if reason is not None:
            raise IncompatibleVariant(reason)
        super().__init__(inputs, build_model(inputs, plan_build_options(inputs)), threads)
        # The formulation's own options (presolve on from hull.PRESOLVE_FROM constraints).
        self.highs_options = {**self.model.highs_options, **NO_HEURISTICS}
        lp = self.hm.highs.getLp()
        self.base_cost = np.asarray(lp.col_cost_, dtype=float)
        self.base_offset = float(lp.offset_)
        self.y_bound = self.hm.col_upper[self.y_col].copy()
        self.posts_total = inputs.posts.groupby(level="specialty").sum()
        keys = {s: ("posts", f"posts[{s}]") for s in self.posts_total.index}
        self.posts_rows = {s: self.hm.rows[key] for s, key in keys.items() if key in self.hm.rows}

    def incompatibility(self, v: ModelInputs) -> str | None:
        """Why the variant needs its own build (None when this model solves it exactly)."""
        base = self.inputs
        reason = _unsupported(v)
        if reason is not None:
            return reason
        if v.dataset is not base.dataset and not v.pairs.index.equals(base.pairs.index):
            return "different dataset"
        if not v.pairs.equals(base.pairs):
            return "pair costs or capacities differ (norms, weights, staff or capacity)"
        if (v.absence_penalty, v.eps_over, v.eps_foreign) != (
                base.absence_penalty, base.eps_over, base.eps_foreign):
            return "different objective weights"
        if not v.posts.equals(base.posts):
            return "different posts"
        if not (v.contingents.equals(base.contingents)
                and v.eligibility.equals(base.eligibility)):
            return "different contingent terms"
        supply = set(v.supply[v.supply > 0].index)
        if not supply <= self.supply_support:
            return f"new contingent supply {sorted(supply - self.supply_support)[:3]}"
        upper = self.hm.col_upper.copy()
        if np.any(self._foreign_bounds(v, upper) > self.y_bound):
            return "more foreign doctors at a pair than the model was built for"
        return self._shared_incompatibility(v)

    def _numbers(self, v: ModelInputs, x_lower: np.ndarray | None) -> _Numbers:
        if x_lower is not None:
            raise IncompatibleVariant("the hull model has no per-delegation post columns")
        hm = self.hm
        lower, upper = hm.col_lower.copy(), hm.col_upper.copy()
        cost = self.base_cost.copy()  # y's cost includes cost lines: weights are checked equal
        y_bound = self._foreign_bounds(v, upper)
        row_lo, row_up = hm.row_lower.copy(), hm.row_upper.copy()
        for s, row in self.posts_rows.items():
            n = float(self.posts_total.get(s, 0))
            row_lo[row], row_up[row] = (n if v.allocate_all else -INF), n
        self._shared_rows(v, row_lo, row_up)
        return _Numbers(lower, upper, cost, row_lo, row_up, self.base_offset,
                        -np.where(y_bound > 0, y_bound, 1.0))


def _unsupported(inputs: ModelInputs) -> str | None:
    if inputs.solver != "highs":
        return "only HiGHS models can be re-solved in place"
    if plan_build_options(inputs).formulation != "hull":
        return "a scenario constraint selects by promotion (literal model)"
    return None
