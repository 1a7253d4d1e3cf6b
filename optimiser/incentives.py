"""Incentives (UPTAKE.md what-if): an allowance that raises acceptance in chosen delegations.

A scenario's `incentives:` entry selects delegations (region and/or delegation codes, optionally
specialties: the vocabulary of scenario constraints) and says what an allowance buys and costs:
the selected pairs' acceptance rises to `p_accept` (never lowered: the maximum with the current
one), and every national post allocated to them costs `cost_per_post` a year.

The cost is linear in the posts x, so the model stays exact: the allowance terms join the
foreign-doctor terms in the one budget row (model/constraints.py, both formulations), and the
expected objective simply sees the raised p (optimiser/uptake.py). Without a budget the cost is
only reported. Under `uptake: certain` the raised p changes no plan (every post is taken up),
but the cost is still reported and, with a budget, still constrains the plan.

The raised p and the per-post cost live in the pairs table (columns p_accept, p_model and
`allowance`), so everything that reads acceptance (expected unmet need, simulation, reports)
and everything that compares models by their pairs (whatif/reuse.py) sees the incentive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimiser.errors import InputIssue
from optimiser.scenario import Incentive, ScenarioFile

if TYPE_CHECKING:
    from optimiser.data import Dataset
    from optimiser.inputs import ModelInputs

ALLOWANCE = "allowance"
"""Pairs column: yearly allowance cost per national post (MAD); absent without incentives."""


@dataclass(frozen=True)
class ResolvedIncentive:
    """One incentive entry resolved to pair positions (ascending) of inputs.pairs."""

    name: str
    description: str
    p_accept: float
    cost_per_post: float
    positions: tuple[int, ...]
    p_before: tuple[float, ...]
    """Acceptance of each selected pair without the allowance (uptake.csv, or 1)."""


def name_of(entry: Incentive, i: int) -> str:
    """The entry's name, or `incentive-<n>` as constraints are named `constraint-<n>`."""
    return entry.name or f"incentive-{i + 1}"


def describe(entry: Incentive) -> str:
    """Plain words for the selection and the allowance, e.g. `region DT: p 0.97, 20000/post`."""
    parts = [f"{kind} {'/'.join(getattr(entry, kind))}"
             for kind in ("region", "delegation", "specialty") if getattr(entry, kind)]
    return (f"{', '.join(parts)}: acceptance {entry.p_accept:g}, "
            f"{entry.cost_per_post:,.0f} per post")


def check_codes(ds: Dataset, sf: ScenarioFile) -> list[InputIssue]:
    """Every code an incentive names must exist; names identify plan.json rows: unique."""
    known = {"region": set(ds.regions.index), "delegation": set(ds.delegations.index),
             "specialty": set(ds.specialties.index)}
    issues, names = [], {}
    for i, entry in enumerate(sf.scenario.incentives):
        for kind, codes in known.items():
            issues += [sf.issue(("incentives", i, kind), code, f"unknown {kind} code")
                       for code in getattr(entry, kind) or [] if code not in codes]
        name = name_of(entry, i)
        if name in names:
            issues.append(sf.issue(("incentives", i, "name"), name, f"incentive name given "
                                   f"twice (also incentives.{names[name]}): names must differ"))
        names.setdefault(name, i)
    return issues


def _selected(ds: Dataset, entry: Incentive, pairs: pd.DataFrame) -> np.ndarray:
    """Pair positions of the entry's selection (region and delegation both narrow it)."""
    region_of = ds.delegations["region_code"]
    delegations = set(region_of.index)
    if entry.region:
        delegations &= set(region_of.index[region_of.isin(entry.region)])
    if entry.delegation:
        delegations &= set(entry.delegation)
    mask = pairs.index.get_level_values("delegation").isin(sorted(delegations))
    if entry.specialty:
        mask &= pairs.index.get_level_values("specialty").isin(entry.specialty)
    return np.flatnonzero(mask)


def apply_incentives(ds: Dataset, sf: ScenarioFile, pairs: pd.DataFrame, uptake: str
                     ) -> tuple[pd.DataFrame, tuple[ResolvedIncentive, ...], list[InputIssue]]:
    """The pairs table with acceptance raised and allowance costs set (a copy: `pairs` is
    shared by a cache), the resolved entries, and the issues (entries that select nothing,
    lower acceptance, or overlap another entry)."""
    entries = sf.scenario.incentives
    if not entries:
        return pairs, (), []
    before = pairs["p_accept"].to_numpy(float)
    raised = before.copy()
    allowance = np.zeros(len(pairs))
    owner = np.full(len(pairs), -1)
    resolved, issues = [], []
    for i, entry in enumerate(entries):
        loc, name = ("incentives", i), name_of(entry, i)
        positions = _selected(ds, entry, pairs)
        if not len(positions):
            issues.append(sf.issue(loc, None, f"incentive '{name}' selects no delegation "
                                              "(region and delegation disagree)"))
            continue
        lowest = float(before[positions].min())
        if entry.p_accept < lowest:
            issues.append(sf.issue(
                (*loc, "p_accept"), entry.p_accept,
                f"below the acceptance of every selected pair (lowest {lowest:g}, uptake.csv): "
                "an allowance does not lower acceptance"))
            continue
        taken = owner[positions]
        if (taken >= 0).any():
            first = int(positions[np.argmax(taken >= 0)])
            d, s = pairs.index[first]
            issues.append(sf.issue(loc, None, f"incentive '{name}' selects {d}, {s}, which "
                                   f"incentives.{int(owner[first])} already selects: a pair "
                                   "has at most one allowance"))
            continue
        owner[positions] = i
        raised[positions] = np.maximum(before[positions], entry.p_accept)
        allowance[positions] = entry.cost_per_post
        resolved.append(ResolvedIncentive(
            name, describe(entry), float(entry.p_accept), float(entry.cost_per_post),
            tuple(int(v) for v in positions), tuple(float(v) for v in before[positions])))
    if issues:
        return pairs, (), issues
    out = pairs.copy()
    out["p_accept"] = raised
    out["p_model"] = raised if uptake == "expected" else 1.0
    out[ALLOWANCE] = allowance
    return out, tuple(resolved), []


def allowance_costs(inputs: ModelInputs) -> np.ndarray | None:
    """Allowance per national post of every pair position; None without incentives."""
    if ALLOWANCE not in inputs.pairs.columns:
        return None
    return inputs.pairs[ALLOWANCE].to_numpy(float)


def allowance_spent(inputs: ModelInputs, posts: np.ndarray) -> float:
    """Yearly allowance cost of per-pair national posts (0 without incentives)."""
    cost = allowance_costs(inputs)
    return 0.0 if cost is None else float(np.dot(cost, posts))


def incentive_rows(inputs: ModelInputs, posts: np.ndarray) -> list[dict]:
    """plan.json `incentives`: per entry, the posts allocated to its pairs, their allowance
    cost, and the expected arrivals there with and without the allowance."""
    rows = []
    for entry in inputs.incentives:
        at = np.asarray(entry.positions, dtype=np.int64)
        given = posts[at].astype(float)
        p_now = inputs.pairs["p_accept"].to_numpy(float)[at]
        rows.append({
            "name": entry.name, "description": entry.description,
            "p_accept": entry.p_accept, "cost_per_post": entry.cost_per_post,
            "pairs": len(at), "posts": int(given.sum()),
            "cost": float(entry.cost_per_post * given.sum()),
            "expected_arrivals": float(np.dot(p_now, given)),
            "expected_arrivals_without": float(np.dot(np.asarray(entry.p_before), given)),
        })
    return rows
