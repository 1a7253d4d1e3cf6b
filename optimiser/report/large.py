"""What the page shows of a plan with very many delegations.

A commune-level or synthetic plan can have tens of thousands of delegations: a page with one
matrix row, one "why" line and one table row for each (12,500 delegations x 40 specialties:
a 38 MB page) cannot be opened, let alone read. Past `PAGE_DELEGATIONS`, the page shows the
delegations that receive the most doctors (then the largest unmet need, then the code: the
same inputs always show the same rows) and says so; region and national totals still count
every delegation, and the workbook, delegations.csv and plan.json keep them all.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from optimiser.report.base import Table
from optimiser.report.matrix import Matrix

PAGE_DELEGATIONS = 2_000
"""Most delegations listed on the page (the national plan has 75, a commune plan about
1,500: both are shown whole)."""


def page_delegations(delegations: pd.DataFrame, limit: int | None = None
                     ) -> frozenset[str] | None:
    """The delegation codes the page lists (at most `limit`, default PAGE_DELEGATIONS), or
    None when it lists them all."""
    limit = PAGE_DELEGATIONS if limit is None else limit
    if len(delegations) <= limit:
        return None
    ranked = delegations.assign(received=delegations["posts"] + delegations["foreign"])
    ranked = ranked.sort_values(["received", "unmet_after", "delegation"],
                                ascending=[False, False, True], kind="stable")
    return frozenset(ranked["delegation"].head(limit).astype(str))


def listed_rows(table: Table, shown: frozenset[str] | None) -> Table:
    """The table's rows of the listed delegations (in their order)."""
    if shown is None:
        return table
    keep = table.frame["delegation"].astype(str).isin(shown).to_numpy()
    return dataclasses.replace(table, frame=table.frame.loc[keep].reset_index(drop=True))


def listed_matrix(matrix: Matrix, shown: frozenset[str] | None) -> Matrix:
    """The matrix with the listed delegations' rows; region and national totals unchanged
    (they count every delegation)."""
    if shown is None:
        return matrix
    groups = tuple(dataclasses.replace(g, rows=tuple(r for r in g.rows if r.code in shown))
                   for g in matrix.groups)
    return dataclasses.replace(matrix, groups=groups)
