"""Sensitivity of a solved plan: what one more post is worth, where it goes, what each
constraint costs.

- LP duals (`marginal_value`, `shadow_cost`). The literal model with integrality dropped is
  solved once; the dual of `posts[s,p]` is the change in objective per extra post, the dual of
  a scenario row its shadow cost per unit of the bound. Duals are local and the LP relaxes the
  integer plan: estimates, labelled as such.
- The receiver of one more post (`receiver`, `receiver_gain`): the delegation whose posts of
  the specialty rise when the *integer* model is solved with one more post, and the exact
  objective decrease. It is what an integer re-solve gives, found as cheaply as the structure
  allows:

  * A specialty that no contingent offers and no scenario constraint on posts selects is
    separable: its posts compete with nothing else, its cost is convex and separable by
    delegation, and an optimum for n + 1 posts is an optimum for n plus the single best step
    (the greedy exchange argument). The best step over *every* delegation of the specialty
    (not only those already given a post of that promotion), with hosting capacity left and
    no binding scenario maximum, is then exact; no solve.
  * Otherwise (foreign doctors or scenario rows couple the specialty to the rest), the integer
    model is re-solved with one more post. On the plan's own hull formulation this is one
    HiGHS model built for "one more post of every specialty" whose posts rows are rewritten
    per specialty (about 0.05 s a specialty on the national plan); with a scenario constraint
    by promotion, on the literal model per (specialty, promotion). When the greedy step
    reaches the re-solved optimum, that single move is reported (the re-solve may return any
    of the tied optima); when the optimum needs more (an extra post that frees a foreign
    doctor for another delegation), the optimum closest to the current plan among the changes
    the re-solve made is reported, with every change in `plan_changes`.

  Promotions of a specialty are interchangeable unless a scenario constraint selects by
  promotion, so each specialty is solved once and its rows share the answer.

Re-solves run when the instance is small enough (`RESOLVE_WORK`, decided by size, never by a
clock, so the same inputs give the same plan.json). Where they do not run, a coupled
specialty's receiver is the greedy step, `exact` false: a lower bound on the gain.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimiser.highs_direct import quiet_highs
from optimiser.inputs import ModelInputs
from optimiser.model import AllocationModel, build_model
from optimiser.model.constraints import selection_pairs
from optimiser.output import json_ready
from optimiser.pipeline import Run, plan_build_options
from optimiser.results import plan_objective
from optimiser.solve import SolveStatus
from optimiser.whatif.highs import INF, HighsModel, HighsOutcome, run_highs, to_highs
from optimiser.whatif.reuse import IncompatibleVariant, ReusableModel, built_model
from optimiser.whatif.reuse_hull import NO_HEURISTICS

TOL = 1e-6
SAME_GAIN = 1e-9
"""Gains closer than this are one value (HiGHS's optimality tolerance is 1e-9 here)."""
RESOLVE_WORK = 25_000
"""Integer re-solves run by default when (delegation, specialty) pairs x re-solves (x
promotions on the literal model) is at most this: the national plan, 1,200 pairs x 9
specialties its contingents offer, is 10,800 (about half a second)."""


def step_gain(inputs: ModelInputs, staff: np.ndarray) -> np.ndarray:
    """Objective decrease per pair when its staff grows by one (MODEL.md objective terms)."""
    p = inputs.pairs
    t, m, coef = p["target"].to_numpy(), p["presence"].to_numpy(), p["coef"].to_numpy()
    a = inputs.absence_penalty

    def cost(s: np.ndarray) -> np.ndarray:
        return (coef * (np.maximum(0, t - s) + a * np.maximum(0, m - s))
                + inputs.eps_over * np.maximum(0, s - t))

    return cost(staff) - cost(staff + 1)


# --------------------------------------------------------------------------- the base plan


@dataclass(frozen=True)
class _Base:
    """The solved plan per pair position, and what one more doctor is worth at each pair."""

    posts: np.ndarray
    foreign: np.ndarray
    objective: float
    gain: np.ndarray
    """Objective decrease of one more national post at the pair, all else fixed."""
    room: np.ndarray
    """Pairs that can host one more doctor (no capacity, or capacity left)."""
    specialty: np.ndarray
    delegation: np.ndarray
    doctors: pd.Series
    """Foreign doctors per (contingent, delegation, specialty) of the plan."""
    proven: bool
    """The plan is a proven optimum (else gains are measured from a plan that may improve)."""


def _base(inputs: ModelInputs, run: Run) -> _Base:
    plan = run.plan
    assert plan is not None
    d = plan.delegations
    posts = d["posts"].to_numpy(np.int64)
    foreign = d["foreign"].to_numpy(np.int64)
    cap = inputs.pairs["cap"].to_numpy()
    y = run.model.y
    doctors = (pd.Series(np.asarray(run.result.y, dtype=np.int64),
                         index=pd.MultiIndex.from_frame(y[["contingent", "delegation",
                                                            "specialty"]]))
               if len(y) else pd.Series([], dtype=np.int64))
    return _Base(
        posts=posts, foreign=foreign, objective=plan.objective,
        gain=step_gain(inputs, d["staff_after"].to_numpy(float)),
        room=np.isnan(cap) | (posts + foreign + 1 <= cap + TOL),
        specialty=d["specialty"].to_numpy(object), delegation=d["delegation"].to_numpy(object),
        doctors=doctors,
        proven=run.result.status is SolveStatus.OPTIMAL and inputs.mip_gap == 0)


def _coupled(inputs: ModelInputs, run: Run) -> set[str]:
    """Specialties whose posts interact with the rest of the plan: offered by a contingent
    (foreign doctors share capacity and pairs), or selected by a scenario row on posts."""
    coupled = set(run.model.y["specialty"]) if len(run.model.y) else set()
    specialty = inputs.pairs.index.get_level_values("specialty").to_numpy(object)
    for sel, pairs in zip(inputs.selections, selection_pairs(inputs, inputs.selections),
                          strict=True):
        if sel.counts in ("posts", "all"):
            coupled |= set(specialty[pairs])
    return coupled


def _greedy(inputs: ModelInputs, run: Run, base: _Base, s: str, p: int
            ) -> tuple[int | None, float | None]:
    """Best pair position for one more post of (s, p), the plan otherwise fixed, and its gain.

    Candidates: every pair of `s` with hosting capacity left and in no scenario selection
    already at its maximum. (None, 0.0) when the post is better left unallocated (allocate_all
    false), (None, None) when no pair can take it.
    """
    ok = (base.specialty == s) & base.room
    assert run.plan is not None
    at_max = [sel for sel, value in zip(inputs.selections, run.plan.scenario_values, strict=True)
              if sel.upper is not None and value["value"] + 1 > sel.upper + TOL
              and sel.counts in ("posts", "all")
              and (sel.promotions is None or p in sel.promotions)]
    for pairs in selection_pairs(inputs, at_max):
        ok[pairs] = False
    candidates = np.flatnonzero(ok)
    if not len(candidates):
        return None, (None if inputs.allocate_all else 0.0)
    gain = np.round(base.gain[candidates], 9)  # ties (to 1e-9) go to the first code
    order = np.lexsort((base.delegation[candidates], -gain))
    best = int(candidates[order[0]])
    if not inputs.allocate_all and base.gain[best] <= SAME_GAIN:
        return None, 0.0
    return best, float(base.gain[best])


# --------------------------------------------------------------------------- re-solves


class _Envelope:
    """The hull model (the plan's formulation) built once for one more post of every
    specialty; a +1 variant rewrites only the posts rows.

    Exact for every variant: the hull's segment columns and disjunction bounds are valid for
    any number of posts up to the one it was built for (model/hull.py), and the posts rows
    then say how many there are.
    """

    def __init__(self, inputs: ModelInputs) -> None:
        self.totals = inputs.posts.groupby(level="specialty", sort=True).sum()
        posts = inputs.posts.copy()
        for s in self.totals.index:
            posts.loc[(s, posts.loc[s].index.min())] += 1
        envelope = dataclasses.replace(inputs, posts=posts)
        self.model: AllocationModel = build_model(envelope, plan_build_options(envelope))
        self.hm: HighsModel = to_highs(self.model)
        self.options = {**self.model.highs_options, **NO_HEURISTICS}
        self.rows = {s: self.hm.rows[("posts", f"posts[{s}]")] for s in self.totals.index
                     if ("posts", f"posts[{s}]") in self.hm.rows}
        self.allocate_all = inputs.allocate_all

    def load(self, variant: ModelInputs, s: str) -> _Envelope:
        """Write the variant (one more post of `s`) into the model; returns the engine."""
        del variant
        for code, row in self.rows.items():
            n = float(self.totals[code] + (code == s))
            self.hm.highs.changeRowBounds(row, n if self.allocate_all else -INF, n)
        return self


class _Literal:
    """The literal model (one variable per promotion), for scenarios that select promotions."""

    options: dict[str, object] = {}

    def __init__(self, inputs: ModelInputs, model: AllocationModel | None) -> None:
        self.rm = ReusableModel(inputs, built_model(inputs, model))
        self.model: AllocationModel = self.rm.model
        self.hm: HighsModel = self.rm.hm

    def load(self, variant: ModelInputs, s: str) -> _Literal:
        """Write the variant into the model; a variant that needs variables the model does
        not have (one more post of a row that had none) gets a model of its own."""
        del s
        if self.rm.incompatibility(variant) is not None:
            return _Literal(variant, None)
        self.rm._push(self.rm._numbers(variant, None))
        return self


_Engine = _Envelope | _Literal


def _totals(inputs: ModelInputs, model: AllocationModel, values: np.ndarray, hm: HighsModel
            ) -> tuple[np.ndarray, np.ndarray]:
    """National posts and foreign doctors per pair position from HiGHS column values."""
    n = len(inputs.pairs)
    out = []
    for table in (model.x, model.y):
        if not len(table):
            out.append(np.zeros(n, np.int64))
            continue
        v = values[hm.col(table["var"])]
        out.append(np.bincount(table["pair"].to_numpy(), weights=v, minlength=n)
                   .astype(np.int64))
    return out[0], out[1]


def _closest(engine: _Engine, base: _Base, values: np.ndarray, objective: float,
             seconds: float) -> np.ndarray | None:
    """Among the plans as good as the re-solve's, the one closest to the base plan: least
    sum of |change| of posts per pair and of foreign doctors per (contingent, delegation,
    specialty), changes allowed only where the re-solve made some (so ties it broke in
    passing are undone). Column values, or None if HiGHS did not prove it."""
    model, hm = engine.model, engine.hm
    lp = hm.highs.getLp()
    h = quiet_highs()
    h.passModel(lp)
    n_col = h.getNumCol()
    cost = np.asarray(lp.col_cost_, dtype=float)
    used = np.flatnonzero(cost)
    slack = 1e-9 * max(1.0, abs(objective))
    h.addRow(-INF, objective - float(lp.offset_) + slack, len(used), used.astype(np.int32),
             cost[used])
    h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.zeros(n_col))
    h.changeObjectiveOffset(0.0)

    groups: list[tuple[np.ndarray, float, bool]] = []  # (columns, base value, may change)
    if len(model.x):
        cols, pair = hm.col(model.x["var"]), model.x["pair"].to_numpy()
        moved = np.bincount(pair, weights=values[cols], minlength=len(base.posts))
        order = np.argsort(pair, kind="stable")
        for q, idx in zip(*np.unique(pair[order], return_index=True), strict=True):
            end = np.searchsorted(pair[order], q, side="right")
            groups.append((cols[order[idx:end]], float(base.posts[q]),
                           bool(round(moved[q]) != base.posts[q])))
    if len(model.y):
        keys = pd.MultiIndex.from_frame(model.y[["contingent", "delegation", "specialty"]])
        before = base.doctors.reindex(keys).fillna(0).to_numpy(float)
        cols = hm.col(model.y["var"])
        for col, b in zip(cols, before, strict=True):
            groups.append((np.array([col]), float(b), bool(round(values[col]) != b)))
    k = len(groups)
    upper = np.array([INF if free else 0.0 for _, _, free in groups for _ in range(2)])
    h.addCols(2 * k, np.ones(2 * k), np.zeros(2 * k), upper, 0, np.zeros(2 * k, np.int32),
              np.zeros(0, np.int32), np.zeros(0))
    lower = np.array([b for _, b, _ in groups])
    starts, index, value = [], [], []
    for i, (cols, _, _) in enumerate(groups):
        starts.append(len(index))
        index += [*cols.tolist(), n_col + 2 * i, n_col + 2 * i + 1]
        value += [1.0] * len(cols) + [-1.0, 1.0]
    h.addRows(k, lower, lower, len(index), np.array(starts, np.int32),
              np.array(index, np.int32), np.array(value, float))
    closest = HighsModel(h, {}, {}, True)
    out = run_highs(closest, seconds, 0.0, None, None, {**engine.options, "presolve": "on"})
    if out.status is not SolveStatus.OPTIMAL:
        return None
    return out.col_value[:n_col]


def _result(inputs: ModelInputs, base: _Base, s: str, posts: np.ndarray, foreign: np.ndarray
            ) -> dict[str, Any]:
    """Receiver, exact gain and every change of a +1 plan given per pair."""
    dp, df = posts - base.posts, foreign - base.foreign
    changed = np.flatnonzero((dp != 0) | (df != 0))
    changes = [{"delegation": base.delegation[q], "specialty": base.specialty[q],
                "posts": int(dp[q]), "foreign": int(df[q])} for q in changed]
    rises = [q for q in changed if base.specialty[q] == s and dp[q] > 0]
    receiver = min(rises, key=lambda q: (-dp[q], base.delegation[q])) if rises else None
    return {"receiver": None if receiver is None else base.delegation[receiver],
            "receiver_gain": base.objective - plan_objective(inputs, posts, foreign),
            "plan_changes": changes,
            "integer_changes": {base.delegation[q]: int(dp[q]) for q in changed
                                if base.specialty[q] == s and dp[q] != 0}}


def _single(base: _Base, s: str, pair: int | None, gain: float | None) -> dict[str, Any]:
    """The greedy step as a result row."""
    if pair is None:
        return {"receiver": None, "receiver_gain": gain, "plan_changes": []}
    return {"receiver": base.delegation[pair], "receiver_gain": gain,
            "plan_changes": [{"delegation": base.delegation[pair], "specialty": s,
                              "posts": 1, "foreign": 0}]}


def _resolve(engine: _Engine, inputs: ModelInputs, base: _Base, variant: ModelInputs,
             s: str, greedy: tuple[int | None, float | None], seconds: float
             ) -> dict[str, Any]:
    """One more post of `s` (variant), re-solved: the receiver row, exact when proven."""
    pair, gain = greedy
    single = _single(base, s, pair, gain)
    try:
        engine = engine.load(variant, s)
    except IncompatibleVariant as exc:
        return {**single, "receiver_method": "lower bound", "exact": False,
                "integer_status": f"not re-solved: {exc}"}
    out: HighsOutcome = run_highs(engine.hm, seconds, 0.0, None, None, engine.options)
    optimal = out.status is SolveStatus.OPTIMAL
    if out.status is SolveStatus.INFEASIBLE:
        return {"receiver": None, "receiver_gain": None, "plan_changes": [],
                "receiver_method": "re-solve", "exact": base.proven, "integer_gain": None,
                "integer_status": "infeasible", "integer_changes": {}}
    if not out.status.has_plan:
        return {**single, "receiver_method": "lower bound", "exact": False,
                "integer_status": out.status.value}
    values = np.rint(out.col_value)
    row = _result(inputs, base, s, *_totals(inputs, engine.model, values, engine.hm))
    if gain is not None and row["receiver_gain"] <= gain + SAME_GAIN:
        # the single greedy step is as good as the re-solve: report it, not a tied optimum
        row = {**single, "integer_changes": {} if pair is None else {base.delegation[pair]: 1}}
        method = "greedy step, confirmed by re-solve"
    else:
        method = "re-solve"
        if row["plan_changes"] and out.objective is not None:
            closest = _closest(engine, base, values, out.objective, seconds)
            if closest is not None:
                near = _result(inputs, base, s,
                               *_totals(inputs, engine.model, np.rint(closest), engine.hm))
                if near["receiver_gain"] >= row["receiver_gain"] - SAME_GAIN:
                    row = near
    if not inputs.allocate_all and row["receiver_gain"] <= SAME_GAIN:
        row = {**_single(base, s, None, 0.0), "integer_changes": {}}
    return {**row, "receiver_method": method, "exact": optimal and base.proven,
            "integer_gain": row["receiver_gain"], "integer_status": out.status.value}


def _receivers(inputs: ModelInputs, run: Run, resolve: bool | None,
               seconds: float) -> tuple[dict[tuple[str, int], dict[str, Any]], int, str]:
    """Receiver row per (specialty, promotion) of inputs.posts, re-solves run, and why not."""
    base = _base(inputs, run)
    coupled = _coupled(inputs, run)
    by_promotion = any(sel.promotions is not None for sel in inputs.selections)
    classes: dict[tuple[str, int | None], list[tuple[str, int]]] = {}
    for s, p in inputs.posts.index:
        key = (s, int(p)) if (s in coupled and by_promotion) else (s, None)
        classes.setdefault(key, []).append((s, int(p)))
    to_solve = [key for key in classes if key[0] in coupled]
    per_solve = max(len(inputs.promotions), 1) if by_promotion else 1
    work = len(inputs.pairs) * len(to_solve) * per_solve
    if resolve is None:
        resolve = work <= RESOLVE_WORK
    why = "" if resolve or not to_solve else (
        f"integer re-solves skipped: {len(to_solve)} re-solves x {len(inputs.pairs)} pairs"
        + (f" x {per_solve} promotions" if per_solve > 1 else "")
        + f" exceed {RESOLVE_WORK:,}")
    # re-solves use HiGHS in place whatever solved the plan (as the LP duals do)
    highs = dataclasses.replace(inputs, solver="highs")
    engine: _Engine | None = None
    if resolve and to_solve:
        try:
            engine = _Literal(highs, run.model) if by_promotion else _Envelope(highs)
        except IncompatibleVariant as exc:
            why = f"integer re-solves skipped: {exc}"
    out: dict[tuple[str, int], dict[str, Any]] = {}
    solved = 0
    for (s, p), members in classes.items():
        promotion = members[0][1] if p is None else p
        greedy = _greedy(inputs, run, base, s, promotion)
        if s not in coupled:
            row = {**_single(base, s, *greedy), "receiver_method": "separable",
                   "exact": base.proven}
        elif engine is None:
            row = {**_single(base, s, *greedy), "receiver_method": "lower bound",
                   "exact": False}
        else:
            posts = inputs.posts.copy()
            posts.loc[(s, promotion)] += 1
            variant = dataclasses.replace(highs, posts=posts)
            row = _resolve(engine, inputs, base, variant, s, greedy, seconds)
            solved += 1
        for member in members:
            out[member] = row
    return out, solved, why


# --------------------------------------------------------------------------- LP duals


def _lp_duals(inputs: ModelInputs, run: Run) -> tuple[dict, np.ndarray | None, str]:
    """Row map and row duals of the LP relaxation (None when the LP did not solve).

    Post variables are bounded by min(posts, cap) in the model; a delegation that takes every
    post of a row sits at that bound, and the dual would then ignore that one more post also
    raises it. The LP copy keeps only the capacity bound (rule 1 still caps the total).
    """
    model = built_model(inputs, run.model)
    hm = to_highs(model, mip=False)
    if len(model.x):
        cols = hm.col(model.x["var"])
        cap = inputs.pairs["cap"].to_numpy()[model.x["pair"].to_numpy()]
        upper = np.where(np.isnan(cap), INF, np.maximum(cap, 0.0))
        hm.highs.changeColsBounds(len(cols), cols, np.zeros(len(cols)), upper)
    out = run_highs(hm, min(inputs.time_limit_s, 10.0))
    if out.status.value != "optimal":
        return hm.rows, None, out.status.value
    return hm.rows, np.asarray(hm.highs.getSolution().row_dual, dtype=float), "optimal"


# --------------------------------------------------------------------------- entry point


def compute_sensitivity(inputs: ModelInputs, run: Run, resolve: bool | None = None,
                        check_seconds: float | None = None) -> dict:
    """Marginal value and receiver of one more post per (specialty, promotion), and scenario
    shadow costs. JSON-ready (plan.json["sensitivity"]).

    `resolve`: run the integer re-solves of coupled specialties (None: when the instance is
    within RESOLVE_WORK; False: never, their receivers are then greedy lower bounds).
    `check_seconds`: time limit of each re-solve (default: the scenario's); giving it also
    runs the re-solves whatever the size, unless `resolve` is False.
    """
    if run.plan is None:
        return {"available": False, "reason": f"no plan (status {run.result.status.value})"}
    rows, duals, lp_status = _lp_duals(inputs, run)

    def dual(family: str, label: str) -> float | None:
        row = rows.get((family, label))
        return None if duals is None or row is None else float(duals[row])

    if check_seconds is not None and resolve is None:
        resolve = True
    seconds = inputs.time_limit_s if check_seconds is None else check_seconds
    receivers, solved, skipped = _receivers(inputs, run, resolve, seconds)
    posts = []
    for (s, p), n in inputs.posts.items():
        d = dual("posts", f"posts[{s},{p}]")
        posts.append({"specialty": s, "promotion": int(p), "posts": int(n),
                      "marginal_value": None if d is None else -d,
                      **receivers[(s, int(p))]})
    posts.sort(key=lambda r: (-(r["marginal_value"] if r["marginal_value"] is not None
                                else r["receiver_gain"] or 0.0), r["specialty"], r["promotion"]))

    constraints = []
    for sel in inputs.selections:
        for suffix, bound, value in (("", "fix", sel.lower), (".min", "min", sel.lower),
                                     (".max", "max", sel.upper)):
            d = dual("scenario", f"{sel.label}{suffix}")
            if (("scenario", f"{sel.label}{suffix}") in rows):
                constraints.append({"name": sel.name, "description": sel.description,
                                    "bound": bound, "value": value, "shadow_cost": d})
    capacity = [{"delegation": label[9:-1].split(",")[0], "specialty": label[9:-1].split(",")[1],
                 "shadow_cost": float(duals[row])}
                for (family, label), row in rows.items()
                if family == "capacity" and duals is not None and abs(duals[row]) > TOL]
    capacity.sort(key=lambda c: c["shadow_cost"])
    return json_ready({
        "available": True,
        "method": {
            "marginal_value": "minus the LP-relaxation dual of posts[s,p]: objective decrease "
                              "per extra post (an estimate)",
            "receiver": "delegation whose posts of the specialty rise in an optimal integer "
                        "plan with one more post (the one closest to the current plan), "
                        "every change in plan_changes",
            "receiver_gain": "objective decrease of that plan: exact when `exact` is true, "
                             "else the gain of the best single move (a lower bound)",
            "receiver_method": "separable: the specialty interacts with nothing else and "
                               "the best single move is optimal (no solve); greedy step, "
                               "confirmed by re-solve / re-solve: the integer model re-solved "
                               "with one more post; lower bound: not re-solved",
            "shadow_cost": "LP-relaxation dual: objective change per +1 on the bound"},
        "lp_status": lp_status,
        "posts": posts,
        "scenario_constraints": constraints,
        "budget_shadow_cost": dual("budget", "budget"),
        "capacity": capacity[:10],
        "integer_checked": solved,
        "receivers_exact": all(r["exact"] for r in posts),
        **({"note": skipped} if skipped else {}),
    })

