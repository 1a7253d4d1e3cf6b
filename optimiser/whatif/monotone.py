"""Monotonicity check: one more post must not take a post away from any delegation.

The Alabama paradox of apportionment, in our terms: with one more post of a specialty, the
re-optimised plan gives some delegation fewer national posts than before. For each
(specialty, promotion) with posts, the integer model is re-solved with one more post, on the
same HiGHS model (only a right-hand side and bounds change, optimiser/whatif/reuse.py), and
posts per (delegation, specialty) are compared with the base plan.

A loss is not necessarily a paradox: when several plans are optimal, the re-solve may simply
pick another one. So each loss is re-solved with the base plan as a lower bound on every
national post variable `x[d,s,p] >= base` (the "forbid" mode): if the objective is the same,
the loss was a tie and a monotone plan exists at no cost; otherwise it is a genuine paradox and
the difference is the price of monotonicity. `forbid=True` computes the bounded plan for every
(specialty, promotion), so the lead can publish monotone +1 plans.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimiser.inputs import ModelInputs
from optimiser.output import json_ready
from optimiser.pipeline import Run
from optimiser.results import plan_tables
from optimiser.whatif.reuse import IncompatibleVariant, ReusableModel

TOL = 1e-6


@dataclass
class MonotoneCase:
    """One (specialty, promotion) given one more post."""

    specialty: str
    promotion: int
    posts: int
    status: str
    objective_plus: float | None = None
    unmet_plus: float | None = None
    losses: list[dict[str, Any]] = field(default_factory=list)
    """Per (delegation, specialty) whose national posts went down: before and after."""
    gains: dict[str, int] = field(default_factory=dict)
    """Delegations of `specialty` whose posts went up in the free re-solve."""
    objective_monotone: float | None = None
    unmet_monotone: float | None = None
    monotone_gains: dict[str, int] = field(default_factory=dict)
    """Delegations of `specialty` that receive posts in the plan bounded by the base plan."""

    @property
    def verdict(self) -> str:
        """`monotone`, `tie` (a loss, but a monotone plan is as good) or `paradox`."""
        if not self.losses:
            return "monotone" if self.status == "optimal" else self.status
        if self.objective_monotone is None or self.objective_plus is None:
            return "loss (not classified)"
        return "tie" if self.cost <= TOL else "paradox"

    @property
    def cost(self) -> float:
        """Objective paid for keeping every base post (0 for a tie)."""
        if self.objective_monotone is None or self.objective_plus is None:
            return 0.0
        return max(0.0, self.objective_monotone - self.objective_plus)

    @property
    def unmet_need_cost(self) -> float | None:
        """The same in weighted unmet need (0 when only the tie-breaking terms differ)."""
        if self.unmet_monotone is None or self.unmet_plus is None:
            return None
        return self.unmet_monotone - self.unmet_plus


@dataclass
class MonotoneReport:
    """All cases checked; `to_json` is what plan.json stores."""

    scenario: str
    forbid: bool
    objective_base: float
    cases: list[MonotoneCase] = field(default_factory=list)
    complete: bool = True
    seconds: float = 0.0

    @property
    def paradoxes(self) -> list[MonotoneCase]:
        """Cases where every optimal +1 plan takes a post away from someone."""
        return [c for c in self.cases if c.verdict == "paradox"]

    @property
    def monotone(self) -> bool:
        """No genuine paradox among the cases checked."""
        return not self.paradoxes

    def to_json(self) -> dict[str, Any]:
        """JSON-ready document (plain Python types, floats rounded to 9 decimals)."""
        return json_ready({
            "scenario": self.scenario, "forbid": self.forbid, "monotone": self.monotone,
            "complete": self.complete, "objective_base": self.objective_base,
            "checked": len(self.cases), "paradoxes": len(self.paradoxes),
            "ties": sum(c.verdict == "tie" for c in self.cases),
            "cases": [{
                "specialty": c.specialty, "promotion": c.promotion, "posts": c.posts,
                "status": c.status, "verdict": c.verdict, "objective_plus": c.objective_plus,
                "gain": None if c.objective_plus is None else self.objective_base
                - c.objective_plus,
                "gains": c.gains, "losses": c.losses,
                "objective_monotone": c.objective_monotone, "cost_of_monotonicity": c.cost,
                "unmet_need_cost": c.unmet_need_cost,
                "monotone_gains": c.monotone_gains,
            } for c in self.cases],
            "seconds": round(self.seconds, 3),
        })


def _posts_per_pair(plan: Any) -> pd.Series:  # noqa: ANN401 - PlanTables
    return plan.delegations.set_index(["delegation", "specialty"])["posts"]


def _gains_of(diff: pd.Series, specialty: str) -> dict[str, int]:
    part = diff.xs(specialty, level="specialty")
    return {str(d): int(v) for d, v in part[part > 0].items()}


def check_monotone(inputs: ModelInputs, run: Run, forbid: bool = False,
                   keys: list[tuple[str, int]] | None = None,
                   time_budget_s: float | None = None) -> MonotoneReport:
    """Give each (specialty, promotion) one more post and look for delegations that lose one.

    `keys` limits the check to some (specialty, promotion) rows; `time_budget_s` (default: the
    scenario's time limit times the number of rows) stops early with `complete = False`.
    """
    if run.plan is None:
        raise ValueError(f"no plan to check (status {run.result.status.value})")
    start = time.monotonic()
    report = MonotoneReport(inputs.scenario_name, forbid, run.plan.objective)
    rows = [(s, int(p)) for (s, p), n in inputs.posts.items() if n > 0]
    if keys is not None:
        rows = [k for k in rows if k in set(keys)]
    budget = time_budget_s if time_budget_s is not None else inputs.time_limit_s * len(rows)
    try:
        rm: ReusableModel | None = ReusableModel(inputs, run.model)
    except IncompatibleVariant:
        rm = None
    base = _posts_per_pair(run.plan)
    x_base = None
    if rm is not None:  # the base plan on the re-used model's x rows
        keys = ["delegation", "specialty", "promotion"]
        given = run.plan.allocations.set_index(keys)["posts"]
        x_base = given.reindex(pd.MultiIndex.from_frame(rm.model.x[keys])).fillna(0).to_numpy(
            float)

    def solve(variant: ModelInputs, lower: np.ndarray | None) -> Any:  # noqa: ANN401
        left = max(budget - (time.monotonic() - start), 0.01)
        if rm is not None:
            result = rm.solve(variant, x_lower=lower, time_limit_s=min(left, inputs.time_limit_s))
            model = rm.model
        else:  # CBC: rebuild; the lower bound is then a scenario-free re-solve only
            from optimiser.pipeline import run_scenario

            other = run_scenario(variant)
            result, model = other.result, other.model
        plan = plan_tables(variant, model, result) if result.status.has_plan else None
        return result.status.value, plan

    for s, p in rows:
        if time.monotonic() - start >= budget:
            report.complete = False
            break
        posts = inputs.posts.copy()
        posts.loc[(s, p)] += 1
        variant = dataclasses.replace(inputs, posts=posts)
        status, plan = solve(variant, None)
        case = MonotoneCase(s, p, int(inputs.posts[(s, p)]), status)
        report.cases.append(case)
        if plan is None:
            continue
        case.objective_plus, case.unmet_plus = plan.objective, plan.unmet_after
        diff = _posts_per_pair(plan) - base
        case.gains = _gains_of(diff, s)
        lost = diff[diff < 0]
        case.losses = [{"delegation": d, "specialty": sp, "before": int(base[(d, sp)]),
                        "after": int(base[(d, sp)] + v)} for (d, sp), v in lost.items()]
        if (case.losses or forbid) and rm is not None:
            status_m, plan_m = solve(variant, x_base)
            if plan_m is not None:
                case.objective_monotone, case.unmet_monotone = plan_m.objective, plan_m.unmet_after
                case.monotone_gains = _gains_of(_posts_per_pair(plan_m) - base, s)
    report.seconds = time.monotonic() - start
    return report
