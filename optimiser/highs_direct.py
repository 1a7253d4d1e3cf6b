"""Hand a PuLP 3 problem to HiGHS in one call, instead of PuLP 3.3's column-by-column copy.

PuLP 3.3's `HiGHS.buildSolverModel` adds each column and row separately (13 s for a model of
175,000 variables here, against about 1 s for this bulk copy); PuLP 4 builds its copy in Rust
and is used as is. The problem stays a PuLP model: only the transfer to the solver changes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

import highspy
import numpy as np
import pulp

_STDOUT = threading.RLock()
"""File descriptor 1 is process-wide: threads (parallel sweeps) silence it one at a time, or
one could save the other's /dev/null as "the real stdout" and never give it back."""


@contextlib.contextmanager
def stdout_silenced() -> Iterator[None]:
    """Silence C-level stdout: highspy prints a banner when a Highs object is created."""
    with _STDOUT:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def quiet_highs() -> highspy.Highs:
    """A Highs instance with output off (and no banner on stdout)."""
    with stdout_silenced():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _bound(value: float | None, infinite: float) -> float:
    return infinite if value is None else float(value)


def highs_model(prob: pulp.LpProblem, options: dict[str, object]) -> tuple[highspy.Highs, list]:
    """A configured Highs object holding `prob` (objective constant as offset), and the
    variables in column order."""
    inf = highspy.kHighsInf
    variables = prob.variables()
    column = {id(v): j for j, v in enumerate(variables)}
    objective = prob.objective
    cost = np.zeros(len(variables))
    for var, coef in objective.items():
        cost[column[id(var)]] = coef
    lp = highspy.HighsLp()
    lp.num_col_ = len(variables)
    lp.col_cost_ = cost
    lp.offset_ = float(objective.constant)
    lp.col_lower_ = np.array([_bound(v.lowBound, -inf) for v in variables])
    lp.col_upper_ = np.array([_bound(v.upBound, inf) for v in variables])

    starts, indices, values, lower, upper = [0], [], [], [], []
    for constraint in prob._constraints.values():  # PuLP 3 storage; PuLP 4 never comes here
        for var, coef in constraint.items():
            if coef != 0:
                indices.append(column[id(var)])
                values.append(coef)
        starts.append(len(indices))
        lower.append(_bound(constraint.getLb(), -inf))
        upper.append(_bound(constraint.getUb(), inf))
    lp.num_row_ = len(lower)
    lp.row_lower_ = np.array(lower, dtype=float)
    lp.row_upper_ = np.array(upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values, dtype=float)
    integer = highspy.HighsVarType.kInteger
    continuous = highspy.HighsVarType.kContinuous
    lp.integrality_ = [integer if v.cat == pulp.LpInteger else continuous for v in variables]

    h = quiet_highs()
    for name, value in options.items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    return h, variables


def store_values(h: highspy.Highs, variables: list) -> None:
    """Write the solution back into the PuLP variables (as PuLP's own interface does)."""
    values = np.asarray(h.getSolution().col_value, dtype=float)
    if len(values) != len(variables):
        return
    for var, value in zip(variables, values.tolist(), strict=True):
        var.varValue = value
