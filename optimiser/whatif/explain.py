"""Explain a scenario: why it is infeasible and the least change that fixes it, or what its
constraints cost when it is feasible.

Infeasible: the conflicting rules come from optimiser.diagnose.find_conflict. Each rule of the
conflict is then made elastic *alone* (a slack per row, total slack minimised, everything else
hard): that is the least change of that one rule that restores feasibility, e.g. "lower
`ttah-floor` from 140 to 118" or "raise hosting capacity for ANES in 3 delegations by 9". A
last solve makes every scenario constraint, capacity and post total elastic together: the least
total change. Each change is also written as a scenario patch (override or new bound) and, when
`verify` is on, the patched scenario is solved to prove it is feasible.

Feasible: each scenario constraint (and the budget) is dropped in turn and the scenario
re-solved on the same model (optimiser/whatif/reuse.py): the increase in objective and in
weighted unmet need is what the constraint costs. A constraint costing nothing is not binding.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import pulp

from optimiser.data import Dataset
from optimiser.diagnose import Conflict, find_conflict, relaxable_groups
from optimiser.diagnose import fmt_number as _fmt
from optimiser.errors import InputError
from optimiser.inputs import ModelInputs, build_inputs
from optimiser.model import BuildOptions, build_model
from optimiser.model.core import Group
from optimiser.output import json_ready
from optimiser.pipeline import Run, run_scenario
from optimiser.results import plan_tables
from optimiser.solve import SolveStatus, solve_model
from optimiser.whatif.paths import PathError, apply_path, scenario_file
from optimiser.whatif.reuse import IncompatibleVariant, ReusableModel

TOL = 1e-6


def _new_bound(old: float, amount: float) -> int | float:
    """The relaxed bound: a whole bound stays whole. The solver's slack may read 34.0000001;
    the bound moves to the whole number the relaxation reached (a raised bound rounds up, a
    lowered one down), so the hint never says "raise fix from 0 to 0.999999"."""
    new = old + amount
    if not float(old).is_integer():
        return new
    return math.floor(new + TOL) if amount < 0 else math.ceil(new - TOL)


@dataclass(frozen=True)
class Change:
    """One row's right-hand side moved by `amount` (negative: lowered)."""

    group: Group
    label: str
    old: float
    amount: float


@dataclass
class Relaxation:
    """A way to restore feasibility: row changes, in words, and as a scenario patch."""

    groups: list[Group]
    changes: list[Change]
    lines: list[str] = field(default_factory=list)
    patch: dict[str, Any] = field(default_factory=dict)
    """PATH -> new value (optimiser/whatif/paths.py), for the changes a scenario can make."""
    needs_data_change: bool = False
    """A contingent's team or sites must change: that is contingents.csv, not a scenario."""
    verified: bool | None = None

    @property
    def total(self) -> float:
        """Total change (the minimised violation)."""
        return sum(abs(c.amount) for c in self.changes)


def _elastic_solve(inputs: ModelInputs, elastic: list[Group],
                   seconds: float) -> list[Change] | None:
    """Least total slack with `elastic` groups relaxable (None when still infeasible).

    Built with loose bounds (as optimiser.diagnose) so every rule lives in a row.
    """
    model = build_model(inputs, BuildOptions(groups=dict.fromkeys(elastic, "elastic"),
                                             objective="violation", tight_bounds=False))
    result = solve_model(model, inputs.solver, max(seconds, 1.0), 0.0)
    if not result.status.has_plan:
        return None
    handles = {label: con for rows in model.constraints.values() for label, con in rows.items()}
    signs = {pulp.LpConstraintGE: (-1,), pulp.LpConstraintLE: (1,),
             pulp.LpConstraintEQ: (-1, 1)}
    changes = []
    for group in elastic:
        slacks = iter(model.slacks.get(group, []))  # in row order, `s+` before `s-` (core.py)
        for label in model.groups.get(group, []):
            con = handles[label]
            rhs = con.getUb() if con.sense == pulp.LpConstraintLE else con.getLb()
            amount = sum(sign * (next(slacks).varValue or 0.0) for sign in signs[con.sense])
            if abs(amount) > TOL:
                changes.append(Change(group, label, float(rhs), _snap(amount)))
    return changes


def _snap(value: float) -> float:
    """Solver slacks like 8.9999999 read as 9."""
    return float(round(value)) if abs(value - round(value)) < 1e-6 else value


def _pair(label: str) -> tuple[str, ...]:
    """`capacity[TATA,ANES]` -> ("TATA", "ANES") (labels of optimiser/model/constraints.py)."""
    return tuple(label[label.index("[") + 1:label.rindex("]")].split(","))


def _words(inputs: ModelInputs, relax: Relaxation) -> None:
    """Fill the relaxation's lines and scenario patch from its changes."""
    by_group: dict[Group, list[Change]] = {}
    selections = {sel.name: sel for sel in reversed(inputs.selections)}  # first of a name
    for change in relax.changes:
        by_group.setdefault(change.group, []).append(change)
    for group, changes in by_group.items():
        kind = group[0]
        if kind == "scenario":
            sel = selections[group[1]]
            for c in changes:
                bound = c.label.rsplit(".", 1)[-1] if c.label.endswith((".min", ".max")) \
                    else "fix"
                verb = "lower" if c.amount < 0 else "raise"
                new = _new_bound(c.old, c.amount)
                relax.lines.append(f"{verb} `{sel.name}` {bound} from {_fmt(c.old)} to "
                                   f"{_fmt(new)} ({sel.description})")
                relax.patch[f"constraints.{sel.name}.{bound}"] = new
        elif kind == "capacity":
            total = sum(c.amount for c in changes)
            where = ", ".join(f"{_pair(c.label)[0]} {_fmt(c.old)} -> "
                              f"{_fmt(c.old + c.amount)}" for c in changes)
            relax.lines.append(f"raise hosting capacity for {group[1]} in {len(changes)} "
                               f"delegation(s) by {_fmt(total)} ({where})")
            for c in changes:
                d, s = _pair(c.label)
                relax.patch[f"overrides.capacity.{d}.{s}"] = math.ceil(c.old + c.amount - TOL)
        elif kind == "posts":
            _, s, p = group
            c = changes[0]
            new = c.old + c.amount
            verb = "allocate" if c.amount < 0 else "open"
            relax.lines.append(f"{verb} {_fmt(abs(c.amount))} {'fewer' if c.amount < 0 else 'more'}"
                               f" posts of {s} for promotion {p} ({_fmt(c.old)} -> {_fmt(new)})")
            relax.patch[f"overrides.posts.{s}.{p}"] = (math.floor(new + TOL) if c.amount < 0
                                                       else math.ceil(new - TOL))
        elif kind == "size":
            _, cont, s = group
            c = changes[0]
            relax.lines.append(f"contingent {cont} offers {_fmt(c.amount)} more doctors of {s} "
                               f"({_fmt(c.old)} -> {_fmt(c.old + c.amount)})")
            relax.patch[f"overrides.contingent_size.{cont}.{s}"] = math.ceil(c.old + c.amount
                                                                             - TOL)
        elif kind == "budget":
            c = changes[0]
            relax.lines.append(f"raise the foreign-doctor budget from {_fmt(c.old)} to "
                               f"{_fmt(c.old + c.amount)}")
            relax.patch["parameters.budget"] = c.old + c.amount
        elif kind == "team":
            team = int(inputs.contingents.at[group[1], "min_team"])
            smallest = team - max(abs(c.amount) for c in changes)
            relax.lines.append(f"accept teams of {_fmt(smallest)} instead of {team} for contingent "
                               f"{group[1]} (min_team in contingents.csv)")
            relax.needs_data_change = True
        elif kind == "reach":  # NEED.md parameters.min_reach
            c = changes[0]
            new = math.floor(c.old + c.amount + TOL)
            relax.lines.append(f"lower min_reach from {_fmt(c.old)} to {_fmt(new)} (the posts "
                               "and capacities reach no more delegations)")
            relax.patch["parameters.min_reach"] = new
        else:  # sites
            relax.lines.append(f"let contingent {group[1]} serve "
                               f"{_fmt(sum(c.amount for c in changes))} more delegation(s) "
                               "(max_sites in contingents.csv)")
            relax.needs_data_change = True


@dataclass
class Explanation:
    """What `optimiser explain` found; `to_json` is its JSON document."""

    scenario: str
    status: str
    conflict: Conflict | None = None
    alternatives: list[Relaxation] = field(default_factory=list)
    not_enough: list[Group] = field(default_factory=list)
    """Conflict rules that cannot restore feasibility on their own."""
    least: Relaxation | None = None
    binding: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    """False when the time budget ended the search for alternatives early."""
    seconds: float = 0.0

    @property
    def feasible(self) -> bool:
        """Whether the scenario has a plan."""
        return self.status in ("optimal", "feasible")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready document."""
        def relax(r: Relaxation) -> dict[str, Any]:
            return {"rules": [group_label(g) for g in r.groups], "changes": r.lines,
                    "total_change": r.total, "scenario_patch": r.patch,
                    "needs_data_change": r.needs_data_change, "verified": r.verified}

        return json_ready({
            "scenario": self.scenario, "status": self.status,
            "conflict": None if self.conflict is None else {
                "rules": self.conflict.lines, "complete": self.conflict.complete},
            "alternatives": [relax(r) for r in self.alternatives],
            "not_enough_alone": [group_label(g) for g in self.not_enough],
            "least_total_relaxation": None if self.least is None else relax(self.least),
            "binding": self.binding, "complete": self.complete,
            "seconds": round(self.seconds, 3),
        })


def apply_patch(document: dict, patch: dict[str, Any]) -> dict:
    """The scenario document with a relaxation applied (a `fix` on a min = max constraint
    sets both)."""
    for path, value in patch.items():
        try:
            document = apply_path(document, path, value)
        except PathError:
            if not path.endswith(".fix"):
                raise
            stem = path.removesuffix(".fix")
            document = apply_path(apply_path(document, f"{stem}.min", value), f"{stem}.max",
                                  value)
    return document


def _verify(relax: Relaxation, dataset: Dataset, document: dict | None, source: str) -> None:
    """Apply the patch to the scenario and solve it: the relaxation must make it feasible."""
    if document is None or relax.needs_data_change or not relax.patch:
        return
    try:  # a patch past the scenario's ranges (a capacity above 10^9) is no fix
        inputs = build_inputs(dataset, scenario_file(apply_patch(document, relax.patch), source))
    except (InputError, PathError):
        relax.verified = False
        return
    relax.verified = run_scenario(inputs).result.status.has_plan


def explain_infeasible(inputs: ModelInputs, document: dict | None = None,
                       time_budget_s: float | None = None, verify: bool = True) -> Explanation:
    """Conflict, one relaxation per conflicting rule, and the least total relaxation."""
    start = time.monotonic()
    budget = time_budget_s or max(inputs.time_limit_s, 30.0)

    def left() -> float:
        return max(budget - (time.monotonic() - start), 1.0)

    conflict = find_conflict(inputs, left())
    out = Explanation(inputs.scenario_name, "infeasible", conflict)
    for group in conflict.groups:
        if time.monotonic() - start > budget:
            out.complete = False
            break
        changes = _elastic_solve(inputs, [group], left())
        if changes is None:
            out.not_enough.append(group)
            continue
        relax = Relaxation([group], changes)
        _words(inputs, relax)
        out.alternatives.append(relax)
    groups = relaxable_groups(inputs)
    wide = [g for g in groups if g[0] in ("scenario", "capacity", "posts")]
    changes = _elastic_solve(inputs, wide, left())
    if changes is None:
        wide = groups
        changes = _elastic_solve(inputs, wide, left())
    if changes is not None:
        used = sorted({c.group for c in changes}, key=str)
        out.least = Relaxation(used, changes)
        _words(inputs, out.least)
        rank = {"scenario": 0, "capacity": 1, "posts": 2, "size": 3, "budget": 4}
        simplest = min(out.alternatives, default=None, key=lambda r: (
            r.total, rank.get(r.groups[0][0], 5), len(r.changes)))  # scenario rules first
        if simplest is not None and simplest.total <= out.least.total + TOL:
            out.least = simplest  # as small a change, and of one rule only
    if verify:
        for relax in [*out.alternatives, *([out.least] if out.least else [])]:
            _verify(relax, inputs.dataset, document, f"{inputs.scenario_name} (relaxed)")
    out.seconds = time.monotonic() - start
    return out


def _without(inputs: ModelInputs, name: str | None) -> ModelInputs:
    """The inputs without one scenario constraint (None: without the budget)."""
    if name is None:
        return dataclasses.replace(inputs, budget=None)
    return dataclasses.replace(inputs, selections=[s for s in inputs.selections
                                                   if s.name != name])


def explain_feasible(inputs: ModelInputs, run: Run) -> Explanation:
    """Each scenario constraint (and the budget): value, bounds, and its cost in unmet need."""
    start = time.monotonic()
    assert run.plan is not None
    out = Explanation(inputs.scenario_name, run.result.status.value)
    try:
        reusable: ReusableModel | None = ReusableModel(inputs, run.model)
    except IncompatibleVariant:
        reusable = None
    items: list[tuple[str | None, dict[str, Any]]] = [
        (row["name"], row) for row in run.plan.scenario_values]
    if inputs.budget is not None:
        items.append((None, {"name": "budget", "description": "foreign-doctor budget",
                             "min": None, "max": inputs.budget, "value": run.plan.budget_used}))
    for name, row in items:
        variant = _without(inputs, name)
        if reusable is not None and reusable.incompatibility(variant) is None:
            result, model = reusable.solve(variant), reusable.model
        else:
            other = run_scenario(variant)
            result, model = other.result, other.model
        entry = {k: row[k] for k in ("name", "description", "min", "max", "value")}
        entry["at_bound"] = any(b is not None and abs(row["value"] - b) <= TOL
                                for b in (row["min"], row["max"]))
        if result.status.has_plan:
            plan = plan_tables(variant, model, result)
            entry["objective_without"] = plan.objective
            entry["cost"] = run.plan.objective - plan.objective
            entry["unmet_need_cost"] = run.plan.unmet_after - plan.unmet_after
        else:
            entry.update(objective_without=None, cost=None, unmet_need_cost=None)
        entry["binding"] = entry["cost"] is not None and entry["cost"] > TOL
        entry["status_without"] = result.status.value
        out.binding.append(entry)
    out.binding.sort(key=lambda e: -(e["cost"] or 0.0))
    out.seconds = time.monotonic() - start
    return out


def explain(inputs: ModelInputs, document: dict | None = None,
            time_budget_s: float | None = None, verify: bool = True) -> Explanation:
    """Solve the scenario and explain it (infeasible or feasible)."""
    run = run_scenario(inputs)
    status = run.result.status
    if status is SolveStatus.INFEASIBLE:
        return explain_infeasible(inputs, document, time_budget_s, verify)
    if not status.has_plan:
        return Explanation(inputs.scenario_name, status.value)
    return explain_feasible(inputs, run)


def group_label(group: Group) -> str:
    """`posts[S4,2023]`, `capacity[ANES]`, `scenario[c2]`, `budget`: a rule group in short."""
    return group[0] if len(group) == 1 else f"{group[0]}[{','.join(map(str, group[1:]))}]"
