"""Read `graduates.csv` and `preferences.csv` (UPTAKE.md) with the dataset loader's rules.

Cells are read and judged by the dataset loader's own machinery (`optimiser.data`): a file
that is not a regular UTF-8 CSV file, a bad cell, a missing column each get an issue naming
file, line, column and value. On top of the cell rules come the rules between rows and files,
checked column-wise with pandas: a graduate id given twice, a rank given twice in a specialty
and promotion, a specialty or promotion the plan has no post for, an unknown origin region;
in preferences, an unknown graduate or delegation, a delegation or an order given twice by the
same graduate. Every issue of both files is collected before failing (exit 2).

Both files are bounded (limits.py style): a graduates file of more than `GRADUATES` rows or a
preferences file of more than `PREFERENCE_ROWS` rows is refused as soon as reading reaches
that row, so a runaway export costs a few MB, not the machine's memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import BeforeValidator

from optimiser.assign.market import Market
from optimiser.data.contract import (
    Code,
    FileSpec,
    OptText,
    PosInt,
    Row,
    Year,
    control_problem,
)
from optimiser.data.load import (
    BATCH_ROWS,
    LINE,
    REJECTED,
    TableBuilder,
    _header_issues,  # the dataset loader's header rules, reused as they are
    collector_paused,
)
from optimiser.data.rawcsv import CsvSource, FileProblem, open_regular, path_problem
from optimiser.errors import InputError, InputIssue
from optimiser.limits import Limit

GRADUATES = Limit("graduates", 200_000, "rows", "graduates file")
PREFERENCE_ROWS = Limit("preference_rows", 5_000_000, "rows", "preferences file")


def _optional_code(value: object) -> object:
    """A blank cell is absent; otherwise stripped, without control characters (the plan's
    region codes are checked after reading)."""
    if isinstance(value, str):
        if (problem := control_problem(value)) is not None:
            raise ValueError(problem)
        return value.strip() or None
    return value


OptRegion = Annotated[str | None, BeforeValidator(_optional_code)]


class GraduateRow(Row):
    """A graduate of `graduates.csv`: rank 1 is the best of their specialty and promotion."""

    graduate_id: Code
    specialty_code: Code
    promotion: Year
    rank: PosInt
    origin_region: OptRegion = None
    source: OptText = None


class PreferenceRow(Row):
    """One acceptable delegation of a graduate; order 1 is the first choice."""

    graduate_id: Code
    delegation_code: Code
    order: PosInt


def read_rows(path: Path, spec: FileSpec, limit: Limit) -> tuple[pd.DataFrame | None,
                                                                 list[InputIssue]]:
    """Valid rows of one file (with a `_line` column) and the issues; None when the file could
    not be read to its end or is over `limit` rows."""
    name = spec.name
    if not os.path.lexists(path):
        return None, [InputIssue(name, None, None, None, "no such file")]
    if (problem := path_problem(path)) is not None:
        return None, [InputIssue(name, None, None, None, problem)]
    try:
        with open_regular(path, name) as raw, collector_paused():
            return _read(CsvSource(raw, name), spec, limit)
    except FileProblem as exc:
        return None, [exc.issue]


def _read(source: CsvSource, spec: FileSpec, limit: Limit) -> tuple[pd.DataFrame | None,
                                                                    list[InputIssue]]:
    cells = source.header()
    if source.problem is not None:
        return None, [source.problem]
    if cells is None or not any(h.strip() for h in cells):
        return None, [InputIssue(spec.name, 1, None, None, "empty file: no header row")]
    header = [h.strip() for h in cells]
    if issues := _header_issues(spec, header):
        return None, issues
    builder = TableBuilder(spec, header, decimal_comma=source.delimiter == ";")
    seen = 0
    for batch in source.batches(min(BATCH_ROWS, limit.value + 1)):
        if seen + len(batch.rows) > limit.value:
            line = int(batch.lines[limit.value - seen])
            return None, [*builder.issues, InputIssue(spec.name, line, None, None,
                                                      limit.message(f"row {limit.value + 1:,}"))]
        seen += len(batch.rows)
        builder.add(batch)
    if source.problem is not None:
        return None, [*builder.issues, source.problem]
    return builder.frame(), builder.issues


def _issues(frame: pd.DataFrame, bad: pd.Series, name: str, column: str,
            message: str | pd.Series) -> list[InputIssue]:
    """One issue per flagged row (only the flagged rows are looped over)."""
    rows = frame[bad]
    texts = message[bad] if isinstance(message, pd.Series) else [message] * len(rows)
    return [InputIssue(name, int(line), column, str(value), text) for line, value, text in
            zip(rows[LINE], rows[column], texts, strict=True)]


def _first_line(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """For each row, the line of the first row with the same keys."""
    return frame.groupby(keys, sort=False)[LINE].transform("min")


def read_graduates(path: Path, market: Market) -> tuple[pd.DataFrame | None,
                                                        list[InputIssue]]:
    """`graduates.csv` checked against itself and the plan."""
    name = str(path)
    frame, issues = read_rows(path, FileSpec(name, GraduateRow, True, ("graduate_id",)),
                              GRADUATES)
    if frame is None:
        return None, issues
    first = _first_line(frame, ["graduate_id"])
    twice = frame[LINE] != first
    issues += _issues(frame, twice, name, "graduate_id",
                      "graduate_id given twice (first on line " + first.astype(str) + ")")
    first = _first_line(frame, ["specialty_code", "promotion", "rank"])
    again = (frame[LINE] != first) & ~twice
    issues += _issues(frame, again, name, "rank",
                      "rank given twice in this specialty and promotion (first on line "
                      + first.astype(str) + "): ranks are a strict order")
    specialties = set(market.seats["specialty"])
    groups = pd.MultiIndex.from_frame(market.seats[["specialty", "promotion"]])
    no_specialty = ~frame["specialty_code"].isin(specialties)
    issues += _issues(frame, no_specialty, name, "specialty_code",
                      "the plan has no post of this specialty")
    pairs = pd.MultiIndex.from_frame(frame[["specialty_code", "promotion"]])
    no_group = ~pairs.isin(groups) & ~no_specialty
    issues += _issues(frame, pd.Series(no_group, index=frame.index), name, "promotion",
                      "the plan has no post of this specialty for this promotion")
    region = frame["origin_region"]
    unknown = region.notna() & ~region.isin(market.regions)
    issues += _issues(frame, unknown, name, "origin_region",
                      "not a region of the plan (" + ", ".join(sorted(market.regions)) + ")")
    return frame.drop(columns=[LINE]), issues


def read_preferences(path: Path, graduates: pd.DataFrame | None, market: Market,
                     ) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """`preferences.csv` checked against itself, the graduates and the plan's delegations."""
    name = str(path)
    frame, issues = read_rows(path, FileSpec(name, PreferenceRow, True, ("graduate_id",)),
                              PREFERENCE_ROWS)
    if frame is None:
        return None, issues
    if graduates is not None:
        known = set(graduates["graduate_id"]) | set(graduates.attrs.get(REJECTED, ()))
        unknown = ~frame["graduate_id"].isin(known)
        issues += _issues(frame, unknown, name, "graduate_id",
                          "not a graduate of the graduates file")
    stranger = ~frame["delegation_code"].isin(market.delegations.index)
    issues += _issues(frame, stranger, name, "delegation_code", "not a delegation of the plan")
    first = _first_line(frame, ["graduate_id", "delegation_code"])
    twice = frame[LINE] != first
    issues += _issues(frame, twice, name, "delegation_code",
                      "this graduate lists this delegation twice (first on line "
                      + first.astype(str) + ")")
    first = _first_line(frame, ["graduate_id", "order"])
    issues += _issues(frame, (frame[LINE] != first) & ~twice, name, "order",
                      "this graduate gives this order twice (first on line "
                      + first.astype(str) + "): each choice has its own order")
    return frame.drop(columns=[LINE]), issues


def read_inputs(graduates_path: Path, preferences_path: Path | None, market: Market,
                ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Both files, every issue of both raised together (InputError, exit 2)."""
    graduates, issues = read_graduates(graduates_path, market)
    preferences = None
    if preferences_path is not None:
        preferences, found = read_preferences(preferences_path, graduates, market)
        issues += found
    if issues:
        raise InputError(issues)
    assert graduates is not None
    if graduates.empty:
        raise InputError([InputIssue(str(graduates_path), None, None, None,
                                     "no graduate: the file has a header and no rows")])
    return graduates, preferences
