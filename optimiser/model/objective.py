"""The objective of MODEL.md, or the total violation when diagnosing an infeasible scenario."""

from __future__ import annotations

import pulp

from optimiser.inputs import ModelInputs
from optimiser.model.core import AllocationModel
from optimiser.model.lp import linear


def set_plan_objective(m: AllocationModel, inputs: ModelInputs) -> None:
    """Min sum w*imp*(u + A*a) + eps_over * sum o + eps_foreign * sum y  (MODEL.md objective).

    Pairs that no variable can reach contribute a constant, kept in the expression so that the
    solver's objective and bound are the plan's.
    """
    terms, constant = plan_objective_terms(m, inputs)
    m.prob.setObjective(linear(terms, constant=constant))


def plan_objective_terms(m: AllocationModel, inputs: ModelInputs
                         ) -> tuple[list[tuple[pulp.LpVariable, float]], float]:
    """The objective's (variable, coefficient) terms and constant (several years add them up
    with their discount, optimiser/horizon/model.py)."""
    coef = inputs.pairs["coef"].to_numpy()
    terms: list[tuple[pulp.LpVariable, float]] = []
    for pos, u, a, o in m.pair_vars[["u", "a", "o"]].itertuples():
        if u is not None:
            terms.append((u, float(coef[pos])))
        if a is not None:
            terms.append((a, float(coef[pos] * inputs.absence_penalty)))
        terms.append((o, inputs.eps_over))
    terms += [(y, inputs.eps_foreign) for y in m.y["var"]] if not m.y.empty else []
    return terms, m.objective_constant


def set_violation_objective(m: AllocationModel) -> None:
    """Min total slack of elastic groups: the least relaxation that makes the scenario feasible."""
    slacks = [s for group in sorted(m.slacks, key=str) for s in m.slacks[group]]
    m.prob.setObjective(linear((s, 1.0) for s in slacks))
