"""Decision variables, created only where they can be non-zero, as tables keyed like the inputs.

Sparsity is the main lever on model size: no `x` where a specialty has no posts or a delegation
cannot host it, no `y` outside a contingent's eligible delegations, and no shortfall variables
for pairs nothing can change (their objective share is a constant).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pulp

from optimiser.inputs import ModelInputs
from optimiser.model.core import AllocationModel, affine


def _variables(m: AllocationModel, prefix: str, upper: np.ndarray, cat: str) -> list:
    """One variable per row; NaN upper bounds mean unbounded."""
    return [m.variable(f"{prefix}_{i}", None if np.isnan(u) else float(u), cat)
            for i, u in enumerate(upper)]


def _pair_positions(inputs: ModelInputs, table: pd.DataFrame) -> np.ndarray:
    """Position of each row's (delegation, specialty) in the dense pairs table."""
    keys = pd.MultiIndex.from_arrays([table["delegation"], table["specialty"]])
    return inputs.pairs.index.get_indexer(keys)


def add_post_variables(m: AllocationModel, inputs: ModelInputs) -> None:
    """x[d,s,p] for every posts row of s and every d that can host s (MODEL.md `x`).

    With tight bounds, rows with no posts or no capacity get no variable and the bound is
    min(posts, cap). Diagnosis keeps every row, unbounded, so rule 1 and 5 stay relaxable.
    """
    posts = inputs.posts
    if m.options.aggregate_promotions:
        # promotion 0 stands for "all promotions" (see BuildOptions.aggregate_promotions)
        posts = posts.groupby(level="specialty").sum().to_frame("posts").assign(promotion=0)
        posts = posts.set_index("promotion", append=True)["posts"]
    posts = posts[posts > 0] if m.options.tight_bounds else posts
    rows = posts.rename("posts").reset_index().merge(
        inputs.pairs[["cap"]].reset_index(), on="specialty")
    if m.options.tight_bounds:
        rows = rows[~(rows["cap"] <= 0)]
        rows["bound"] = np.fmin(rows["posts"].to_numpy(float), rows["cap"].to_numpy(float))
    else:
        rows["bound"] = np.nan
    rows = rows.sort_values(["delegation", "specialty", "promotion"], kind="stable")
    rows = rows.reset_index(drop=True)
    rows["pair"] = _pair_positions(inputs, rows)
    rows["var"] = _variables(m, "x", rows["bound"].to_numpy(float), pulp.LpInteger)
    m.x = rows[["delegation", "specialty", "promotion", "pair", "bound", "var"]]


def add_foreign_variables(m: AllocationModel, inputs: ModelInputs) -> None:
    """y[c,d,s] where c offers s and may serve d; b[c,d] where c could send anyone to d."""
    supply = inputs.supply if not m.options.tight_bounds else inputs.supply[inputs.supply > 0]
    rows = supply.rename("size").reset_index().astype({"contingent": object})
    rows = rows.merge(inputs.eligibility, on="contingent")
    rows = rows.merge(inputs.pairs[["cap"]].reset_index(), on=["delegation", "specialty"])
    if m.options.tight_bounds:
        rows = rows[~(rows["cap"] <= 0)]
    rows = rows.sort_values(["contingent", "delegation", "specialty"], kind="stable")
    rows = rows.reset_index(drop=True)
    upper = (np.fmin(rows["size"].to_numpy(float), rows["cap"].to_numpy(float))
             if m.options.tight_bounds else np.full(len(rows), np.nan))
    rows["pair"] = _pair_positions(inputs, rows)
    rows["bound"] = upper
    rows["var"] = _variables(m, "y", upper, pulp.LpInteger)
    m.y = rows[["contingent", "delegation", "specialty", "pair", "bound", "var"]]
    sites = rows[["contingent", "delegation"]].drop_duplicates().reset_index(drop=True)
    sites["var"] = _variables(m, "b", np.ones(len(sites)), pulp.LpBinary)
    m.b = sites


def new_doctor_columns(m: AllocationModel) -> dict[int, list[pulp.LpVariable]]:
    """The x and y columns of each pair position that can receive doctors (any formulation)."""
    groups: dict[int, list[pulp.LpVariable]] = {}
    for table in (m.x, m.y):
        if len(table):
            for pos, var in zip(table["pair"].to_numpy().tolist(), table["var"], strict=True):
                groups.setdefault(int(pos), []).append(var)
    return groups


def add_need_variables(m: AllocationModel, inputs: ModelInputs,
                       also_moving: Iterable[int] = ()) -> None:
    """u, a, o per pair that can receive doctors; constant terms for the others.

    u (shortfall) is needed only where target > base and a (absence) only where m > base,
    since staff never falls below base; o (overstaffing) wherever staff can move.
    `also_moving`: pairs whose staff moves without new doctors of their own (the doctors
    earlier years left, under a horizon: optimiser/horizon/model.py).
    """
    pairs = inputs.pairs
    m.added = {pos: affine(vs) for pos, vs in sorted(new_doctor_columns(m).items())}

    movable = np.zeros(len(pairs), dtype=bool)
    movable[list(m.added)] = True
    movable[list(also_moving)] = True
    target = pairs["target"].to_numpy()
    presence = pairs["presence"].to_numpy()
    base = pairs["base"].to_numpy(dtype=float)
    need_u = movable & (target > base)
    need_a = movable & (presence > base)
    table = pd.DataFrame(index=np.flatnonzero(movable))
    table["u"] = [m.variable(f"u_{i}") if need_u[i] else None
                  for i in table.index]
    table["a"] = [m.variable(f"a_{i}") if need_a[i] else None
                  for i in table.index]
    table["o"] = [m.variable(f"o_{i}") for i in table.index]
    m.pair_vars = table

    fixed = ~movable
    coef = pairs["coef"].to_numpy()
    shortfall = np.maximum(0.0, target - base)
    absence = np.maximum(0.0, presence - base)
    over = np.maximum(0.0, base - target)
    m.objective_constant = float(
        np.sum((coef * (shortfall + inputs.absence_penalty * absence))[fixed])
        + inputs.eps_over * np.sum(over[fixed])
    )
