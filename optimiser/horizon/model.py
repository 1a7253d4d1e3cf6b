"""The joint model of several years (NEED.md): one block of MODEL.md per year on one problem,
linked by the national staff each year's posts leave for the next.

With `x[d,s,t]` the posts of year t and `r` the specialty's yearly attrition,

    N[d,s,t] = (1 - r)^k (current - departures) + sum_{t' <= t} (1 - r)^(t - t') x[d,s,t']
    staff[d,s,t] = N[d,s,t] + sum_c y[c,d,s,t]

The constant part is the year's `base` (horizon/years.py); the sum over earlier years is the
"carried" expression added to the year's own new doctors in the rows that read staff
(rules 2-4 and the dependency rules). Rules that bound new doctors (capacity, contingent
size, team, sites, budget, scenario constraints, reach) read only the year's own columns, as
the spec says. The objective is sum_t discount^k * (MODEL.md's objective at year t).

Staff is no longer an integer after attrition, so the integer hull of model/hull.py does not
apply: every year is written in MODEL.md's literal form (u, a, o above real breakpoints),
which is exact for any staff.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimiser.dependencies import add_dependency_rows
from optimiser.inputs import ModelInputs
from optimiser.model import constraints as c
from optimiser.model.core import AllocationModel, BuildOptions
from optimiser.model.lp import linear
from optimiser.model.objective import plan_objective_terms
from optimiser.model.variables import (
    add_foreign_variables,
    add_need_variables,
    add_post_variables,
    new_doctor_columns,
)

Terms = list[tuple[pulp.LpVariable, float]]

STAFF_FAMILIES = (c.add_shortfall_constraints, c.add_absence_constraints,
                  c.add_overstaffing_constraints)
"""Rows that read a pair's staff: under a horizon, the year's new doctors plus those carried."""
NEW_DOCTOR_FAMILIES = (c.add_posts_constraints, c.add_capacity_constraints,
                       c.add_contingent_size_constraints, c.add_team_constraints,
                       c.add_deploy_constraints, c.add_sites_constraints,
                       c.add_budget_constraint, c.add_scenario_constraints,
                       c.add_reach_constraints)
"""Rows that read the year's own decisions only."""


@dataclass
class YearModel(AllocationModel):
    """One year's block: MODEL.md's tables for that year, its variables named `t<year>_...`."""

    prefix: str = ""

    def variable(self, name: str, upper: float | None = None,
                 cat: str = pulp.LpContinuous) -> pulp.LpVariable:
        """Named after its year: PuLP 3.3 keeps one variable per name."""
        return super().variable(f"{self.prefix}{name}", upper, cat)


@dataclass
class HorizonModel:
    """The problem, each year's block, and x and y of all years with a `year` column (the
    order solve_model reads values in)."""

    prob: pulp.LpProblem
    years: list[int]
    blocks: list[YearModel]
    x: pd.DataFrame = field(default_factory=pd.DataFrame)
    y: pd.DataFrame = field(default_factory=pd.DataFrame)


def add_staff_variables(m: AllocationModel, inputs: ModelInputs, carried: dict[int, Terms]
                        ) -> dict[int, pulp.LpAffineExpression]:
    """MODEL.md's u, a, o (`variables.add_need_variables`), also where staff moves only by the
    doctors carried from earlier years; returns staff minus base per pair: the year's own
    new doctors plus the carried ones."""
    add_need_variables(m, inputs, also_moving=carried)
    own = new_doctor_columns(m)
    return {pos: linear([(v, 1.0) for v in own.get(pos, [])] + carried.get(pos, []))
            for pos in sorted(set(own) | set(carried))}


def _carry(carried: dict[int, Terms], m: AllocationModel, keep: np.ndarray
           ) -> dict[int, Terms]:
    """Next year's carried doctors: (1 - r) * (this year's carried + this year's posts)."""
    out: dict[int, Terms] = {pos: [(v, coef * keep[pos]) for v, coef in terms]
                             for pos, terms in carried.items()}
    if len(m.x):
        for pos, var in zip(m.x["pair"].to_numpy().tolist(), m.x["var"], strict=True):
            out.setdefault(int(pos), []).append((var, float(keep[pos])))
    return out


def build_year(prob: pulp.LpProblem, ids: Iterator[int], inputs: ModelInputs, year: int,
               carried: dict[int, Terms]) -> tuple[YearModel, Terms, float]:
    """One year's block on the shared problem; its objective terms and constant."""
    m = YearModel(prob=prob, options=BuildOptions(), prefix=f"t{year}_", _ids=ids)
    add_post_variables(m, inputs)
    add_foreign_variables(m, inputs)
    staff = add_staff_variables(m, inputs, carried)
    own = m.added
    m.added = staff  # rules 2-4 read staff: own new doctors and carried ones
    for add_family in STAFF_FAMILIES:
        add_family(m, inputs)
    m.added = own
    for add_family in NEW_DOCTOR_FAMILIES:
        add_family(m, inputs)
    add_dependency_rows(m, inputs, carried)
    terms, constant = plan_objective_terms(m, inputs)
    return m, terms, constant


def build_horizon_model(years: list[int], inputs_by_year: list[ModelInputs],
                        rate: np.ndarray, discount: float) -> HorizonModel:
    """Every year's block, linked by the carried staff; the discounted objective."""
    prob = pulp.LpProblem(inputs_by_year[0].scenario_name, pulp.LpMinimize)
    ids = itertools.count()
    carried: dict[int, Terms] = {}
    blocks: list[YearModel] = []
    objective: Terms = []
    constant = 0.0
    keep = 1.0 - rate
    for k, (year, inputs) in enumerate(zip(years, inputs_by_year, strict=True)):
        m, terms, const = build_year(prob, ids, inputs, year, carried)
        weight = discount ** k
        objective += [(v, coef * weight) for v, coef in terms]
        constant += const * weight
        blocks.append(m)
        carried = _carry(carried, m, keep)
    prob.setObjective(linear(objective, constant=constant))
    x = pd.concat([b.x.assign(year=t) for t, b in zip(years, blocks, strict=True)],
                  ignore_index=True)
    y = pd.concat([b.y.assign(year=t) for t, b in zip(years, blocks, strict=True)],
                  ignore_index=True)
    return HorizonModel(prob, years, blocks, x, y)
