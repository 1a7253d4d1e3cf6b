"""The allocation model object: the PuLP problem, variable tables keyed like the inputs, and
constraint handles keyed by readable labels.

Constraints are added through `AllocationModel.add`, which is the single place that knows about
constraint groups (MODEL.md rules a planner could relax: posts, capacity, scenario bounds, ...).
A group can be hard (normal solve), elastic (a slack absorbs violations: used to find the least
relaxation) or off (dropped: used to isolate a conflicting set). Structural rows (shortfall
definitions, team linking) have no group and are always hard.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import pulp

from optimiser.model.lp import Sense, add_row, linear

Group = tuple
"""A relaxable constraint group, e.g. ("posts", "ANES", 2024) or ("scenario", "ttah-floor")."""
GroupMode = Literal["hard", "elastic", "off"]

@dataclass(frozen=True)
class BuildOptions:
    """How to build: a normal plan, or a diagnosis variant for infeasible scenarios."""

    groups: Mapping[Group, GroupMode] = field(default_factory=dict)
    """Mode of each group; groups not listed are hard."""
    objective: Literal["plan", "violation", "none"] = "plan"
    """`plan` is MODEL.md's objective; `violation` minimises the total slack of elastic groups;
    `none` only asks for a feasible point."""
    tight_bounds: bool = True
    """Derive variable bounds from posts, capacity and supply. Diagnosis turns it off so that
    every rule lives in a (relaxable) constraint rather than hidden in a bound."""
    aggregate_promotions: bool = False
    """One post variable per (delegation, specialty) for all promotions together, with rule 1
    summed over promotions. Exact when no scenario constraint selects by promotion: posts of
    one specialty are then interchangeable across promotions, and any split of each
    delegation's total meets rule 1 (`fastpath.split_by_promotion`). Halves the integer
    variables and removes the symmetry between promotions (national solve 0.57 -> 0.30 s)."""
    formulation: Literal["literal", "hull"] = "literal"
    """`literal` writes MODEL.md as printed (u, a, o above real breakpoints; every rule a
    relaxable row, as diagnosis needs). `hull` writes the same optimum with the integer hull of
    each pair's cost and a disjunction on foreign deployment (model/hull.py): a much tighter
    LP, for plan solves and sweeps. It aggregates promotions (requires aggregate_promotions)."""


@dataclass
class AllocationModel:
    """A built model. Tables `x`, `y`, `b` hold one row per variable with its labels."""

    prob: pulp.LpProblem
    options: BuildOptions
    x: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Columns delegation, specialty, promotion, pair, var (national posts, MODEL.md `x`)."""
    y: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Columns contingent, delegation, specialty, pair, var (foreign doctors, MODEL.md `y`)."""
    b: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Columns contingent, delegation, var (deployment indicator, MODEL.md `b`)."""
    added: dict[int, pulp.LpAffineExpression] = field(default_factory=dict)
    """New doctors (sum_p x + sum_c y) per pair position, for pairs that can receive any."""
    pair_vars: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per pair position: u, a, o variables (None where the value is a constant)."""
    objective_constant: float = 0.0
    """Objective share of pairs whose terms are constants (nothing can change them)."""
    constraints: dict[str, dict[str, pulp.LpConstraint]] = field(default_factory=dict)
    """family -> label -> constraint handle (never look constraints up by PuLP name)."""
    groups: dict[Group, list[str]] = field(default_factory=dict)
    """group -> labels of its constraints, for infeasibility diagnosis."""
    slacks: dict[Group, list[pulp.LpVariable]] = field(default_factory=dict)
    """Elastic slack variables per group."""
    highs_options: dict[str, object] = field(default_factory=dict)
    """HiGHS options this formulation is best solved with (see model/hull.py)."""
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def mode(self, group: Group | None) -> GroupMode:
        """The mode of a group; structural rows (group None) are always hard."""
        return "hard" if group is None else self.options.groups.get(group, "hard")

    def add(
        self,
        family: str,
        label: str,
        expr: pulp.LpAffineExpression,
        sense: Sense,
        rhs: float,
        group: Group | None = None,
    ) -> pulp.LpConstraint | None:
        """Add `expr sense rhs` under a readable label, honouring the group's mode."""
        mode = self.mode(group)
        if mode == "off":
            return None
        if mode == "elastic":
            expr = self._with_slack(expr, sense, group)
        constraint = add_row(self.prob, expr, sense, rhs, f"{family}_{next(self._ids)}")
        self.constraints.setdefault(family, {})[label] = constraint
        if group is not None:
            self.groups.setdefault(group, []).append(label)
        return constraint

    def variable(self, name: str, upper: float | None = None,
                 cat: str = pulp.LpContinuous) -> pulp.LpVariable:
        """A variable >= 0 owned by the problem (PuLP 4 style, also available in PuLP 3.3)."""
        return self.prob.add_variable(name, lowBound=0, upBound=upper, cat=cat)

    def _with_slack(
        self, expr: pulp.LpAffineExpression, sense: Sense, group: Group
    ) -> pulp.LpAffineExpression:
        """Expr + s >= rhs, expr - s <= rhs, or expr + s+ - s- == rhs, with s >= 0."""
        signs = {">=": (1.0,), "<=": (-1.0,), "==": (1.0, -1.0)}[sense]
        for sign in signs:
            slack = self.variable(f"e_{next(self._ids)}")
            self.slacks.setdefault(group, []).append(slack)
            expr = expr + sign * slack
        return expr


def affine(variables: Iterable[pulp.LpVariable], coef: float = 1.0) -> pulp.LpAffineExpression:
    """Sum of variables with one coefficient, built in one pass (no quadratic `+=` chains)."""
    return linear((v, coef) for v in variables)
