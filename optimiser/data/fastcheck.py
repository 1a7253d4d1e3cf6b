"""Verdicts on the distinct cells of a column: a fast check first, the row model for the rest.

Validating two million rows one pydantic call at a time takes a minute, yet a workforce file
holds a few hundred distinct codes and counts. So the loader checks the *distinct* cells of each
column of a batch (pandas factorises the column in C), and of these only the cells that the
`Fast` marker of the column's type (contract.py) cannot vouch for go to the row model's own
validator for that field (`cell_model`): the contract stays the pydantic model, which also
words every error. The marker is conservative (plain ASCII digits within range, a well-formed
code, text without control characters...), and tests check on random cells that this path and
the row model alone accept and reject the same cells, with the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from pydantic import BaseModel, ValidationError, create_model

from optimiser.data.contract import CODE_PATTERN, CONTROL, Fast, Row, control_problem, fast_marker
from optimiser.limits import CSV_FIELD_CHARS

_INT = re.compile(r" *\+?[0-9]{1,9} *")
_FLOAT = re.compile(r" *[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15}) *")
_DECIMAL_COMMA = re.compile(r"\s*[+-]?[0-9]*,[0-9]*\s*")
_CACHED_CELLS = 10_000
"""Cells whose row-model verdict is remembered across batches (a repeated bad value is
validated once); bounded, so that two million distinct bad cells do not fill the memory."""
CLIPPED_CHARS = 80
"""A value quoted inside a message (not the issue's own value) is cut to this many characters."""


def clipped(text: str) -> str:
    """Text quoted inside a message: long cells are cut, the message must stay readable."""
    return text if len(text) <= CLIPPED_CHARS else text[:CLIPPED_CHARS] + "..."


@cache
def cell_model(model: type[Row], column: str) -> type[BaseModel]:
    """A model of one field of a row model: the same type, constraints and configuration, so
    that it accepts, converts and refuses a cell exactly as the row model does."""
    info = model.model_fields[column]
    return create_model(f"{model.__name__}_{column}", __config__=model.model_config,
                        **{column: (info.annotation, info)})


def error_message(err: dict) -> str:
    """A pydantic error in the words the loader prints."""
    if err.get("type") == "missing":
        return "a value is required"
    return str(err["msg"]).removeprefix("Value error, ")


def model_verdict(model: type[Row], column: str, cell: str) -> tuple[bool, object, list[str]]:
    """What the row model says of one cell: (accepted, value, error messages)."""
    try:
        checked = cell_model(model, column).model_validate({column: cell})
    except ValidationError as exc:
        return False, None, [error_message(err) for err in exc.errors()]
    return True, getattr(checked, column), []


def _matches(pattern: re.Pattern, cells: np.ndarray) -> np.ndarray:
    """Which cells the pattern matches in full."""
    return np.fromiter((m is not None for m in map(pattern.fullmatch, cells)), bool, len(cells))


def _blanks(cells: np.ndarray) -> np.ndarray:
    """Which cells are empty or spaces only (absent, for an optional column)."""
    return np.fromiter((not c.strip() for c in cells), bool, len(cells))


def _printable(cells: np.ndarray) -> np.ndarray:
    """Which cells hold no control character."""
    return np.fromiter((CONTROL.search(c) is None for c in cells), bool, len(cells))


def _fast_code(cells: np.ndarray, _: Fast) -> tuple[np.ndarray, np.ndarray]:
    return _matches(CODE_PATTERN, cells), cells.copy()


def _fast_text(cells: np.ndarray, _: Fast) -> tuple[np.ndarray, np.ndarray]:
    stripped = np.array([c.strip() for c in cells], dtype=object)
    return (stripped != "") & _printable(cells), stripped


def _fast_opt_text(cells: np.ndarray, _: Fast) -> tuple[np.ndarray, np.ndarray]:
    blank = _blanks(cells)
    values = cells.copy()
    values[blank] = None
    return blank | _printable(cells), values


def _fast_number(pattern: re.Pattern, parse: Callable[[str], float], dtype: type
                 ) -> Callable[[np.ndarray, Fast], tuple[np.ndarray, np.ndarray]]:
    """Plain ASCII numbers within the marker's range; blank when the column is optional."""

    def check(cells: np.ndarray, marker: Fast) -> tuple[np.ndarray, np.ndarray]:
        ok = np.zeros(len(cells), dtype=bool)
        values = np.full(len(cells), None, dtype=object)
        plain = np.flatnonzero(_matches(pattern, cells))
        numbers = np.array([parse(c) for c in cells[plain]], dtype=dtype)
        within = plain[(marker.low <= numbers) & (numbers <= marker.high)]
        ok[within] = True
        values[within] = [parse(c) for c in cells[within]]  # Python numbers, as pydantic gives
        if marker.optional:
            ok |= _blanks(cells)
        return ok, values

    return check


FAST_CHECKS: dict[str, Callable[[np.ndarray, Fast], tuple[np.ndarray, np.ndarray]]] = {
    "code": _fast_code,
    "text": _fast_text,
    "opt_text": _fast_opt_text,
    "int": _fast_number(_INT, int, np.int64),
    "float": _fast_number(_FLOAT, float, np.float64),
}


def decimal_point(cell: str) -> str:
    """`2,5` -> `2.5`: French Excel's decimal comma, accepted in `;`-separated files only."""
    return cell.replace(",", ".") if _DECIMAL_COMMA.fullmatch(cell) else cell


@dataclass
class Verdicts:
    """Per distinct cell: accepted, its value, and the messages of the refused ones."""

    ok: np.ndarray
    values: np.ndarray
    messages: dict[int, list[str]]


@dataclass
class ColumnChecker:
    """Judges the distinct cells of one column, batch after batch.

    `model` is None for a column the contract does not know: its cells are carried as they
    are into the outputs, so they only need to be printable. `unnamed` columns (an empty
    header cell, as Excel writes after the last column; `column` then says "column N") must
    stay empty.
    """

    column: str
    model: type[Row] | None
    decimal_comma: bool = False
    unnamed: bool = False
    _cache: dict[str, tuple[bool, object, list[str]]] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        """The kind of the column's `Fast` marker ("int", "code"...), None outside the contract."""
        return self._marker.kind if self._marker else None

    def __post_init__(self) -> None:
        self._marker = fast_marker(self.model, self.column) if self.model else None
        self._fast = FAST_CHECKS.get(self._marker.kind) if self._marker else None
        self._comma = self.decimal_comma and self._marker is not None \
            and self._marker.kind == "float"

    def judge(self, uniques: np.ndarray) -> Verdicts:
        """Verdicts on distinct cells: the fast check first, the row model for the others."""
        n = len(uniques)
        cells = uniques
        if self._comma:
            cells = np.array([decimal_point(c) for c in uniques], dtype=object)
        if self.model is None:
            ok, values = self._free(uniques)
        elif self._fast is not None:
            ok, values = self._fast(cells, self._marker)
        else:
            ok, values = np.zeros(n, dtype=bool), np.full(n, None, dtype=object)
        too_long = np.fromiter(map(len, uniques), np.int64, n) > CSV_FIELD_CHARS.value
        ok &= ~too_long
        messages = {int(i): [CSV_FIELD_CHARS.message(f"{len(uniques[i]):,} characters")]
                    for i in np.flatnonzero(too_long)}
        for i in np.flatnonzero(~ok & ~too_long).tolist():
            if self.model is None:
                messages[i] = [self._free_problem(uniques[i])]
                continue
            ok[i], values[i], problems = self._row_model(cells[i])
            if not ok[i]:
                messages[i] = problems
        return Verdicts(ok, values, messages)

    def _row_model(self, cell: str) -> tuple[bool, object, list[str]]:
        """The row model's verdict on a cell the fast check could not vouch for (cached)."""
        found = self._cache.get(cell)
        if found is None:
            found = model_verdict(self.model, self.column, cell)
            if len(self._cache) < _CACHED_CELLS:
                self._cache[cell] = found
        return found

    def _free(self, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cells outside the contract: printable ones are kept as written; under a column
        without a name, only blank ones are accepted (and dropped)."""
        if self.unnamed:
            return _blanks(uniques), np.full(len(uniques), None, dtype=object)
        return _printable(uniques), uniques.copy()

    def _free_problem(self, raw: str) -> str:
        """Why a cell outside the contract is refused."""
        if self.unnamed:
            return (f"a value ({clipped(raw)!r}) in {self.column}, which has no header name: "
                    "name the column or empty it")
        return control_problem(raw) or "unprintable"
