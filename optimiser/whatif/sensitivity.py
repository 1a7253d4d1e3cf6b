"""Sensitivity of a solved plan: what one more post is worth, and what each constraint costs.

Three sources, cheapest first, each labelled in the output:
- LP duals. The model with integrality dropped is solved once (about 0.2 s on the national
  instance); the dual of `posts[s,p]` is the change in objective per extra post, the dual of a
  scenario row its shadow cost per unit of the bound. Duals are local and the LP relaxes the
  integer plan, so they are estimates.
- The greedy receiver. For each (specialty, promotion), the delegation where one extra post
  lowers the *integer* plan's objective most, all else fixed, among those that may still take
  it (variable exists, hosting capacity left, no binding scenario maximum). Its gain is exact
  for that move and a lower bound on the re-optimised gain.
- Integer re-solve (the cross-check). For the top specialties by marginal value, the integer
  model is solved again with one more post, on the same HiGHS model (only a right-hand side
  and some bounds change). That gain is exact; it runs only within a time budget, by default
  only when the plan itself solved fast, so a national solve stays well under one extra second.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import pandas as pd

from optimiser.inputs import ModelInputs
from optimiser.model.constraints import selection_rows
from optimiser.output import json_ready
from optimiser.pipeline import Run
from optimiser.results import plan_tables
from optimiser.whatif.highs import INF, run_highs, to_highs
from optimiser.whatif.reuse import IncompatibleVariant, ReusableModel, built_model

TOL = 1e-6
AUTO_CHECK_VARIABLES = 1000
"""Integer re-solves run by default only when (delegation, specialty) pairs x promotions are at
most this many: decided by size, not by a clock, so the same inputs give the same plan.json."""


def step_gain(inputs: ModelInputs, staff: np.ndarray) -> np.ndarray:
    """Objective decrease per pair when its staff grows by one (MODEL.md objective terms)."""
    p = inputs.pairs
    t, m, coef = p["target"].to_numpy(), p["presence"].to_numpy(), p["coef"].to_numpy()
    a = inputs.absence_penalty

    def cost(s: np.ndarray) -> np.ndarray:
        return (coef * (np.maximum(0, t - s) + a * np.maximum(0, m - s))
                + inputs.eps_over * np.maximum(0, s - t))

    return cost(staff) - cost(staff + 1)


def _blocked_x(inputs: ModelInputs, run: Run, x: pd.DataFrame) -> np.ndarray:
    """Rows of `x` that cannot take one more post: no capacity left, or a binding maximum."""
    plan = run.plan
    assert plan is not None
    added = (plan.delegations["posts"] + plan.delegations["foreign"]).to_numpy()
    cap = inputs.pairs["cap"].to_numpy()
    pair = x["pair"].to_numpy()
    blocked = ~np.isnan(cap[pair]) & (added[pair] + 1 > cap[pair] + TOL)
    at_max = [sel for sel, value in zip(inputs.selections, plan.scenario_values, strict=True)
              if sel.upper is not None and value["value"] + 1 > sel.upper + TOL]
    for rows_x, _ in selection_rows(inputs, x, run.model.y, at_max):
        blocked[rows_x] = True
    return blocked


def _greedy(inputs: ModelInputs, run: Run) -> pd.DataFrame:
    """Per (specialty, promotion): the best receiver of one more post and its gain."""
    x = run.model.x.assign(posts=run.result.x)
    if x.empty:
        return pd.DataFrame(columns=["specialty", "promotion", "receiver", "receiver_gain"])
    staff = run.plan.delegations["staff_after"].to_numpy(float)  # type: ignore[union-attr]
    gain = step_gain(inputs, staff)[x["pair"].to_numpy()]
    x = x.assign(gain=np.where(_blocked_x(inputs, run, x), np.nan, gain))
    rows = []
    for (s, p), part in x.groupby(["specialty", "promotion"], sort=True):
        ok = part.dropna(subset=["gain"]).sort_values(["gain", "delegation"],
                                                      ascending=[False, True], kind="stable")
        best = ok.iloc[0] if len(ok) else None
        rows.append({"specialty": s, "promotion": int(p),
                     "receiver": None if best is None else best["delegation"],
                     "receiver_gain": None if best is None else float(best["gain"])})
    return pd.DataFrame(rows)


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


def _integer_check(inputs: ModelInputs, run: Run, keys: list[tuple[str, int]],
                   seconds: float) -> dict[tuple[str, int], dict[str, Any]]:
    """Re-solve the integer model with one more post for each key, within `seconds`."""
    assert run.plan is not None
    out: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        rm = ReusableModel(inputs, run.model)
    except IncompatibleVariant:
        return out
    start = time.monotonic()
    base = run.plan.delegations.set_index(["delegation", "specialty"])["posts"]
    for s, p in keys:
        left = seconds - (time.monotonic() - start)
        if left <= 0.01:
            break
        posts = inputs.posts.copy()
        posts.loc[(s, p)] = posts.get((s, p), 0) + 1
        variant = dataclasses.replace(inputs, posts=posts.sort_index())
        try:
            result = rm.solve(variant, time_limit_s=left)
        except IncompatibleVariant:
            continue
        if result.status.value != "optimal":
            out[(s, p)] = {"integer_gain": None, "integer_status": result.status.value}
            continue
        plan = plan_tables(variant, rm.model, result)
        after = plan.delegations.set_index(["delegation", "specialty"])["posts"]
        diff = (after - base).xs(s, level="specialty")
        moved = {d: int(v) for d, v in diff[diff != 0].items()}
        out[(s, p)] = {"integer_gain": run.plan.objective - plan.objective,
                       "integer_status": "optimal", "integer_changes": moved}
    return out


def compute_sensitivity(inputs: ModelInputs, run: Run, top: int = 3,
                        check_seconds: float | None = None) -> dict:
    """Marginal value of one more post per (specialty, promotion), and scenario shadow costs.

    `top`: how many (specialty, promotion) rows, by marginal value, get the integer re-solve.
    `check_seconds`: time budget for those re-solves; None means "only on models of at most
    AUTO_CHECK_VARIABLES variables", which keeps the national default fast. JSON-ready.
    """
    if run.plan is None:
        return {"available": False, "reason": f"no plan (status {run.result.status.value})"}
    rows, duals, lp_status = _lp_duals(inputs, run)

    def dual(family: str, label: str) -> float | None:
        row = rows.get((family, label))
        return None if duals is None or row is None else float(duals[row])

    greedy = _greedy(inputs, run).set_index(["specialty", "promotion"])
    posts = []
    for (s, p), n in inputs.posts.items():
        d = dual("posts", f"posts[{s},{p}]")
        g = greedy.loc[(s, p)] if (s, p) in greedy.index else None
        posts.append({"specialty": s, "promotion": int(p), "posts": int(n),
                      "marginal_value": None if d is None else -d,
                      "receiver": None if g is None else g["receiver"],
                      "receiver_gain": None if g is None else g["receiver_gain"]})
    posts.sort(key=lambda r: (-(r["marginal_value"] if r["marginal_value"] is not None
                                else r["receiver_gain"] or 0.0), r["specialty"], r["promotion"]))

    budget = check_seconds
    if budget is None:
        small = len(inputs.pairs) * max(len(inputs.promotions), 1) <= AUTO_CHECK_VARIABLES
        budget = inputs.time_limit_s * max(top, 1) if small else 0.0
    checked = {}
    if top > 0 and budget > 0:
        keys: list[tuple[str, int]] = []  # one promotion per specialty: promotions of a
        for r in posts:                   # specialty are interchangeable posts
            if r["posts"] > 0 and r["specialty"] not in {s for s, _ in keys}:
                keys.append((r["specialty"], r["promotion"]))
        keys = keys[:top]
        checked = _integer_check(inputs, run, keys, budget)
    for r in posts:
        r.update(checked.get((r["specialty"], r["promotion"]), {}))

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
        "method": {"marginal_value": "minus the LP-relaxation dual of posts[s,p]: objective "
                                     "decrease per extra post",
                   "receiver": "best single delegation for one more post, plan otherwise fixed",
                   "integer_gain": "objective decrease when the integer model is re-solved "
                                   "with one more post",
                   "shadow_cost": "LP-relaxation dual: objective change per +1 on the bound"},
        "lp_status": lp_status,
        "posts": posts,
        "scenario_constraints": constraints,
        "budget_shadow_cost": dual("budget", "budget"),
        "capacity": capacity[:10],
        "integer_checked": len(checked),
    })
