"""A built AllocationModel as a HiGHS model we own, with columns and rows keyed like the model.

Why not re-use PuLP's HiGHS interface: it orders columns differently in PuLP 3.3 (sorted by
name) and PuLP 4 (creation order), passes the objective constant only in PuLP 4, and keeps no
map from our constraint labels to HiGHS rows. The what-if tools change bounds and right-hand
sides in place and read duals by label, so they need that map under both PuLP versions. The
model is passed in one `passModel` call from row-wise arrays, which is also faster than PuLP
3.3's column-by-column transfer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pulp

from optimiser.highs_direct import quiet_highs
from optimiser.model import AllocationModel
from optimiser.solve import SolveStatus, highs_outcome

INF = highspy.kHighsInf
RowKey = tuple[str, str]
"""(family, label), e.g. ("posts", "posts[ANES,2024]")."""


@dataclass
class HighsModel:
    """A HiGHS copy of an AllocationModel and the maps from its names to columns and rows."""

    highs: highspy.Highs
    cols: dict[str, int]
    """Variable name -> column."""
    rows: dict[RowKey, int]
    """(family, label) -> row."""
    is_mip: bool
    col_lower: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    col_upper: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    row_lower: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    row_upper: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def col(self, variables: object) -> np.ndarray:
        """Columns of a sequence of PuLP variables (e.g. `model.x["var"]`)."""
        return np.fromiter((self.cols[v.name] for v in variables), dtype=np.int32)  # type: ignore[attr-defined]

    def row(self, family: str, label: str) -> int:
        """Row of a constraint label (KeyError when the model has no such row)."""
        return self.rows[(family, label)]


def _model_variables(model: AllocationModel) -> list[pulp.LpVariable]:
    """Every variable of the model: PuLP's list plus table variables no row mentions."""
    seen: dict[str, pulp.LpVariable] = {v.name: v for v in model.prob.variables()}
    tables = [model.x.get("var", []), model.y.get("var", []), model.b.get("var", [])]
    if len(model.pair_vars):
        tables += [model.pair_vars[c].dropna() for c in ("u", "a", "o")]
    for column in tables:
        for v in column:
            seen.setdefault(v.name, v)
    return list(seen.values())


def to_highs(model: AllocationModel, mip: bool = True) -> HighsModel:
    """Copy the model into a fresh Highs instance (integrality dropped when `mip` is False).

    The objective constant (pairs nothing can change) is passed as the HiGHS offset, so the
    solver's objective is the plan's.
    """
    variables = _model_variables(model)
    cols = {v.name: j for j, v in enumerate(variables)}
    n = len(variables)
    lower = np.array([-INF if v.lowBound is None else float(v.lowBound) for v in variables])
    upper = np.array([INF if v.upBound is None else float(v.upBound) for v in variables])
    integer = np.array([v.cat in (pulp.LpInteger, pulp.LpBinary) for v in variables], bool)
    cost = np.zeros(n)
    offset = 0.0
    if model.prob.objective is not None:
        for v, c in model.prob.objective.items():
            cost[cols[v.name]] = c
        offset = float(model.prob.objective.constant)

    rows: dict[RowKey, int] = {}
    starts, index, value, row_lower, row_upper = [], [], [], [], []
    for family, labelled in model.constraints.items():
        for label, con in labelled.items():
            rows[(family, label)] = len(starts)
            starts.append(len(index))
            for v, c in con.items():
                if c != 0:
                    index.append(cols[v.name])
                    value.append(c)
            lb, ub = con.getLb(), con.getUb()
            row_lower.append(-INF if lb is None else float(lb))
            row_upper.append(INF if ub is None else float(ub))

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(starts)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = np.array(row_lower, float), np.array(row_upper, float)
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(starts)
    lp.a_matrix_.start_ = np.array([*starts, len(index)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    is_mip = bool(mip and integer.any())
    if is_mip:
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                           highspy.HighsVarType.kContinuous for i in integer]
    h = quiet_highs()
    h.passModel(lp)
    return HighsModel(h, cols, rows, is_mip, lower, upper,
                      np.array(row_lower, float), np.array(row_upper, float))


@dataclass(frozen=True)
class HighsOutcome:
    """What one HiGHS run said, in the core's status vocabulary (optimiser.solve)."""

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    seconds: float
    col_value: np.ndarray


def run_highs(hm: HighsModel, time_limit_s: float, mip_gap: float = 0.0,
              incumbent: np.ndarray | None = None, threads: int | None = None,
              options: dict[str, object] | None = None) -> HighsOutcome:
    """Solve with a time limit; status, objective and bound as `optimiser.solve.highs_outcome`.

    `incumbent` (a full column vector) is offered to the MIP solver as a starting plan; HiGHS
    ignores it when it is not feasible. `threads` caps HiGHS's threads (parallel sweeps run one
    solve per core rather than two solves fighting over both). `options` are further HiGHS
    options (a formulation's own, see model/hull.py).
    """
    h = hm.highs
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", float(max(time_limit_s, 1e-3)))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("mip_abs_gap", 1e-9)
    if incumbent is not None and hm.is_mip:
        idx = np.arange(len(incumbent), dtype=np.int32)
        h.setSolution(len(idx), idx, np.asarray(incumbent, dtype=float))
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    status, objective, bound = highs_outcome(h, hm.is_mip)
    values = np.asarray(h.getSolution().col_value, dtype=float) if objective is not None \
        else np.zeros(len(hm.cols))
    return HighsOutcome(status, objective, bound, seconds, values)
