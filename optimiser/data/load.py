"""Read a dataset folder into validated tables, collecting every problem before failing.

Three steps, each in its module: `rawcsv.py` checks that a file is a regular, readable UTF-8
file within the size limits and turns it into CSV records with their physical line numbers
(the csv module's line count, so quoted multi-line cells keep true line numbers);
`fastcheck.py` judges the distinct cells of each column (a fast check, then the row models
of `contract.py`); here the verdicts become issues or table rows, a batch of records at a time.

Fast path (`fastread.py`), tried first on every file once its header is accepted: when the file
is plain - no `"` anywhere (so no record spans lines), no NUL byte, no carriage return outside
a CRLF line end, the header's number of separators on every non-blank line, every line shorter
than the line and cell limits, no more bytes than the size limit - a byte scan gives the
physical line of every record (blank lines skipped, as both readers do), and pandas' C parser
reads the cells as written (no NA conversion), a chunk of records at a time, into the same
`TableBuilder`. If pandas cannot read the file (a byte that is not UTF-8...) or any cell is
refused, the fast path gives up and the file is read again from its start on the exact path
above (the row-model verdicts already cached are kept), so every issue is the exact path's,
worded and numbered as always. Quoted files (Excel quotes a cell holding a comma or a line
break) always take the exact path. The table is the same either way: same values, dtypes,
`_line` numbers and attrs (tests/test_load_fastpath.py loads datasets both ways).

Excel exports are accepted as they come:
- a file whose header line has `;` and no `,` (French Excel's "CSV") is read with `;` as
  separator, and its decimal columns accept a decimal comma (`2,5` is 2.5);
- empty header cells (Excel's `a,b,c,,`) are ignored with their column, which must be empty;
- a UTF-8 byte-order mark is ignored; a UTF-16 ("Unicode text") file or a byte that is not UTF-8
  gets one issue with the advice to save as "CSV UTF-8 (comma delimited)".

A file that cannot be read to its end (not a regular file, bad encoding, unclosed quote, a line
over the limit, a bad header) gives no table: `read_folder` returns its name among the failed
files, so that the consistency checks do not report every reference into it as unknown.
"""

from __future__ import annotations

import gc
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.data import fastread
from optimiser.data.columns import ColumnParts
from optimiser.data.contract import FILES, FileSpec, control_problem
from optimiser.data.fastcheck import ColumnChecker, Verdicts, clipped
from optimiser.data.rawcsv import Batch, CsvSource, FileProblem, kind_of, open_regular, path_problem
from optimiser.errors import InputIssue

REJECTED = "rejected_codes"


class SharedCodes(frozenset):
    """The codes of rejected rows, kept in a table's `attrs`.

    pandas deep-copies `attrs` into every frame or column derived from the table; two million
    rejected codes made each column access cost half a second. The set never changes after
    loading, so a copy may share it.
    """

    def __deepcopy__(self, memo: dict) -> SharedCodes:
        return self

LINE = "_line"
"""Column holding the CSV line of each row, kept so that consistency checks can point at it."""
_NUMERIC = {"int": np.int64, "float": np.float64}
BATCH_ROWS = 32_768
"""Records validated together: large enough for column-wise checks to pay, small enough that a
batch of raw cells stays a few MB."""


class TableBuilder:
    """Validated rows of one file, accumulated column by column, batch after batch."""

    def __init__(self, spec: FileSpec, header: list[str], decimal_comma: bool,
                 checkers: list[ColumnChecker] | None = None) -> None:
        """`checkers` of an earlier builder of the same file may be passed on: their caches
        of row-model verdicts then carry over (a file read again after the fast path gave up
        sends no cell to the row model twice)."""
        self.spec = spec
        self.header = header
        self.issues: list[InputIssue] = []
        self.rejected: set[str] = set()
        self.checkers = checkers if checkers is not None else [
            ColumnChecker(f"column {j + 1}", None, unnamed=True) if not name
            else ColumnChecker(name, spec.row_model if name in spec.columns else None,
                               decimal_comma)
            for j, name in enumerate(header)]
        self.extra = [h for h in header if h and h not in spec.columns]
        self._parts = {c.column: ColumnParts(_NUMERIC.get(c.kind)) for c in self.checkers
                       if not c.unnamed}
        self._lines: list[np.ndarray] = []
        self._key_column = header.index(spec.key[0])

    def add(self, batch: Batch) -> None:
        """Judge a batch: issues for refused cells, values of the rows that are all valid."""
        rows, lines = self._right_width(batch)
        if rows:
            self.add_columns([np.array(cells, dtype=object) for cells in zip(*rows, strict=True)],
                             lines)

    def add_columns(self, columns: list[np.ndarray], lines: np.ndarray) -> None:
        """Judge records given column by column (one object array of cells per header cell,
        all of the header's width), starting on `lines`."""
        factorised = [pd.factorize(cells) for cells in columns]
        blank = np.ones(len(lines), dtype=bool)
        for codes, uniques in factorised:
            blank &= np.fromiter((u.strip() == "" for u in uniques), bool, len(uniques))[codes]
        valid = ~blank
        judged = [checker.judge(uniques) for checker, (_, uniques) in zip(self.checkers, factorised,
                                                                          strict=True)]
        for checker, verdicts, (codes, uniques) in zip(self.checkers, judged, factorised,
                                                       strict=True):
            refused = ~verdicts.ok[codes] & ~blank
            if refused.any():
                valid &= ~refused
                self._refused_cells(checker, verdicts, codes, uniques, refused, lines)
        self._reject_keys(factorised[self._key_column], ~valid & ~blank)
        everything = bool(valid.all())
        for checker, verdicts, (codes, _) in zip(self.checkers, judged, factorised, strict=True):
            if not checker.unnamed:
                self._parts[checker.column].add_coded(verdicts.values,
                                                      codes if everything else codes[valid])
        self._lines.append(lines if everything else lines[valid])

    @property
    def clean(self) -> bool:
        """No record so far was refused or rejected (blank records are neither)."""
        return not self.issues and not self.rejected

    def _right_width(self, batch: Batch) -> tuple[list[list[str]], np.ndarray]:
        """Records with as many fields as the header; blank ones are skipped, others reported."""
        rows, width = batch.rows, len(self.header)
        lengths = np.fromiter(map(len, rows), np.int64, len(rows))
        wrong = lengths != width
        if not wrong.any():
            return rows, batch.lines
        for i in np.flatnonzero(wrong):
            cells = [c.strip() for c in rows[i] if c.strip()]
            if cells:
                msg = f"row has {len(rows[i])} fields but the header has {width}"
                self.issues.append(InputIssue(self.spec.name, int(batch.lines[i]), None, None, msg))
                self.rejected.update(cells)  # whichever cell is the key, it is not unknown
        kept = np.flatnonzero(~wrong)
        return [rows[i] for i in kept], batch.lines[kept]

    def _refused_cells(self, checker: ColumnChecker, verdicts: Verdicts, codes: np.ndarray,
                       uniques: np.ndarray, refused: np.ndarray, lines: np.ndarray) -> None:
        """One issue per refusal, naming line, column and the cell as written. Built with `map`
        over plain lists: two million bad rows must cost seconds, not minutes."""
        column = None if checker.unnamed else checker.column
        rows = np.flatnonzero(refused)
        which, at = codes[rows].tolist(), lines[rows].tolist()
        distinct = set(which)
        values = {u: uniques[u] for u in distinct}
        first = {u: verdicts.messages[u][0] for u in distinct}
        self.issues += map(InputIssue, repeat(self.spec.name), at, repeat(column),
                           map(values.__getitem__, which), map(first.__getitem__, which))
        if any(len(verdicts.messages[u]) > 1 for u in distinct):  # several problems in a cell
            self.issues += [InputIssue(self.spec.name, line, column, values[u], message)
                            for line, u in zip(at, which, strict=True)
                            for message in verdicts.messages[u][1:]]

    def _reject_keys(self, key: tuple[np.ndarray, np.ndarray], rejected: np.ndarray) -> None:
        """Codes of refused rows still exist for the planner: references to them are not
        reported again as unknown codes (one mistake, one message)."""
        if rejected.any():
            codes, uniques = key
            self.rejected.update(uniques[u].strip() for u in np.unique(codes[rejected]))

    def frame(self) -> pd.DataFrame:
        """The valid rows as a DataFrame: contract columns typed, extra columns as written."""
        columns = [*self.spec.columns, *self.extra, LINE]
        lines = np.concatenate(self._lines) if self._lines else np.empty(0, np.int64)
        if len(lines) == 0:
            table = pd.DataFrame.from_records([], columns=columns)
        else:
            data: dict[str, object] = {}
            for column in [*self.spec.columns, *self.extra]:
                parts = self._parts.get(column)
                data[column] = (parts.column() if parts is not None
                                else [self._default(column)] * len(lines))
            data[LINE] = lines
            table = pd.DataFrame(data, columns=columns)
        table.attrs[REJECTED] = SharedCodes(self.rejected)
        return table

    def _default(self, column: str) -> object:
        """The row model's default for a column the file does not have."""
        return self.spec.row_model.model_fields[column].get_default(call_default_factory=True)


def read_table(path: Path, spec: FileSpec) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """Validate every row of one file; returns the rows as a DataFrame with a `_line` column,
    or None when the file could not be read to its end."""
    try:
        with open_regular(path, spec.name) as raw, collector_paused():
            return _read_source(CsvSource(raw, spec.name), spec, raw)
    except FileProblem as exc:
        return None, [exc.issue]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while reading: millions of short-lived row lists (or of
    issues) make it run thousands of times for nothing (no cycles are made here), which costs
    a third of the load time and more with many issues. Restored as it was, even on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_source(source: CsvSource, spec: FileSpec, raw: io.FileIO | None = None
                 ) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """Header, then batches of records, then the table (or None after a reading problem).

    With the open file `raw`, the fast path is tried first once the header is accepted; when
    it gives up, the file is read again from its start on the exact path."""
    cells = source.header()
    if source.problem is not None:
        return None, [source.problem]
    if cells is None or not any(h.strip() for h in cells):
        return None, [InputIssue(spec.name, 1, None, None, "empty file: no header row")]
    header = [h.strip() for h in cells]
    issues = _header_issues(spec, header)
    if issues:
        return None, issues
    builder = TableBuilder(spec, header, decimal_comma=source.delimiter == ";")
    if raw is not None:
        table = _fast_table(raw, builder, source.delimiter)
        if table is not None:
            return table, []
        raw.seek(0)
        source = CsvSource(raw, spec.name)
        source.header()
        builder = TableBuilder(spec, header, source.delimiter == ";", builder.checkers)
    for batch in source.batches(BATCH_ROWS):
        builder.add(batch)
    if source.problem is not None:
        return None, [*builder.issues, source.problem]
    return builder.frame(), builder.issues


def _fast_table(raw: io.FileIO, builder: TableBuilder, delimiter: str) -> pd.DataFrame | None:
    """The table read by the fast path (`fastread.py`) into a new `builder`, or None when the
    file is not plain or when any record is refused: the exact path then gives every issue,
    worded as always."""
    width = len(builder.header)
    lines = fastread.plain_lines(raw, delimiter, width)
    if lines is None:
        return None
    if len(lines) == 0:
        return builder.frame()
    done = 0
    try:
        for cells in fastread.columns(raw, delimiter, width):
            count = len(cells[0])
            if done + count > len(lines):
                return None
            builder.add_columns(cells, lines[done : done + count])
            done += count
            if not builder.clean:
                return None
    except ValueError:  # pandas' parser errors, UnicodeDecodeError: the exact path words them
        return None
    return builder.frame() if done == len(lines) else None


def _header_issues(spec: FileSpec, header: list[str]) -> list[InputIssue]:
    """Missing required columns, repeated or unprintable column names, reported on line 1."""
    issues = [
        InputIssue(spec.name, 1, column, None, "required column is missing")
        for column in spec.required_columns
        if column not in header
    ]
    seen: set[str] = set()
    for column in filter(None, header):
        if (problem := control_problem(column)) is not None:
            # Never echo a control character to the terminal: the name is shown by its repr.
            issues.append(InputIssue(spec.name, 1, None, None,
                                     f"column name {clipped(column)!r} {problem}"))
        elif column in seen:
            issues.append(InputIssue(spec.name, 1, column, None, "column appears twice"))
        elif column == LINE:
            issues.append(InputIssue(spec.name, 1, column, None, "column name reserved by the "
                                     "loader: rename the column"))
        seen.add(column)
    return issues


def _folder_problem(folder: Path) -> str | None:
    """Why `--data` is not a dataset folder, if it is not one."""
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return "dataset folder not found"
    except OSError as exc:
        return f"dataset folder cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return None
    what = "a file" if stat.S_ISREG(info.st_mode) else kind_of(info.st_mode)
    return f"not a dataset folder but {what}"


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], list[InputIssue], set[str]]:
    """Read every contract file present in `folder`; missing required files are issues.

    Returns the tables, the issues, and the files that are present but could not be read
    (a file name that exists is never taken for an absent file).
    """
    tables: dict[str, pd.DataFrame] = {}
    issues: list[InputIssue] = []
    failed: set[str] = set()
    if (problem := _folder_problem(folder)) is not None:
        return tables, [InputIssue(str(folder), None, None, None, problem)], failed
    for name, spec in FILES.items():
        path = folder / name
        if not os.path.lexists(path):
            if spec.required:
                issues.append(InputIssue(name, None, None, None, "required file is missing"))
            continue
        if (problem := path_problem(path)) is not None:
            issues.append(InputIssue(name, None, None, None, problem))
            failed.add(name)
            continue
        table, found = read_table(path, spec)
        issues += found
        if table is None:
            failed.add(name)
        else:
            tables[name] = table
    return tables, issues, failed
