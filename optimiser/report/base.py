"""The typed hand-off between the modules that derive figures and those that format them.

`tables` and `assumptions` build `Table`s; `html`, `excel`, `markdown` and `charts` only
read them. A table's columns use stable English keys, its `kinds` say how to show each
column and `i18n` gives the labels, so the data itself carries no language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Table:
    """One table of the report: a frame plus how to show each column.

    `kinds` maps a column to code, text, data (text from the data files, shown as entered),
    ar, term, param, value, year, place, spec, int, num1, num2, pct or money.
    `labels` names columns that i18n cannot know (specialty codes), per language.
    `total_row` marks a last row that sums the others (shown in bold; a "Total" label in it
    is translated).
    `row_kinds` overrides the kind of the "value" column row by row (key/value tables).
    `names` gives the full name of the codes of "spec" columns, per language.
    `folds` pairs a name column with its Arabic column: the page shows both in one cell
    (default: name_fr with name_ar).
    """

    key: str
    frame: pd.DataFrame
    kinds: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    total_row: bool = False
    row_kinds: tuple[str, ...] | None = None
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    folds: Mapping[str, str] | None = None

    def select(self, columns: list[str], key: str | None = None) -> Table:
        """The same table restricted to `columns` (e.g. region totals beside the map)."""
        return Table(key or self.key, self.frame.loc[:, columns],
                     {c: self.kinds[c] for c in columns}, self.labels, self.total_row,
                     self.row_kinds, self.names, self.folds)

    def folded(self) -> dict[str, str]:
        """Name column -> its Arabic column, for the pairs present in the frame."""
        folds = self.folds if self.folds is not None else {"name_fr": "name_ar"}
        return {main: ar for main, ar in folds.items()
                if main in self.frame.columns and ar in self.frame.columns}

    def kinds_of_row(self, index: int) -> dict[str, str]:
        """Column kinds of row `index`, `row_kinds` applied."""
        if self.row_kinds is None:
            return dict(self.kinds)
        return {**self.kinds, "value": self.row_kinds[index]}

    def records(self) -> list[list[Any]]:
        """Rows as lists of plain Python values (None for missing), in column order."""
        columns = [self.column_values(c) for c in self.frame.columns]
        return [list(row) for row in zip(*columns, strict=True)]

    def column_values(self, column: str, start: int = 0, stop: int | None = None
                      ) -> list[Any]:
        """Rows `start` to `stop` of one column as plain Python values, None for missing
        (the workbook reads a huge table a chunk at a time, never all its rows at once)."""
        values = self.frame[column].iloc[start:stop].astype(object).tolist()
        return [None if _missing(v) else v for v in values]

    def without_time(self) -> Table:
        """Drop the rows of time-dependent items (for --no-timestamp)."""
        if "item" not in self.frame.columns:
            return self
        keep = [i for i, item in enumerate(self.frame["item"]) if item not in TIME_DEPENDENT]
        row_kinds = tuple(self.row_kinds[i] for i in keep) if self.row_kinds else None
        return Table(self.key, self.frame.iloc[keep].reset_index(drop=True), self.kinds,
                     self.labels, self.total_row, row_kinds, self.names, self.folds)


TIME_DEPENDENT = frozenset({"generated_at", "build_seconds", "solve_seconds"})
TOTAL = "Total"  # the label of a total row in the frames, translated when shown


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


@dataclass(frozen=True)
class ReportData:
    """All the report shows: scalar `summary`, ordered `tables`, the map's `places`, the
    delegation x specialty `matrix` (matrix.Matrix) and the sensitivity's scalar facts."""

    summary: Mapping[str, Any]
    tables: Mapping[str, Table]
    places: pd.DataFrame
    matrix: Any = None
    sensitivity: Mapping[str, Any] | None = None
    regions: pd.DataFrame | None = None
    uptake: Mapping[str, Any] | None = None
    """Facts of the "where posts may stay empty" section (`uptake`); None: no section."""
    meta: Mapping[str, Any] | None = None
    """plan.json, for sections read straight from it (report/pareto.py)."""
    dependencies: Mapping[str, Any] | None = None
    """Facts of the "specialty dependencies" section (`dependencies`); None: no section."""
    horizon: Mapping[str, Any] | None = None
    """Facts of the "several years" section (`horizon`); None: a one-year plan."""
