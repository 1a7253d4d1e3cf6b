"""The exact trade-off between total weighted unmet need and the worst-off delegation (NEED.md).

Epsilon-constraint method on one built model: the plan model with the equity column
`z >= g[d]` (optimiser/equity.py) is copied once into HiGHS (whatif/highs.py); every point only
changes z's cost and upper bound in place:

1. the plain optimum: MODEL.md's plan, solved by `run_scenario` on the plan model without the
   equity rows (the default plan `solve` writes, 5-10x faster than in the equity model); its
   max g is the right end `g0`;
2. the most equal plan: min z gives `g*`, then MODEL.md's objective with z <= g* (lexicographic);
3. for epsilons evenly spaced strictly between g* and g0, from the most equal end, MODEL.md's
   objective with z <= eps. Each solve starts from the previous point's plan, which is feasible
   for it (its max g is at most the previous, smaller epsilon): HiGHS begins with an incumbent
   and only has to prove or improve it.

Each point is an exact MIP optimum, so no point can be improved in one figure without losing
in the other, up to ties: two epsilons can give the same plan, and a point whose plan another
point matches or beats in both figures is dropped.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from optimiser.equity import worst_off
from optimiser.errors import InputError, InputIssue
from optimiser.inputs import ModelInputs
from optimiser.model import build_model
from optimiser.output import delegations_reached
from optimiser.pipeline import Run, per_promotion, plan_build_options, run_scenario
from optimiser.results import plan_tables
from optimiser.solve import SolveResult, SolveStatus
from optimiser.whatif.highs import INF, HighsModel, run_highs, to_highs

NO_PLAN = ("the scenario has no feasible plan, so no trade-off curve: `optimiser explain "
           "SCENARIO` says which rules conflict")
TOL = 1e-9
"""Relative slack on the epsilon bound: g is computed in floating point."""


@dataclass(frozen=True)
class ParetoPoint:
    """One plan of the curve and its two figures (from the plan's integers)."""

    epsilon: float | None
    """The bound on max g it was solved with (None: the plain optimum)."""
    run: Run
    total_unmet_need: float
    max_per_capita_unmet_need: float
    worst_delegation: str | None
    delegations_reached: int


@dataclass
class ParetoModel:
    """The plan model with its equity column, in HiGHS, re-solved with z's cost and bound."""

    inputs: ModelInputs
    solves: int = 0
    build_seconds: float = 0.0
    last: np.ndarray | None = None
    """The column values of the last plan found (a starting plan for the next solve)."""

    def __post_init__(self) -> None:
        if self.inputs.uptake == "expected":
            raise InputError([InputIssue(
                "scenario.yaml", None, "parameters.uptake", "expected",
                "optimiser pareto needs uptake: certain (NEED.md equity is defined on filled "
                "posts)")])
        start = time.perf_counter()
        # equity_weight 1 only makes build_model add z (and keep every hull segment);
        # the HiGHS copy then sets z's cost per point
        built = dataclasses.replace(self.inputs, equity_weight=1.0)
        self.options = plan_build_options(built)
        self.model = build_model(built, self.options)
        self.hm: HighsModel = to_highs(self.model)
        self.z = self.hm.cols["z_equity"]
        self.cost = np.asarray(self.hm.highs.getLp().col_cost_, dtype=float)
        self.x_col = self.hm.col(self.model.x["var"]) if len(self.model.x) else np.zeros(0, int)
        self.y_col = self.hm.col(self.model.y["var"]) if len(self.model.y) else np.zeros(0, int)
        self.build_seconds = time.perf_counter() - start

    def _objective(self, equity_only: bool) -> None:
        """MODEL.md's objective (z cost 0), or z alone."""
        cost = np.zeros_like(self.cost) if equity_only else self.cost.copy()
        cost[self.z] = 1.0 if equity_only else 0.0
        idx = np.arange(len(cost), dtype=np.int32)
        self.hm.highs.changeColsCost(len(idx), idx, cost)

    def solve(self, epsilon: float | None, equity_only: bool = False,
              warm: bool = False) -> Run:
        """A plan with max g <= epsilon (None: no bound), or one of least max g. With `warm`,
        the last plan found is offered as a starting plan (HiGHS ignores it if infeasible)."""
        self._objective(equity_only)
        upper = INF if epsilon is None else epsilon * (1 + TOL) + TOL
        self.hm.highs.changeColBounds(self.z, 0.0, upper)
        v = self.inputs
        out = run_highs(self.hm, v.time_limit_s, v.mip_gap,
                        incumbent=self.last if warm else None,
                        options=self.model.highs_options)
        self.solves += 1
        if not out.status.has_plan:
            if epsilon is None and out.status is SolveStatus.INFEASIBLE:
                raise ScenarioInfeasible(NO_PLAN)
            raise RuntimeError(f"pareto point at max g <= {epsilon}: {out.status.value}")
        self.last = np.asarray(out.col_value, dtype=float)
        values = np.rint(out.col_value).astype(np.int64)
        result = SolveResult(
            status=out.status, objective=out.objective, best_bound=out.best_bound,
            gap=None, solver="HiGHS", solver_version=self.hm.highs.version(),
            solve_seconds=out.seconds, x=values[self.x_col], y=values[self.y_col])
        model, result = self.model, result
        if self.options.aggregate_promotions:
            model, result = per_promotion(v, model, result)
        plan = plan_tables(v, model, result)
        result = dataclasses.replace(result, objective=plan.objective,
                                     best_bound=plan.objective if not equity_only else None)
        return Run(v, model, result, plan, self.build_seconds)


def _point(run: Run, epsilon: float | None) -> ParetoPoint:
    """The two figures of a plan, from its integers."""
    staff = run.plan.delegations["staff_after"].to_numpy(float)
    worst, delegation = worst_off(run.inputs, staff)
    return ParetoPoint(epsilon, run, run.plan.unmet_after, worst, delegation,
                       delegations_reached(run.plan))


def epsilons(right: float, left: float, points: int) -> list[float]:
    """`points - 2` bounds evenly spaced strictly between g0 (right) and g* (left)."""
    if points <= 2 or right - left <= TOL * max(1.0, right):
        return []
    return np.linspace(right, left, points)[1:-1].tolist()


def non_dominated(points: list[ParetoPoint]) -> list[ParetoPoint]:
    """Points no other point matches or beats in both figures (the first of equal ones kept),
    ordered from the plain optimum (least unmet need) to the most equal plan."""
    def figures(p: ParetoPoint) -> tuple[float, float]:
        return round(p.total_unmet_need, 9), round(p.max_per_capita_unmet_need, 9)

    kept: list[ParetoPoint] = []
    for p in points:
        t, g = figures(p)
        if any(figures(q)[0] <= t and figures(q)[1] <= g for q in kept):
            continue
        kept = [q for q in kept if not (t <= figures(q)[0] and g <= figures(q)[1])] + [p]
    return sorted(kept, key=lambda p: (figures(p)[0], -figures(p)[1]))


STEP = 1e-7
"""Relative step below a point's max g that asks for the next plan of the curve."""


def _fill(pm: ParetoModel, curve: list[ParetoPoint], points: int) -> list[ParetoPoint]:
    """While the curve has fewer than `points` plans, solve just below each point's max g
    (the next point of the exact curve towards equality); stops when no gap holds another."""
    tried: set[float] = set()
    while len(curve) < points:
        gaps = [a for a, b in zip(curve, curve[1:], strict=False)
                if a.max_per_capita_unmet_need not in tried]
        if not gaps:
            return curve
        for a in gaps:
            tried.add(a.max_per_capita_unmet_need)
            g = a.max_per_capita_unmet_need
            eps = g - STEP * max(1.0, g)
            curve = non_dominated([*curve, _point(pm.solve(eps), eps)])
            if len(curve) >= points:
                break
    return curve


class ScenarioInfeasible(Exception):
    """The scenario itself has no plan (exit 3, as `optimiser solve`)."""


def pareto_points(inputs: ModelInputs, points: int = 11) -> tuple[list[ParetoPoint], dict]:
    """The curve (at most `points` plans, duplicates dropped) and timing figures."""
    start = time.perf_counter()
    # the curve trades MODEL.md's objective against max g: a scenario's own weight is not used
    plain_inputs = dataclasses.replace(inputs, equity_weight=0.0)
    plain_run = run_scenario(plain_inputs)
    if plain_run.plan is None:
        if plain_run.result.status is SolveStatus.INFEASIBLE:
            raise ScenarioInfeasible(NO_PLAN)
        raise RuntimeError(f"the plain plan: {plain_run.result.status.value}")
    plain = _point(plain_run, None)
    pm = ParetoModel(plain_inputs)
    least = _point(pm.solve(None, equity_only=True), None).max_per_capita_unmet_need
    found = [plain, _point(pm.solve(least, warm=True), least)]  # the most equal plan
    for eps in reversed(epsilons(plain.max_per_capita_unmet_need, least, points)):
        found.append(_point(pm.solve(eps, warm=True), eps))
    found = _fill(pm, non_dominated(found), points)
    stats = {"solves": pm.solves + 1, "build_seconds": pm.build_seconds,
             "seconds": time.perf_counter() - start, "requested": points}
    if any(p.run.result.status is not SolveStatus.OPTIMAL for p in found):
        stats["not_proven"] = True
    return non_dominated(found), stats
