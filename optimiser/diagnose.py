"""Explain an infeasible scenario: a small set of rules that cannot hold together, in plain words.

Method (Chinneck's elastic filter, then a deletion filter), on relaxable groups of rules
(posts of a specialty and promotion, hosting capacity of a specialty, a contingent's size,
team, sites, the budget, each scenario constraint):
1. all groups elastic, minimise total violation: the least relaxation that restores feasibility;
2. groups that had to be violated become hard, repeat until the elastic model is infeasible:
   the hard groups then contain a conflict;
3. drop each hard group in turn and keep it dropped if the rest stays infeasible: what is left
   is irreducible (removing any one group makes the scenario feasible).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optimiser.dependencies import describe as describe_dependency
from optimiser.inputs import ModelInputs
from optimiser.model import BuildOptions, build_model
from optimiser.model.core import Group
from optimiser.solve import SolveStatus, solve_model


@dataclass(frozen=True)
class Conflict:
    """Rules that cannot all hold, and the least total relaxation per group found in step 1."""

    groups: list[Group]
    relaxation: dict[Group, float]
    lines: list[str]
    complete: bool
    """False when the time budget ran out before the set was reduced to an irreducible one."""


def relaxable_groups(inputs: ModelInputs) -> list[Group]:
    """Every group of rules a diagnosis may relax or drop, in a stable order."""
    probe = build_model(inputs, BuildOptions(objective="none", tight_bounds=False))
    return sorted(probe.groups, key=str)


def _solve(inputs: ModelInputs, modes: dict, objective: str, seconds: float) -> tuple:
    model = build_model(inputs, BuildOptions(groups=modes, objective=objective,
                                             tight_bounds=False))
    result = solve_model(model, inputs.solver, max(seconds, 1.0), 0.0)
    slack = {g: float(sum(v.varValue or 0.0 for v in vs)) for g, vs in model.slacks.items()}
    return result.status, {g: v for g, v in slack.items() if v > 1e-6}


def find_conflict(inputs: ModelInputs, time_budget_s: float | None = None) -> Conflict:
    """Run the three steps above within a time budget (default: the scenario's time limit)."""
    deadline = time.monotonic() + (time_budget_s or inputs.time_limit_s)
    groups = relaxable_groups(inputs)

    def left() -> float:
        return deadline - time.monotonic()

    status, relaxation = _solve(inputs, dict.fromkeys(groups, "elastic"), "violation", left())
    if status is SolveStatus.INFEASIBLE:
        lines = ["the rules that cannot be relaxed (eligibility, team linking) conflict"]
        return Conflict([], {}, lines, True)
    hard: set[Group] = set()
    violated = set(relaxation)
    while violated and left() > 0:
        hard |= violated
        modes = {g: ("hard" if g in hard else "elastic") for g in groups}
        status, slack = _solve(inputs, modes, "violation", left())
        if status is SolveStatus.INFEASIBLE:
            break
        violated = set(slack) - hard
    core = sorted(hard, key=str)
    complete = True
    for group in list(core):
        if left() <= 0:
            complete = False
            break
        trial = [g for g in core if g != group]
        modes = {g: ("hard" if g in trial else "off") for g in groups}
        status, _ = _solve(inputs, modes, "none", left())
        if status is SolveStatus.INFEASIBLE:
            core = trial
    lines = [describe_group(inputs, g) for g in core]
    return Conflict(core, relaxation, lines, complete)


def fmt_number(value: float) -> str:
    """Whole numbers in full (`12 000 000`, not `1.2e+07`), others to six digits; never -0."""
    value = float(value) + 0.0
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.6g}".replace(",", " ")


def describe_group(inputs: ModelInputs, group: Group, relax: float | None = None) -> str:
    """A group of rules in a planner's words, with the figures that make it bind."""
    kind = group[0]
    if kind == "posts":
        _, s, p = group
        n = int(inputs.posts[(s, p)])
        rule = "all" if inputs.allocate_all else "at most"
        text = f"posts[{s},{p}] = {n}: {rule} {n} posts of {s} for promotion {p} are allocated"
    elif kind == "capacity":
        s = group[1]
        cap = inputs.pairs.xs(s, level="specialty")["cap"]
        limited, total = int(cap.notna().sum()), float(np.nansum(cap))
        text = (f"capacity[{s}]: the {limited} delegations with a hosting limit for {s} can "
                f"take {fmt_number(total)} new doctors in total")
        free = int(cap.isna().sum())
        text += f"; {free} other delegations have no limit" if free else " (no other delegation)"
    elif kind == "size":
        _, c, s = group
        text = f"size[{c},{s}]: contingent {c} offers {int(inputs.supply[(c, s)])} doctors of {s}"
    elif kind == "team":
        c = group[1]
        team = int(inputs.contingents.at[c, "min_team"])
        text = f"team[{c}]: contingent {c} sends at least {team} doctors wherever it serves"
    elif kind == "sites":
        c = group[1]
        sites = int(inputs.contingents.at[c, "max_sites"])
        text = f"sites[{c}]: contingent {c} serves at most {sites} delegations"
    elif kind == "budget":
        paid = "foreign doctors and incentive allowances" if inputs.incentives else \
            "foreign doctors"  # allowances share the budget row (optimiser/incentives.py)
        text = f"budget: {paid} cost at most {fmt_number(inputs.budget or 0)}"
    elif kind == "dependency":
        text = describe_dependency(inputs, group[1])
    elif kind == "reach":
        text = (f"reach: at least {inputs.min_reach} delegations receive a national post "
                "(parameters.min_reach)")
    else:
        sel = next(s for s in inputs.selections if s.name == group[1])
        text = f"scenario[{sel.name}]: {sel.description}"
    if relax:
        text += f" (the least relaxation changes it by {fmt_number(relax)})"
    return text
