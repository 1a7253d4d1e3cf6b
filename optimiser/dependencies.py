"""Specialty dependencies (NEED.md, optional `dependencies.csv`): which rows the rule needs, and
where a plan makes it bind.

Rule: if a plan sends new doctors of specialty `s` to delegation `d` (national posts or foreign
doctors), then `staff_after[d, r] >= min_required` for every rule `s -> r`. With a binary
`n[d,s]` ("d receives doctors of s"):

    new[d,s] <= M[d,s] * n[d,s]                     (link; M = most new doctors (d,s) can take)
    base[d,r] + new[d,r] >= min_required * n[d,s]   (group ("dependency", "s->r"): relaxable)

Rows are needed only where `(d,s)` can receive doctors and `base[d,r] < min_required`: where
the required staff is already there it stays there, because staff never decreases in this model
(staff_after = base + new with new >= 0), so a plan never breaks a dependency that held before
it. `base` is current staff minus expected departures (MODEL.md), not the plan's doing.

Under `uptake: expected` the rule reads the allocated numbers (posts given, not the expected
share taken up): a post offered to an anaesthetist counts as anaesthesia staff, as it does in
rules 1 and 5. This is documented in docs/model.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

if TYPE_CHECKING:
    from optimiser.inputs import ModelInputs
    from optimiser.model.core import AllocationModel


def rules(inputs: ModelInputs) -> pd.DataFrame:
    """Columns specialty, requires, min_required, label (`CHIR->ANES`), in file key order."""
    table = inputs.dataset.dependencies
    if table is None or table.empty:
        return pd.DataFrame(columns=["specialty", "requires", "min_required", "label"])
    out = table.reset_index().rename(columns={"specialty_code": "specialty"})
    out = out[["specialty", "requires", "min_required"]].astype({"min_required": np.int64})
    out["label"] = out["specialty"] + "->" + out["requires"]
    return out.reset_index(drop=True)


def has_dependencies(inputs: ModelInputs) -> bool:
    """The dataset has at least one dependency rule."""
    table = inputs.dataset.dependencies
    return table is not None and len(table) > 0


def _column_bounds(table: pd.DataFrame, n: int) -> np.ndarray:
    """Sum of the column bounds per pair (inf where a column is unbounded)."""
    if table.empty:
        return np.zeros(n)
    bound = table["bound"].to_numpy(float)
    return np.bincount(table["pair"].to_numpy(np.int64), weights=np.where(
        np.isnan(bound), np.inf, bound), minlength=n)


def _big_m(m: AllocationModel, inputs: ModelInputs) -> np.ndarray:
    """M[d,s]: the most new doctors a pair can take. With tight bounds: min(posts of s over
    promotions, cap, sum of the pair's x bounds) + sum of its y bounds, at most cap (the bounds
    of variables.py / hull.py); with loose bounds (diagnosis) the constant `deploy` uses."""
    n = len(inputs.pairs)
    x, y = _column_bounds(m.x, n), _column_bounds(m.y, n)
    loose = float(inputs.supply.sum() + inputs.posts.sum() + 1) * 10
    specialty = inputs.pairs.index.get_level_values("specialty")
    posts = inputs.posts.groupby(level="specialty").sum().reindex(specialty).fillna(0)
    cap = inputs.pairs["cap"].to_numpy(float)
    cap = np.where(np.isnan(cap), np.inf, cap)
    most = np.fmin(np.fmin(x, posts.to_numpy(float)), cap) + y
    most = np.fmin(most, cap)
    return np.where(np.isfinite(most), most, loose)


def add_dependency_rows(m: AllocationModel, inputs: ModelInputs,
                        carried: dict[int, list[tuple[pulp.LpVariable, float]]] | None = None
                        ) -> None:
    """The two rows of the module docstring for every (delegation, rule) that needs them.

    `carried` adds, per pair position, the doctors earlier years' posts left in place (several
    years, optimiser/horizon/model.py): they are staff of the required specialty too."""
    # here: optimiser.model imports this module
    from optimiser.model.lp import linear
    from optimiser.model.variables import new_doctor_columns

    table = rules(inputs)
    if table.empty:
        return
    pairs = inputs.pairs
    position = pd.Series(np.arange(len(pairs)), index=pairs.index)
    base = pairs["base"].to_numpy(float)
    columns = new_doctor_columns(m)
    big_m = _big_m(m, inputs)
    flags: dict[int, pulp.LpVariable] = {}
    delegations = pairs.index.get_level_values("delegation").unique()
    for s, r, k, label in table.itertuples(index=False):
        dep = position.reindex(pd.MultiIndex.from_product([delegations, [s]])).to_numpy()
        req = position.reindex(pd.MultiIndex.from_product([delegations, [r]])).to_numpy()
        for d, ps, pr in zip(delegations, dep, req, strict=True):
            if np.isnan(ps) or int(ps) not in columns or np.isnan(pr) or base[int(pr)] >= k:
                continue
            ps, pr = int(ps), int(pr)
            flag = flags.get(ps)
            if flag is None:
                flag = flags[ps] = m.variable(f"n_{ps}", 1.0, pulp.LpBinary)
                m.add("dependency_link", f"dependency_link[{d},{s}]",
                      linear([(v, 1.0) for v in columns[ps]] + [(flag, -float(big_m[ps]))]),
                      "<=", 0)
            staff = [(v, 1.0) for v in columns.get(pr, [])] + (carried or {}).get(pr, [])
            m.add("dependency", f"dependency[{label},{d}]",
                  linear([*staff, (flag, -float(k))]), ">=", -base[pr],
                  group=("dependency", label))


def binding(inputs: ModelInputs, new: pd.Series) -> pd.DataFrame:
    """Where each rule binds in a plan: the dependent specialty received doctors and the
    required one sits exactly at min_required. `new` is new doctors per (delegation,
    specialty) (allocated: posts + foreign). Columns rule, delegation, specialty, requires,
    min_required, received, staff_after; sorted by rule then delegation."""
    cols = ["rule", "delegation", "specialty", "requires", "min_required", "received",
            "staff_after"]
    table = rules(inputs)
    if table.empty:
        return pd.DataFrame(columns=cols)
    new = new.reindex(inputs.pairs.index, fill_value=0)
    staff = inputs.pairs["base"] + new
    out = []
    for s, r, k, label in table.itertuples(index=False):
        got = new.xs(s, level="specialty")
        after = staff.xs(r, level="specialty").reindex(got.index)
        hit = (got > 0) & (after == k)
        for d in got.index[hit.to_numpy()]:
            out.append((label, d, s, r, int(k), int(got[d]), int(after[d])))
    return pd.DataFrame(out, columns=cols).sort_values(["rule", "delegation"], kind="stable") \
        .reset_index(drop=True)


def violations(inputs: ModelInputs, new: pd.Series) -> list[str]:
    """Independent check of a plan against every rule (tests, brute force): readable lines."""
    table = rules(inputs)
    new = new.reindex(inputs.pairs.index, fill_value=0)
    staff = inputs.pairs["base"] + new
    out = []
    for s, r, k, label in table.itertuples(index=False):
        got = new.xs(s, level="specialty")
        after = staff.xs(r, level="specialty").reindex(got.index)
        for d in got.index[((got > 0) & (after < k)).to_numpy()]:
            out.append(f"dependency[{label}] at {d}: {int(after[d])} < {k}")
    return out


def describe(inputs: ModelInputs, label: str) -> str:
    """The rule in a planner's words, for conflict explanations."""
    table = rules(inputs)
    row = table[table["label"] == label].iloc[0]
    return (f"dependency[{label}]: new doctors of {row['specialty']} go only where at least "
            f"{int(row['min_required'])} of {row['requires']} work after the plan")


def plan_section(inputs: ModelInputs, delegations: pd.DataFrame) -> dict[str, list[dict]]:
    """plan.json `dependencies` (datasets with dependencies.csv only): the rules with their
    source, and where each binds (`delegations` is the plan's per-pair table)."""
    table = rules(inputs)
    source = inputs.dataset.dependencies.get("source")
    out_rules = [{"rule": label, "specialty": s, "requires": r, "min_required": int(k),
                  "source": None if source is None or pd.isna(source[(s, r)])
                  else str(source[(s, r)])}
                 for s, r, k, label in table.itertuples(index=False)]
    new = delegations.set_index(["delegation", "specialty"])
    new = (new["posts"] + new["foreign"]).astype(np.int64)
    where = binding(inputs, new)
    return {"rules": out_rules, "binding": where.to_dict(orient="records")}


def involved_pairs(inputs: ModelInputs) -> np.ndarray:
    """Per pair position: True where a dependency row may read it (a dependent pair whose
    rule does not already hold, or the required pair of such a delegation). The hull model
    must not treat these pairs as interchangeable with others of their specialty when it
    prunes segment columns (model/hull.py `_usable_segments`)."""
    pairs = inputs.pairs
    out = np.zeros(len(pairs), dtype=bool)
    table = rules(inputs)
    if table.empty:
        return out
    base = pairs["base"]
    for s, r, k, _ in table.itertuples(index=False):
        short = base.xs(r, level="specialty") < k
        for specialty in (s, r):
            keys = pd.MultiIndex.from_arrays([short.index[short.to_numpy()],
                                              [specialty] * int(short.sum())])
            found = pairs.index.get_indexer(keys)
            out[found[found >= 0]] = True
    return out
