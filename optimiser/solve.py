"""Run a built model through HiGHS (default) or CBC and return a typed result.

Status, bound and gap are read from the solver itself, never from PuLP's summary: PuLP 3.3
reports a HiGHS time-limit stop as "Optimal". Every solve has a time limit.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

import numpy as np
import pulp

from optimiser.highs_direct import highs_model, stdout_silenced, store_values
from optimiser.model import AllocationModel
from optimiser.model.lp import PULP4, linear


class SolveStatus(enum.StrEnum):
    """Outcome of a solve, as written in plan.json."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # stopped by the time limit with a plan; the gap says how good
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # stopped by the time limit before any plan was found
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        """True when variable values describe a usable plan."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolveResult:
    """What the solver said, in the solver's own terms (objective includes the constant)."""

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    gap: float | None
    solver: str
    solver_version: str
    solve_seconds: float
    x: np.ndarray
    """Rounded values of `model.x["var"]` (empty without a plan)."""
    y: np.ndarray
    """Rounded values of `model.y["var"]`."""


def _values(variables: object) -> np.ndarray:
    """Integer values of solved variables; a missing value (no solution) reads as 0."""
    values = [v.varValue or 0.0 for v in variables]  # type: ignore[attr-defined]
    return np.rint(np.asarray(values, dtype=float)).astype(np.int64)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / |objective| (None without both)."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


class _QuietHiGHS(pulp.HiGHS):  # type: ignore[misc, valid-type]
    """PuLP's in-memory HiGHS interface, created without the banner (used with PuLP 4)."""

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP's name
        with stdout_silenced():
            super().createAndConfigureSolver(lp)


def _run_highs(m: AllocationModel, time_limit_s: float, mip_gap: float) -> tuple[object, float]:
    """Solve with HiGHS; returns the Highs object and the objective offset it does not know."""
    options = {"time_limit": float(time_limit_s), "mip_rel_gap": float(mip_gap),
               "mip_abs_gap": 1e-9, **m.highs_options}
    if PULP4:
        m.prob.solve(_QuietHiGHS(msg=False, timeLimit=time_limit_s, gapRel=mip_gap,
                                 mip_abs_gap=1e-9, **m.highs_options))
        return m.prob.solverModel, 0.0  # PuLP 4 hands the objective constant to HiGHS
    h, variables = highs_model(m.prob, options)
    h.run()
    store_values(h, variables)
    m.prob.solverModel = h
    return h, 0.0


def highs_outcome(h: object, is_mip: bool, offset: float = 0.0
                  ) -> tuple[SolveStatus, float | None, float | None]:
    """Status, objective and best bound of a solved Highs object, read from HiGHS itself.

    `offset` is an objective constant HiGHS was not given. Shared with the what-if engine,
    which re-solves its own Highs copies.
    """
    import highspy

    info = h.getInfo()  # type: ignore[attr-defined]
    status = h.getModelStatus()  # type: ignore[attr-defined]
    kinds = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = info.objective_function_value + offset if has_solution else None
    bound = (info.mip_dual_bound + offset) if is_mip else objective
    if status == kinds.kOptimal:
        result = SolveStatus.OPTIMAL if has_solution else SolveStatus.ERROR
    elif status in (kinds.kInfeasible, kinds.kUnboundedOrInfeasible):
        result = SolveStatus.INFEASIBLE  # the objective is bounded below: never unbounded
    elif status in (kinds.kTimeLimit, kinds.kIterationLimit, kinds.kInterrupt,
                    kinds.kSolutionLimit):
        result = SolveStatus.FEASIBLE if has_solution else SolveStatus.NO_SOLUTION
    else:
        result = SolveStatus.ERROR
    if bound is not None and not np.isfinite(bound):
        bound = None
    return result, objective, bound


def _solve_highs(m: AllocationModel, time_limit_s: float, mip_gap: float) -> tuple:
    h, const = _run_highs(m, time_limit_s, mip_gap)
    result, objective, bound = highs_outcome(h, bool(len(m.x) or len(m.y)), const)
    return result, objective, bound, "HiGHS", h.version()


def _solve_cbc(m: AllocationModel, time_limit_s: float, mip_gap: float) -> tuple:
    # PuLP 3.3 bundles CBC; PuLP 4 finds it through the `cbc` extra (cbcbox) and COIN_CMD.
    command = pulp.COIN_CMD if PULP4 else pulp.PULP_CBC_CMD
    stats = m.prob.solve(command(msg=False, timeLimit=time_limit_s, gapRel=mip_gap))
    if PULP4:
        status, has_solution = _pulp4_status(stats)
    else:
        status, has_solution = _pulp3_status(m.prob)
    objective = m.prob.objective.value() if has_solution else None
    bound = objective if status is SolveStatus.OPTIMAL else None  # PuLP 3 hides CBC's bound
    if PULP4 and has_solution and stats.best_bound is not None:
        # PuLP 4 reports CBC's stop on a met gap as GapLimit, even at gap 0: judge by the bound
        # (CBC does not see the objective constant, so add it back).
        bound = float(stats.best_bound) + float(m.prob.objective.constant)
        gap = abs(objective - bound) / max(abs(objective), 1e-9)
        status = SolveStatus.OPTIMAL if gap <= mip_gap + 1e-9 else SolveStatus.FEASIBLE
    return status, objective, bound, "CBC", f"via PuLP {pulp.__version__}"


def _pulp3_status(prob: pulp.LpProblem) -> tuple[SolveStatus, bool]:
    """PuLP 3: `status` says why CBC stopped, `sol_status` whether a plan came back."""
    if prob.status == pulp.LpStatusInfeasible or prob.sol_status == pulp.LpSolutionInfeasible:
        return SolveStatus.INFEASIBLE, False
    if prob.sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL, True
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE, True
    if prob.status == pulp.LpStatusNotSolved:
        return SolveStatus.NO_SOLUTION, False
    return SolveStatus.ERROR, False


def _pulp4_status(stats: object) -> tuple[SolveStatus, bool]:
    """PuLP 4: `solve` returns LpSolveStats with the stop reason and `has_solution`."""
    reason = pulp.LpSolveStatus(stats.status)  # type: ignore[attr-defined]
    has_solution = bool(stats.has_solution)  # type: ignore[attr-defined]
    if reason in (pulp.LpSolveStatus.Optimal, pulp.LpSolveStatus.GapLimit) and has_solution:
        return SolveStatus.OPTIMAL, True
    if reason == pulp.LpSolveStatus.Infeasible:
        return SolveStatus.INFEASIBLE, False
    if has_solution:
        return SolveStatus.FEASIBLE, True
    limits = {pulp.LpSolveStatus.TimeLimit, pulp.LpSolveStatus.NodeLimit,
              pulp.LpSolveStatus.IterationLimit, pulp.LpSolveStatus.Stopped}
    return (SolveStatus.NO_SOLUTION if reason in limits else SolveStatus.ERROR), False


def solve_model(
    m: AllocationModel, solver: str = "highs", time_limit_s: float = 60.0, mip_gap: float = 0.0
) -> SolveResult:
    """Solve with a time limit and read status, objective, bound and gap from the solver."""
    if m.prob.objective is None:
        m.prob.setObjective(linear([]))
    if not m.prob.variables():
        # Nothing to decide, but rows like `0 = posts` may still be infeasible: solvers refuse
        # empty models, so give them one fixed column and let them judge the rows.
        m.add("fixed", "fixed", linear([(m.variable("fixed", upper=0.0), 1.0)]), "==", 0)
    start = time.perf_counter()
    run = {"highs": _solve_highs, "cbc": _solve_cbc}[solver]
    status, objective, bound, name, version = run(m, time_limit_s, mip_gap)
    seconds = time.perf_counter() - start
    with_plan = status.has_plan
    return SolveResult(
        status=status,
        objective=objective,
        best_bound=bound,
        gap=relative_gap(objective, bound),
        solver=name,
        solver_version=version,
        solve_seconds=seconds,
        x=_values(m.x["var"]) if with_plan and len(m.x) else np.zeros(len(m.x), np.int64),
        y=_values(m.y["var"]) if with_plan and len(m.y) else np.zeros(len(m.y), np.int64),
    )
