"""The receiver of one more post: where the integer optimum puts it, and what it gains.

The receiver (`receiver`, `receiver_gain` in plan.json["sensitivity"]) is the delegation whose
posts of the specialty rise when the *integer* model is solved with one more post, and the
exact objective decrease. It is what an integer re-solve gives, found as cheaply as the structure
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
    per variant, and one joint solve checks all coupled specialties at once: the least
    (optimum with one more post of s) + (greedy gain of s) over s is the base objective iff
    no specialty beats its greedy step; one that does leaves the check and is re-solved on
    its own (national plan: 2 joint solves and 1 re-solve, about 0.05 s each, instead of 9).
    With a scenario constraint by promotion, the literal model is re-solved per (specialty,
    promotion). When the greedy step reaches the optimum, that single move is reported (a
    re-solve may return any of the tied optima); when the optimum needs more (an extra post
    that frees a foreign doctor for another delegation), the optimum closest to the current
    plan among the changes the re-solve made is reported, with every change in
    `plan_changes`.

  Promotions of a specialty are interchangeable unless a scenario constraint selects by
  promotion, so each specialty is solved once and its rows share the answer.

Re-solves run when the instance is small enough (`RESOLVE_WORK`, decided by size, never by a
clock, so the same inputs give the same plan.json). Where they do not run, a coupled
specialty's receiver is the greedy step, `exact` false: a lower bound on the gain.
`integer_checked` counts the integer solves run.

The receiver used to be the best single step among the rows of the plan's allocation table
for that promotion: after the hull model's aggregated solve is split into promotions, those
rows are only the delegations that already received a post of that promotion, so the best
home of the next post (a delegation with none yet, e.g. SIDI_KACEM for URG on the national
plan, gain 6.48, against AL_HAOUZ 0.88) was never considered, and foreign doctors were never
moved.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimiser.highs_direct import quiet_highs
from optimiser.inputs import ModelInputs
from optimiser.model import AllocationModel
from optimiser.model.constraints import selection_pairs
from optimiser.pipeline import Run
from optimiser.results import plan_objective
from optimiser.solve import SolveStatus
from optimiser.uptake import step_gain as uptake_step_gain
from optimiser.uptake import uncertain
from optimiser.whatif.highs import INF, HighsModel, HighsOutcome, run_highs
from optimiser.whatif.receivers_engines import Engine, Envelope, LiteralEngine, pair_totals
from optimiser.whatif.reuse import IncompatibleVariant

TOL = 1e-6
SAME_GAIN = 1e-9
"""Gains closer than this are one value (HiGHS's optimality tolerance is 1e-9 here)."""
JOINT_TOL = 1e-7
"""A joint check passes when no re-solve beats its greedy step by more than this (HiGHS's
feasibility tolerance); a gain above it gets a re-solve of its own."""
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
        gain=(uptake_step_gain(inputs, posts, foreign) if uncertain(inputs)  # UPTAKE.md
              else step_gain(inputs, d["staff_after"].to_numpy(float))),
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


def _full_selections(inputs: ModelInputs, run: Run) -> dict[int, np.ndarray]:
    """Per promotion, the pairs where one more post of that promotion would break a scenario
    maximum (a selection on posts already at its bound)."""
    assert run.plan is not None
    at_max = [sel for sel, value in zip(inputs.selections, run.plan.scenario_values, strict=True)
              if sel.upper is not None and value["value"] + 1 > sel.upper + TOL
              and sel.counts in ("posts", "all")]
    covered = selection_pairs(inputs, at_max)
    out = {}
    for p in inputs.promotions:
        blocked = np.zeros(len(inputs.pairs), dtype=bool)
        for sel, pairs in zip(at_max, covered, strict=True):
            if sel.promotions is None or p in sel.promotions:
                blocked[pairs] = True
        out[p] = blocked
    return out


def _greedy(inputs: ModelInputs, base: _Base, blocked: np.ndarray, s: str
            ) -> tuple[int | None, float | None]:
    """Best pair position for one more post of `s`, the plan otherwise fixed, and its gain.

    Candidates: every pair of `s` with hosting capacity left and in no scenario selection
    already at its maximum (`blocked`). (None, 0.0) when the post is better left unallocated
    (allocate_all false), (None, None) when no pair can take it.
    """
    candidates = np.flatnonzero((base.specialty == s) & base.room & ~blocked)
    if not len(candidates):
        return None, (None if inputs.allocate_all else 0.0)
    gain = np.round(base.gain[candidates], 9)  # ties (to 1e-9) go to the first code
    order = np.lexsort((base.delegation[candidates], -gain))
    best = int(candidates[order[0]])
    if not inputs.allocate_all and base.gain[best] <= SAME_GAIN:
        return None, 0.0
    return best, float(base.gain[best])


def _closest(engine: Engine, base: _Base, values: np.ndarray, objective: float,
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

    members, lengths, before, free = _distance_groups(model, hm, base, values)
    k = len(lengths)
    upper = np.repeat(np.where(free, INF, 0.0), 2)
    h.addCols(2 * k, np.ones(2 * k), np.zeros(2 * k), upper, 0, np.zeros(2 * k, np.int32),
              np.zeros(0, np.int32), np.zeros(0))
    starts, index, value = _distance_rows(members, lengths, n_col)
    h.addRows(k, before, before, len(index), starts, index, value)
    closest = HighsModel(h, {}, {}, True)
    out = run_highs(closest, seconds, 0.0, None, None, {**engine.options, "presolve": "on"})
    if out.status is not SolveStatus.OPTIMAL:
        return None
    return out.col_value[:n_col]


def _distance_groups(model: AllocationModel, hm: HighsModel, base: _Base, values: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The quantities `_closest` measures, as groups of columns: national posts per pair (its
    x columns, pairs in increasing order) then each foreign-doctor column. Returns the member
    columns group after group, each group's length, its base-plan value and whether the
    re-solve changed it (only those may move)."""
    members, lengths, before, free = [], [], [], []
    if len(model.x):
        cols, pair = hm.col(model.x["var"]), model.x["pair"].to_numpy()
        moved = np.bincount(pair, weights=values[cols], minlength=len(base.posts))
        order = np.argsort(pair, kind="stable")
        pairs, counts = np.unique(pair[order], return_counts=True)
        b = base.posts[pairs].astype(float)
        members.append(cols[order])
        lengths.append(counts)
        before.append(b)
        free.append(np.round(moved[pairs]) != b)
    if len(model.y):
        keys = pd.MultiIndex.from_frame(model.y[["contingent", "delegation", "specialty"]])
        b = base.doctors.reindex(keys).fillna(0).to_numpy(float)
        cols = hm.col(model.y["var"])
        members.append(cols)
        lengths.append(np.ones(len(cols), np.int64))
        before.append(b)
        free.append(np.round(values[cols]) != b)

    def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return (joined(members, np.int32), joined(lengths, np.int64), joined(before, float),
            joined(free, bool))


def _distance_rows(members: np.ndarray, lengths: np.ndarray, first: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise entries of sum(group) - minus_i + plus_i = base value, one row per group; the
    slack pair of group i is columns first + 2i, first + 2i + 1. Built with array arithmetic:
    group i's members sit at their own position shifted by the 2i slacks before them."""
    k = len(lengths)
    shift = 2 * np.arange(k)
    ends = np.cumsum(lengths) + shift  # where each group's slack pair starts
    index = np.empty(len(members) + 2 * k, np.int32)
    value = np.empty(len(index), float)
    at = np.arange(len(members)) + np.repeat(shift, lengths)
    index[at], value[at] = members, 1.0
    index[ends], value[ends] = first + shift, -1.0
    index[ends + 1], value[ends + 1] = first + shift + 1, 1.0
    return (ends - lengths).astype(np.int32), index, value


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


def _resolve(engine: Engine, inputs: ModelInputs, base: _Base, variant: ModelInputs,
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
    row = _result(inputs, base, s, *pair_totals(inputs, engine.model, values, engine.hm))
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
                               *pair_totals(inputs, engine.model, np.rint(closest), engine.hm))
                if near["receiver_gain"] >= row["receiver_gain"] - SAME_GAIN:
                    row = near
    if not inputs.allocate_all and row["receiver_gain"] <= SAME_GAIN:
        row = {**_single(base, s, None, 0.0), "integer_changes": {}}
    return {**row, "receiver_method": method, "exact": optimal and base.proven,
            "integer_gain": row["receiver_gain"], "integer_status": out.status.value}


def receivers(inputs: ModelInputs, run: Run, resolve: bool | None,
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
    engine: Engine | None = None
    if resolve and to_solve:
        try:
            engine = LiteralEngine(highs, run.model) if by_promotion else Envelope(highs)
        except IncompatibleVariant as exc:
            why = f"integer re-solves skipped: {exc}"
    full = _full_selections(inputs, run)
    greedy = {key: _greedy(inputs, base, full[members[0][1] if key[1] is None else key[1]],
                           key[0]) for key, members in classes.items()}
    solves = 0
    confirmed: set[str] = set()
    if isinstance(engine, Envelope):
        confirmed, solves = _confirm_jointly(engine, base, {
            s: gain for (s, p), (_, gain) in greedy.items()
            if s in coupled and gain is not None}, seconds)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for (s, p), members in classes.items():
        promotion = members[0][1] if p is None else p
        pair, gain = greedy[(s, p)]
        if s not in coupled:
            row = {**_single(base, s, pair, gain), "receiver_method": "separable",
                   "exact": base.proven}
        elif engine is None:
            row = {**_single(base, s, pair, gain), "receiver_method": "lower bound",
                   "exact": False}
        elif s in confirmed:
            row = {**_single(base, s, pair, gain),
                   "receiver_method": "greedy step, confirmed by re-solve",
                   "exact": base.proven, "integer_gain": gain, "integer_status": "optimal",
                   "integer_changes": {} if pair is None else {base.delegation[pair]: 1}}
        else:
            posts = inputs.posts.copy()
            posts.loc[(s, promotion)] += 1
            variant = dataclasses.replace(highs, posts=posts)
            row = _resolve(engine, inputs, base, variant, s, (pair, gain), seconds)
            solves += 1
        for member in members:
            out[member] = row
    return out, solves, why


def _confirm_jointly(engine: Envelope, base: _Base, gains: dict[str, float], seconds: float
                     ) -> tuple[set[str], int]:
    """Specialties whose greedy step is an optimal +1 plan, found with few solves.

    One solve gives min over s of (optimum with one more post of s) + gains[s]: when it is
    the base objective (to JOINT_TOL), no specialty does better than its greedy step, all
    confirmed at once; otherwise the specialty that reaches it does better, leaves the set
    (it gets a re-solve of its own) and the rest are checked again. On the national plan:
    2 solves instead of 9 (TRAUMA leaves the set). Returns the confirmed specialties and
    the number of solves."""
    gains = {s: g for s, g in gains.items() if s in engine.specialties}
    solves = 0
    while gains:
        out, picked = engine.joint(gains, seconds)
        solves += 1
        if out.status is not SolveStatus.OPTIMAL:
            return set(), solves
        bound = out.best_bound if out.best_bound is not None else out.objective
        if bound is not None and bound >= base.objective - JOINT_TOL:
            return set(gains), solves
        if picked not in gains:
            return set(), solves
        del gains[picked]
    return set(), solves


# --------------------------------------------------------------------------- LP duals
