"""Read a dataset folder into validated tables, collecting every problem before failing.

The csv module (not pandas) reads the files so that each record keeps its real line number,
even with quoted multi-line cells; the pydantic row models of `contract.py` validate each row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from optimiser.data.contract import FILES, FileSpec
from optimiser.errors import InputIssue

REJECTED = "rejected_codes"
LINE = "_line"
"""Column holding the CSV line of each row, kept so that consistency checks can point at it."""


def read_text(path: Path) -> tuple[str | None, list[InputIssue]]:
    """Decode a file as UTF-8 (a BOM is tolerated); a bad byte is reported with its line."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.end].hex()
        return None, [InputIssue(path.name, line, None, None, f"not UTF-8 (byte 0x{bad})")]


def read_table(path: Path, spec: FileSpec) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """Validate every row of one file; returns the rows as a DataFrame with a `_line` column."""
    text, issues = read_text(path)
    if text is None:
        return None, issues
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        return None, [InputIssue(spec.name, 1, None, None, "empty file: no header row")]
    header = [h.strip() for h in header]
    issues += _header_issues(spec, header)
    if issues:
        return None, issues

    records: list[dict[str, object]] = []
    rejected_codes: set[str] = set()
    known = set(spec.columns)
    extra = [h for h in header if h not in known]
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # blank lines carry no data
        if len(cells) != len(header):
            msg = f"row has {len(cells)} fields but the header has {len(header)}"
            issues.append(InputIssue(spec.name, line, None, None, msg))
            continue
        row = dict(zip(header, cells, strict=True))
        try:
            valid = spec.row_model.model_validate(row)
        except ValidationError as exc:
            issues += [_issue_from_error(spec.name, line, row, err) for err in exc.errors()]
            rejected_codes.add(str(row.get(spec.key[0], "")).strip())
            continue
        record: dict[str, object] = {k: row[k] for k in extra}
        record.update(valid)
        record[LINE] = line
        records.append(record)
    columns = [*spec.columns, *extra, LINE]
    table = pd.DataFrame.from_records(records, columns=columns)
    # Codes of rows rejected above still exist for the planner: references to them are not
    # reported again as unknown codes (one mistake, one message).
    table.attrs[REJECTED] = rejected_codes
    return table, issues


def _header_issues(spec: FileSpec, header: list[str]) -> list[InputIssue]:
    """Missing required columns and repeated column names, reported on line 1."""
    issues = [
        InputIssue(spec.name, 1, column, None, "required column is missing")
        for column in spec.required_columns
        if column not in header
    ]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            issues.append(InputIssue(spec.name, 1, column, None, "column appears twice"))
        seen.add(column)
    return issues


def _issue_from_error(file: str, line: int, row: dict[str, str], err: dict) -> InputIssue:
    """Turn one pydantic error into an issue that names the CSV column and its raw cell."""
    column = str(err["loc"][0]) if err.get("loc") else None
    value = row.get(column) if column is not None else None
    message = str(err["msg"]).removeprefix("Value error, ")
    if err.get("type") == "missing":
        message = "a value is required"
    return InputIssue(file, line, column, value, message)


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], list[InputIssue]]:
    """Read every contract file present in `folder`; missing required files are issues."""
    tables: dict[str, pd.DataFrame] = {}
    issues: list[InputIssue] = []
    if not folder.is_dir():
        return tables, [InputIssue(str(folder), None, None, None, "dataset folder not found")]
    for name, spec in FILES.items():
        path = folder / name
        if not path.is_file():
            if spec.required:
                issues.append(InputIssue(name, None, None, None, "required file is missing"))
            continue
        table, found = read_table(path, spec)
        issues += found
        if table is not None:
            tables[name] = table
    return tables, issues
