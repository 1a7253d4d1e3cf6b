"""The flat model builder: variables, then one call per constraint family, then the objective."""

from __future__ import annotations

import pulp

from optimiser import equity
from optimiser.inputs import ModelInputs
from optimiser.model import constraints as c
from optimiser.model.core import AllocationModel, BuildOptions
from optimiser.model.hull import build_hull_model
from optimiser.model.objective import set_plan_objective, set_violation_objective
from optimiser.model.variables import (
    add_foreign_variables,
    add_need_variables,
    add_post_variables,
)

CONSTRAINT_FAMILIES = (
    c.add_posts_constraints,
    c.add_shortfall_constraints,
    c.add_absence_constraints,
    c.add_overstaffing_constraints,
    c.add_capacity_constraints,
    c.add_contingent_size_constraints,
    c.add_team_constraints,
    c.add_deploy_constraints,
    c.add_sites_constraints,
    c.add_budget_constraint,
    c.add_scenario_constraints,
    c.add_reach_constraints,
    c.add_dependency_constraints,
)


def build_model(inputs: ModelInputs, options: BuildOptions | None = None) -> AllocationModel:
    """Build MODEL.md v1 for `inputs` (or a diagnosis variant of it, see BuildOptions)."""
    options = options or BuildOptions()
    m = AllocationModel(prob=pulp.LpProblem(inputs.scenario_name, pulp.LpMinimize),
                        options=options)
    if options.formulation == "hull":
        if not options.aggregate_promotions or not options.tight_bounds or options.groups:
            raise ValueError("the hull formulation aggregates promotions, with hard rules")
        return equity.with_equity(build_hull_model(inputs, m), inputs)
    add_post_variables(m, inputs)
    add_foreign_variables(m, inputs)
    add_need_variables(m, inputs)
    for add_family in CONSTRAINT_FAMILIES:
        add_family(m, inputs)
    if options.objective == "plan":
        set_plan_objective(m, inputs)
    elif options.objective == "violation":
        set_violation_objective(m)
    return equity.with_equity(m, inputs)
