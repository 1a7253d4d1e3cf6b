"""Sensitivity of a solved plan: what one more post is worth, where it goes, what each
constraint costs.

- LP duals (`marginal_value`, `shadow_cost`). The literal model with integrality dropped is
  solved once; the dual of `posts[s,p]` is the change in objective per extra post, the dual of
  a scenario row its shadow cost per unit of the bound. Duals are local and the LP relaxes the
  integer plan: estimates, labelled as such.
- The receiver of one more post (`receiver`, `receiver_gain`): the delegation whose posts of
  the specialty rise when the *integer* model is solved with one more post, and the exact
  objective decrease (optimiser/whatif/receivers.py).
"""

from __future__ import annotations

import numpy as np

from optimiser.inputs import ModelInputs
from optimiser.output import json_ready
from optimiser.pipeline import Run
from optimiser.uptake import uncertain
from optimiser.whatif.highs import INF, run_highs, to_highs
from optimiser.whatif.receivers import TOL, receivers
from optimiser.whatif.reuse import built_model

LP_DUAL_COLUMNS = 50_000
"""Post columns (pairs x promotions with posts) up to which the LP duals are computed: the
national plan has 2,250 (0.2 s), the commune-level dataset 45,090 (a few seconds); a synthetic
plan of 100,000 took 11.5 s and 470 MB, one of 400,000 52 s and 1.8 GB."""
SKIPPED_FOR_SIZE = "not computed for size"
"""How `lp_status` starts when the instance is above LP_DUAL_COLUMNS."""

UNCERTAIN_LP = ("not computed under uptake: expected (the LP relaxation used for duals plans "
                "with every post taken up, so its duals would not price the expected "
                "objective); receivers and their gains are exact for the expected objective")


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


def literal_post_columns(inputs: ModelInputs) -> int:
    """The x columns of the literal model: per (specialty, promotion) with posts, the pairs of
    that specialty (rows without capacity included: an upper bound, cheap to count)."""
    per_specialty = inputs.pairs.groupby(level="specialty").size()
    posts = inputs.posts[inputs.posts > 0]
    return int(per_specialty.reindex(posts.index.get_level_values(0)).fillna(0).sum())


def compute_sensitivity(inputs: ModelInputs, run: Run, resolve: bool | None = None,
                        check_seconds: float | None = None,
                        lp_duals: bool | None = None) -> dict:
    """Marginal value and receiver of one more post per (specialty, promotion), and scenario
    shadow costs. JSON-ready (plan.json["sensitivity"]).

    `resolve`: run the integer re-solves of coupled specialties (None: when the instance is
    within RESOLVE_WORK; False: never, their receivers are then greedy lower bounds).
    `check_seconds`: time limit of each re-solve (default: the scenario's); giving it also
    runs the re-solves whatever the size, unless `resolve` is False.
    `lp_duals`: compute the LP duals (None: when the literal model has at most
    LP_DUAL_COLUMNS post columns).
    """
    if run.plan is None:
        return {"available": False, "reason": f"no plan (status {run.result.status.value})"}
    columns = literal_post_columns(inputs)
    if lp_duals is None:
        lp_duals = columns <= LP_DUAL_COLUMNS
    if uncertain(inputs):  # the LP below is the literal model's: every post filled
        rows, duals, lp_status = {}, None, UNCERTAIN_LP
    elif not lp_duals:
        rows, duals, lp_status = {}, None, (
            f"{SKIPPED_FOR_SIZE}: {columns:,} post columns exceed {LP_DUAL_COLUMNS:,} (the "
            "LP relaxation is built through PuLP: about a minute and 2 GB at 400,000); "
            "receivers and their gains are computed")
    else:
        rows, duals, lp_status = _lp_duals(inputs, run)

    def dual(family: str, label: str) -> float | None:
        row = rows.get((family, label))
        return None if duals is None or row is None else float(duals[row])

    if check_seconds is not None and resolve is None:
        resolve = True
    seconds = inputs.time_limit_s if check_seconds is None else check_seconds
    found, solved, skipped = receivers(inputs, run, resolve, seconds)
    posts = []
    for (s, p), n in inputs.posts.items():
        d = dual("posts", f"posts[{s},{p}]")
        posts.append({"specialty": s, "promotion": int(p), "posts": int(n),
                      "marginal_value": None if d is None else -d,
                      **found[(s, int(p))]})
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

