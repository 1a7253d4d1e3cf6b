"""The accepted values of a column, kept compact batch after batch, typed as pandas would type them.

The loader used to build one dict per row and let pandas infer each column's type; for two
million rows that meant two million dicts and ints. Here a numeric column is stored per batch as
a numpy array plus a mask of blank cells, and only at the end becomes what pandas would have
inferred from the same Python values (the dataset's dtypes must not change):
whole numbers int64, numbers float64, NaN for blanks (so a count column with a blank becomes
float64, as before), a column of nothing but blanks object; text stays an object array of
`str`, which pandas turns into its string dtype.
"""

from __future__ import annotations

import numpy as np


class ColumnParts:
    """Accepted values of one column, batch after batch.

    `numeric` is np.int64 or np.float64 for a number column, None for text.
    """

    def __init__(self, numeric: type | None) -> None:
        self.numeric = numeric
        self._values: list[np.ndarray] = []
        self._blank: list[np.ndarray] = []

    def add(self, values: np.ndarray) -> None:
        """Values of a batch (Python objects, None for a blank cell)."""
        if self.numeric is None:
            self._values.append(values)
            return
        blank = values == None  # noqa: E711 - elementwise on an object array
        typed = np.zeros(len(values), dtype=self.numeric)
        typed[~blank] = values[~blank].astype(self.numeric)
        self._values.append(typed)
        self._blank.append(blank)

    def add_coded(self, values: np.ndarray, codes: np.ndarray) -> None:
        """The same as `add(values[codes])`, with `values` the distinct values of a batch and
        `codes` one per row: numbers are typed once per distinct value, not once per row."""
        if self.numeric is None:
            self._values.append(values[codes])
            return
        blank = values == None  # noqa: E711 - elementwise on an object array
        typed = np.zeros(len(values), dtype=self.numeric)
        typed[~blank] = values[~blank].astype(self.numeric)
        self._values.append(typed[codes])
        self._blank.append(blank[codes])

    def column(self) -> np.ndarray:
        """Every value added, typed; the parts are released as they are joined."""
        values = np.concatenate(self._values) if self._values else np.empty(0, dtype=object)
        self._values.clear()
        if self.numeric is None:
            return values
        blank = np.concatenate(self._blank)
        self._blank.clear()
        if blank.all():
            return np.full(len(values), None, dtype=object)
        if blank.any():
            values = values.astype(np.float64)
            values[blank] = np.nan
        return values
