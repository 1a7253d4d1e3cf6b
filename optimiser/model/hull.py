"""The plan model in integer-hull form: MODEL.md's optimum, with a much tighter LP relaxation.

MODEL.md writes each pair's cost with continuous u, a, o above non-integer breakpoints
(target, presence). Staff is an integer, so only the cost at integer staff matters: this
formulation uses the piecewise-linear interpolation of that cost through the integers (its
convex hull), which is exact at every integer plan and makes the LP relaxation of the national
posts integral (a transportation problem with convex separable costs). What is left
fractional is the foreign deployment (binary b), tightened per pair by a disjunction on b:

- Pairs no contingent reaches: the cost is a sum of segments (fastpath.cost_segments), each
  an integer column with its marginal cost; a pair's posts are the sum of its segment columns
  (several `x` rows per pair, labelled like the pair, summed when the plan is tabulated).
- Pairs one contingent reaches: the convex hull of "b = 0: staff = base + x0" and
  "b = 1: staff = base + x1 + y" (perspective of the cost lines): x = x0 + x1, x0 <= X(1-b),
  x1 + y <= cap * b, cost0 >= alpha(1-b) + beta x0, cost1 >= alpha b + beta (x1 + y) for every
  line alpha + beta t of the interpolated cost. Without it the LP sends one doctor to many
  delegations on a sixth of a site each (national plan: LP bound 6267 vs optimum 6274).
- Pairs several contingents reach: x and the cost lines on x + sum y, capacity as a row.
- Under `uptake: expected`, pairs contingents reach whose posts may stay empty (p < 1): the
  cost is no longer a function of x + y; a disjunction on the number of foreign doctors
  (model/hull_uptake.py).

Same variables tables as the literal model (x, y, b labelled like the inputs), same rule-1 and
scenario rows (constraints.py), so results, selections and promotions splitting are shared.
Exactness is tested against the literal model and brute force (tests/test_hull.py).
Diagnosis of infeasible scenarios keeps the literal model: its rules are relaxable one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimiser.dependencies import involved_pairs
from optimiser.fastpath import cost_at, cost_segments
from optimiser.incentives import allowance_costs
from optimiser.inputs import ModelInputs
from optimiser.model import constraints as c
from optimiser.model.core import AllocationModel, affine
from optimiser.model.hull_uptake import uncertain_pair
from optimiser.model.lines import max_of_lines
from optimiser.model.lp import linear
from optimiser.model.variables import add_foreign_variables
from optimiser.uptake import uncertain

HIGHS_OPTIONS = {"presolve": "off"}
"""HiGHS presolve finds little to remove here (no dominated rows, segments already bounded)
and costs more than it saves (national plan, an earlier 3,219-column version of this model:
0.25-0.40 s with it, 0.15-0.19 s without)."""
PRESOLVE_FROM = 100
"""Scenario constraints from which presolve is left on: many of them are redundant rows
(a cap above what a pair can host) that presolve removes, and without it the LPs carry them
(national plan with 1,000 constraints: 0.41 s without presolve, 0.20 s with; 10,000:
11.9 s without, 1.3 s with)."""


def highs_options(inputs: ModelInputs) -> dict[str, object]:
    """HiGHS options for the hull model of these inputs (see HIGHS_OPTIONS, PRESOLVE_FROM).

    Presolve stays on under `uptake: expected` with p < 1: it removes many of the disjunction's
    rows (national dataset with acceptance below 1 everywhere: 0.28 s with it, 0.45 s without),
    and with equity (the rows `z >= g[d]` make the problem a real MIP, where presolve's probing
    and bound tightening pay: national plan with equity_weight 10, 1.0 s with it, 3.3 s without;
    the Pareto curve's points 2-3x faster).
    """
    if len(inputs.selections) >= PRESOLVE_FROM or uncertain(inputs) or inputs.equity_weight > 0:
        return {}
    return dict(HIGHS_OPTIONS)


def _post_bounds(inputs: ModelInputs) -> np.ndarray:
    """X[d,s] = min(posts of s over promotions, cap[d,s]): most posts a pair can take."""
    p = inputs.pairs
    specialty = p.index.get_level_values("specialty")
    posts = inputs.posts.groupby(level="specialty").sum().reindex(specialty).fillna(0)
    cap = p["cap"].to_numpy()
    bound = np.where(np.isnan(cap), posts.to_numpy(float), np.fmin(cap, posts.to_numpy(float)))
    return np.maximum(bound, 0.0).astype(np.int64)


@dataclass
class _Columns:
    """x rows being collected, and the labels every helper needs as plain arrays."""

    delegation: np.ndarray
    specialty: np.ndarray
    cap: np.ndarray
    rows: list[tuple] = field(default_factory=list)

    def x(self, m: AllocationModel, pos: int, bound: float, cost: float) -> pulp.LpVariable:
        """One national-posts column of pair `pos` (promotions aggregated: promotion 0)."""
        var = m.variable(f"x_{len(self.rows)}", float(bound), pulp.LpInteger)
        self.rows.append((self.delegation[pos], self.specialty[pos], 0, pos, float(bound),
                          var, cost))
        return var

    def label(self, pos: int) -> str:
        return f"{self.delegation[pos]},{self.specialty[pos]}"


def _lines(segments: pd.DataFrame, inputs: ModelInputs
           ) -> dict[int, list[tuple[float, float, float]]]:
    """Per pair, (alpha, beta, start) of each line alpha + beta * t of its interpolated cost
    (the line of the segment of integers from `start` on)."""
    pair = segments["pair"].to_numpy()
    starts = segments["start"].to_numpy(float)
    slopes = segments["cost"].to_numpy(float)
    alpha = cost_at(inputs, pair, starts) - slopes * starts
    out: dict[int, list[tuple[float, float, float]]] = {}
    for pos, a, b, k in zip(pair.tolist(), alpha.tolist(), slopes.tolist(), starts.tolist(),
                            strict=True):
        out.setdefault(pos, []).append((a, b, k))
    return out


def _usable_segments(inputs: ModelInputs, segments: pd.DataFrame) -> pd.DataFrame:
    """Drop segments no optimal plan can use, among pairs no contingent reaches.

    Pairs of one specialty that every scenario row treats alike (the same selections) are
    interchangeable but for their costs: k posts given to such a group go to its k cheapest
    units (each pair's units are in increasing cost order, so the cheapest k form a prefix of
    every pair). A group never takes more than the specialty's posts, so units beyond the
    cheapest `posts` of the group (ties kept) can go: on the national plan, about half the
    segment columns. Under min_reach pairs are not interchangeable (a post counts for its
    delegation's reach): every segment is kept.
    """
    if segments.empty or inputs.min_reach is not None:
        return segments
    pairs = inputs.pairs
    specialty = pairs.index.get_level_values("specialty").to_numpy(object)
    member = np.zeros((len(pairs), len(inputs.selections)), dtype=bool)
    for i, (sel, covered) in enumerate(zip(inputs.selections,
                                           c.selection_pairs(inputs, inputs.selections),
                                           strict=True)):
        if sel.counts in ("posts", "all"):
            member[covered, i] = True
    signature = pd.factorize(pd.Series([row.tobytes() for row in np.packbits(member, axis=1)]))[0] \
        if member.shape[1] else np.zeros(len(pairs), dtype=np.int64)
    allowance = allowance_costs(inputs)
    if allowance is not None:  # the budget row tells pairs apart by their allowance per post
        signature = pd.factorize(pd.Series(list(zip(signature, allowance, strict=True))))[0]
    involved = involved_pairs(inputs)
    if involved.any():  # dependency rows tell their pairs apart (optimiser/dependencies.py)
        signature = np.where(involved, signature.max() + 1 + np.arange(len(pairs)), signature)
    posts = inputs.posts.groupby(level="specialty").sum()
    table = segments.assign(specialty=specialty[segments["pair"].to_numpy()],
                            group=signature[segments["pair"].to_numpy()])
    table["posts"] = table["specialty"].map(posts).fillna(0).to_numpy(np.int64)
    table = table.sort_values(["specialty", "group", "cost", "pair", "start"], kind="stable")
    before = table.groupby(["specialty", "group"], sort=False)["count"].cumsum() - table["count"]
    # the first unit of a segment is among the group's `posts` cheapest, or ties with the last
    threshold = table.assign(before=before)[before < table["posts"]] \
        .groupby(["specialty", "group"], sort=False)["cost"].max()
    limit = pd.MultiIndex.from_frame(table[["specialty", "group"]]).map(threshold)
    keep = np.asarray(table["cost"].to_numpy() <= np.nan_to_num(limit.to_numpy(float),
                                                                 nan=-np.inf))
    return table[keep].sort_values(["pair", "start"], kind="stable")


def add_hull_posts(m: AllocationModel, inputs: ModelInputs) -> list[tuple]:
    """Post columns, and cost columns with their lines where contingents reach; returns the
    objective terms (the objective constant is set on `m`)."""
    pairs = inputs.pairs
    n = len(pairs)
    bound = _post_bounds(inputs)
    y = m.y
    y_pair = y["pair"].to_numpy(int) if len(y) else np.zeros(0, int)
    reach = np.bincount(y_pair, minlength=n)
    foreign = np.bincount(y_pair, weights=y["bound"].to_numpy(float) if len(y) else None,
                          minlength=n)
    cols = _Columns(pairs.index.get_level_values("delegation").to_numpy(object),
                    pairs.index.get_level_values("specialty").to_numpy(object),
                    pairs["cap"].to_numpy())
    reached_limit = np.where(np.isnan(cols.cap), bound + foreign,
                             np.fmin(cols.cap, bound + foreign))
    limit = np.where(reach > 0, reached_limit, bound).astype(np.int64)
    # where foreign doctors reach, segments count doctors of either kind: MODEL.md's costs
    segments = cost_segments(inputs, limit, certain=reach > 0)
    own = reach[segments["pair"].to_numpy()] == 0
    # equity (NEED.md) may need a unit that is never among the cheapest: keep every segment
    usable = segments[own] if inputs.equity_weight > 0 else _usable_segments(inputs,
                                                                             segments[own])
    terms: list[tuple] = []
    for pos, seg_count, seg_cost in zip(usable["pair"].tolist(), usable["count"].tolist(),
                                        usable["cost"].tolist(), strict=True):
        terms.append((cols.x(m, pos, seg_count, seg_cost), seg_cost))

    lines = _lines(segments[~own], inputs)
    y_of: dict[int, list[tuple]] = {}
    for row in zip(y_pair.tolist(), y["contingent"], y["delegation"], y["var"], strict=True) \
            if len(y) else []:
        y_of.setdefault(row[0], []).append(row[1:])
    b_of = {(cc, d): var for cc, d, var in m.b.itertuples(index=False)} if len(m.b) else {}
    m.added = {}
    chance = inputs.pairs["p_model"].to_numpy(float) < 1
    for pos in np.flatnonzero(reach > 0).tolist():
        if chance[pos] and bound[pos] > 0:  # posts may stay empty, foreign doctors come
            terms += uncertain_pair(m, cols, inputs, pos, int(bound[pos]), float(foreign[pos]),
                                    [var for _, _, var in y_of[pos]],
                                    b_of[y_of[pos][0][:2]] if reach[pos] == 1 else None)
            continue
        pair_lines = lines.get(pos) or [(float(cost_at(inputs, np.array([pos]),
                                                       np.zeros(1))[0]), 0.0, 0.0)]
        if reach[pos] == 1:
            contingent, delegation, y_var = y_of[pos][0]
            terms += _single_contingent_pair(m, cols, pos, int(bound[pos]), pair_lines,
                                             y_var, b_of[(contingent, delegation)])
        else:
            terms += _shared_pair(m, cols, pos, int(bound[pos]), pair_lines,
                                  [var for _, _, var in y_of[pos]])
    m.x = pd.DataFrame(cols.rows, columns=["delegation", "specialty", "promotion", "pair",
                                           "bound", "var", "cost"]).astype(
        {"promotion": np.int64, "pair": np.int64, "bound": float, "cost": float})
    # cost at no new doctor of every pair without a cost column; segments add marginals to it
    unreached = np.flatnonzero(reach == 0)
    m.objective_constant = float(cost_at(inputs, unreached, np.zeros(len(unreached))).sum())
    return terms


def _single_contingent_pair(m: AllocationModel, cols: _Columns, pos: int, bound: int,
                            lines: list[tuple[float, float, float]], y: pulp.LpVariable,
                            b: pulp.LpVariable) -> list[tuple]:
    """Disjunction on the contingent's b: the convex hull of the two staffing cases."""
    label = cols.label(pos)
    x0 = x1 = None
    if bound > 0:
        x0 = cols.x(m, pos, bound, 0.0)
        x1 = cols.x(m, pos, bound, 0.0)
        m.add("hull_off", f"hull_off[{label}]", linear([(x0, 1.0), (b, float(bound))]), "<=",
              bound)
        if not bound >= cols.cap[pos]:  # else the capacity row below says it
            m.add("hull_on", f"hull_on[{label}]", linear([(x1, 1.0), (b, -float(bound))]),
                  "<=", 0)
    cap = cols.cap[pos]
    if not np.isnan(cap):
        on = [(y, 1.0), (b, -float(cap))] + ([(x1, 1.0)] if x1 is not None else [])
        m.add("capacity", f"capacity[{label}]", linear(on), "<=", 0,
              group=("capacity", cols.specialty[pos]))
    # without b, staff grows by national posts only: lines beyond them never bind
    off_lines = [line for line in lines if line[2] == 0 or line[2] < bound]
    off_posts = [x0] if x0 is not None else []
    terms = _perspective_cost(m, f"cost_off[{label}]", off_lines, b, off_posts, deployed=False)
    on_doctors = [y, *([x1] if x1 is not None else [])]
    terms += _perspective_cost(m, f"cost_on[{label}]", lines, b, on_doctors, deployed=True)
    return terms


def _perspective_cost(m: AllocationModel, label: str, lines: list[tuple[float, float, float]],
                      b: pulp.LpVariable | None, doctors: list, deployed: bool) -> list[tuple]:
    """Objective terms of one case's cost: the max over lines of alpha * s + beta * doctors,
    where s = b when deployed, 1 - b when not, 1 without a disjunction (b None)."""
    share = [] if b is None else [(b, 1.0)] if deployed else [(b, -1.0)]
    return max_of_lines(m, label, lines, share, 0.0 if deployed else 1.0, doctors)


def _shared_pair(m: AllocationModel, cols: _Columns, pos: int, bound: int,
                 lines: list[tuple[float, float, float]], doctors: list) -> list[tuple]:
    """Several contingents: cost lines on x + sum y (the capacity row follows from m.added)."""
    if bound > 0:
        doctors = [*doctors, cols.x(m, pos, bound, 0.0)]
    m.added[pos] = affine(doctors)
    return _perspective_cost(m, f"cost[{cols.label(pos)}]", lines, None, doctors,
                             deployed=False)


def linked_by_capacity(m: AllocationModel, inputs: ModelInputs) -> np.ndarray:
    """Y rows whose deploy row y <= min(size, cap) * b is implied by the pair's capacity row
    x1 + y <= cap * b (pairs one contingent reaches, where the contingent could fill the
    capacity): a third of the rows on the national plan, never a different feasible set."""
    if m.y.empty:
        return np.zeros(0, dtype=bool)
    pair = m.y["pair"].to_numpy(int)
    single = np.bincount(pair, minlength=len(inputs.pairs))[pair] == 1
    cap = inputs.pairs["cap"].to_numpy()[pair]
    return single & ~np.isnan(cap) & (m.y["bound"].to_numpy(float) >= cap)


def _summed(terms: list[tuple], constant: float) -> object:
    """One linear expression from terms that may repeat a variable; (None, c) is a constant."""
    coefficient: dict[str, float] = {}
    variable: dict[str, pulp.LpVariable] = {}
    for var, coef in terms:
        if var is None:
            constant += coef
            continue
        coefficient[var.name] = coefficient.get(var.name, 0.0) + coef
        variable[var.name] = var
    return linear([(variable[name], c) for name, c in coefficient.items()], constant=constant)


def build_hull_model(inputs: ModelInputs, m: AllocationModel) -> AllocationModel:
    """Fill `m` (options.formulation == "hull") with the hull form of MODEL.md."""
    add_foreign_variables(m, inputs)
    terms = add_hull_posts(m, inputs)
    c.add_posts_constraints(m, inputs)
    c.add_capacity_constraints(m, inputs)  # pairs several contingents reach (m.added)
    c.add_contingent_size_constraints(m, inputs)
    c.add_team_constraints(m, inputs)
    c.add_deploy_constraints(m, inputs, skip=linked_by_capacity(m, inputs))
    c.add_sites_constraints(m, inputs)
    c.add_budget_constraint(m, inputs)
    c.add_scenario_constraints(m, inputs)
    c.add_reach_constraints(m, inputs)
    c.add_dependency_constraints(m, inputs)  # new doctors of a pair: its x and y columns
    terms += [(v, inputs.eps_foreign) for v in m.y["var"]] if len(m.y) else []
    m.prob.setObjective(_summed(terms, m.objective_constant))
    m.highs_options = highs_options(inputs)
    return m
