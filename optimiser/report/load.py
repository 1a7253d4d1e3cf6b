"""Read a plan folder (docs/plan-folder.md) into typed tables, refusing a broken one.

The report generator never re-reads the dataset: everything comes from the plan folder.
`plan.json` carries the scalars and reference lists; the three CSV tables carry the rows
(when a CSV is absent its rows are taken from `plan.json`, which holds the same rows). The
loader reports every problem at once so that `optimiser report` can say what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimiser.report import horizon

PLAN_FILE = "plan.json"
REPORTABLE_STATUSES = ("optimal", "feasible")

REQUIRED_KEYS = (
    "scenario", "status", "objective", "delegations", "posts_by_category", "parameters",
    "totals", "unmet_need", "regions", "specialties", "delegation_info",
)
DELEGATION_COLUMNS = (
    "delegation", "region", "specialty", "population", "priority_weight", "specialty_weight",
    "target", "presence_threshold", "current", "departures", "staff_before", "posts", "foreign",
    "staff_after", "shortfall_before", "shortfall", "absence_shortfall_before",
    "absence_shortfall", "creation", "compensation", "reinforcement",
)
OPTIONAL_DELEGATION_COLUMNS = ("capacity",)  # hosting capacity (null: unlimited), when given
YEAR_COLUMN = "year"  # a horizon plan's rows, every year's (report/horizon.py)
ALLOCATION_COLUMNS = ("delegation", "specialty", "promotion", "posts")
FOREIGN_COLUMNS = ("contingent", "delegation", "specialty", "doctors")
TEXT_COLUMNS = frozenset({"delegation", "region", "specialty", "contingent"})
INT_COLUMNS = frozenset({
    "population", "current", "departures", "staff_before", "posts", "foreign", "staff_after",
    "creation", "compensation", "reinforcement", "promotion", "doctors",
})


class PlanError(ValueError):
    """The folder holds no reportable plan; `problems` lists every reason found."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        super().__init__(f"{folder}: not a valid plan folder:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Plan:
    """A solved plan as read from its folder: `meta` is plan.json, the frames its row tables."""

    folder: Path
    meta: Mapping[str, Any]
    allocations: pd.DataFrame
    foreign: pd.DataFrame
    delegations: pd.DataFrame


def load_plan(folder: Path, document: Mapping[str, Any] | None = None) -> Plan:
    """Read and check `folder`; raise `PlanError` listing every problem found.

    `document`: plan.json's content when the caller has just written it (`optimiser solve`),
    so that it is not parsed back: on a plan of a million cells that is 1 GB and 3 s. It is
    checked as the file would be.
    """
    folder = Path(folder)
    problems: list[str] = []
    meta = _read_meta(folder, problems, document)
    if meta is None:
        raise PlanError(folder, problems)
    frames = {}
    for name, key, columns in (
        ("allocations.csv", "allocations", ALLOCATION_COLUMNS),
        ("foreign.csv", "foreign", FOREIGN_COLUMNS),
        ("delegations.csv", "delegations", DELEGATION_COLUMNS),
    ):
        optional = (*(OPTIONAL_DELEGATION_COLUMNS if key == "delegations" else ()),
                    *((YEAR_COLUMN,) if "horizon" in meta else ()))
        frames[key] = _read_rows(folder / name, meta.get(key) or [], columns, problems,
                                 optional)
    if problems:
        raise PlanError(folder, problems)
    _check_totals(meta, frames, problems)
    horizon.check(meta, frames, problems)
    if problems:
        raise PlanError(folder, problems)
    return Plan(folder=folder, meta=meta, **frames)


def _read_meta(folder: Path, problems: list[str],
               document: Mapping[str, Any] | None = None) -> Mapping[str, Any] | None:
    """Parse plan.json (or take `document`, its content) and check the keys and status the
    report relies on."""
    path = folder / PLAN_FILE
    if not folder.is_dir():
        problems.append("no such folder")
        return None
    if not path.is_file():
        problems.append(f"{PLAN_FILE} is missing (run `optimiser solve` first)")
        return None
    if document is not None:
        meta: Any = document
    else:
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{PLAN_FILE} cannot be read: {exc}")
            return None
    if not isinstance(meta, Mapping):
        problems.append(f"{PLAN_FILE} is not a JSON object")
        return None
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        problems.append(f"{PLAN_FILE} lacks the keys {', '.join(missing)}")
    if meta.get("status") not in REPORTABLE_STATUSES:
        problems.append(f"{PLAN_FILE} status is {meta.get('status')!r}: only "
                        f"{' or '.join(REPORTABLE_STATUSES)} plans have a report")
    for key in ("delegations", "regions", "specialties", "delegation_info"):
        if key in meta and not (isinstance(meta[key], list) and meta[key]):
            problems.append(f"{PLAN_FILE} key {key!r} must be a non-empty list")
    return None if problems else meta


def _read_rows(path: Path, fallback: list[dict[str, Any]], columns: tuple[str, ...],
               problems: list[str], optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of one table: from its CSV when present, else from plan.json.

    Codes are read as text without NA guessing, so a delegation coded "NA" stays "NA".
    `optional` columns are kept when present (numbers, empty cells as NaN).
    """
    if path.is_file():
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            problems.append(f"{path.name} cannot be read: {exc}")
            return pd.DataFrame(columns=list(columns))
        where = path.name
    else:
        frame = pd.DataFrame(fallback)
        where = f"{PLAN_FILE}[{path.stem!r}]"
    empty = pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
    if frame.empty and len(frame.columns) == 0:
        return empty  # no rows at all, e.g. no foreign doctors deployed
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(f"{where} lacks the columns {', '.join(missing)}")
        return empty
    extra = [c for c in optional if c in frame.columns]
    frame = frame.loc[:, list(columns) + extra].copy()
    for column in extra:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in columns:
        if column in TEXT_COLUMNS:
            frame[column] = frame[column].astype(str)
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            problems.append(f"{where} column {column!r} has non-numeric values on "
                            f"{int(bad.sum())} row(s)")
            continue
        frame[column] = values.round().astype("int64") if column in INT_COLUMNS else (
            values.astype("float64"))
    return frame.reset_index(drop=True)


def _dtype(column: str) -> str:
    """Empty-column dtype matching what `_read_rows` produces for filled columns."""
    if column in TEXT_COLUMNS:
        return "object"
    return "int64" if column in INT_COLUMNS else "float64"


def _check_totals(meta: Mapping[str, Any], frames: Mapping[str, pd.DataFrame],
                  problems: list[str]) -> None:
    """The CSV tables and plan.json must describe the same plan (a half-copied folder fails)."""
    totals = meta.get("totals") or {}
    checks = (
        ("allocations", "posts", "posts_allocated"),
        ("foreign", "doctors", "foreign_deployed"),
    )
    for key, column, total_key in checks:
        if total_key in totals and int(frames[key][column].sum()) != int(totals[total_key]):
            problems.append(f"{key} rows sum to {int(frames[key][column].sum())} {column} but "
                            f"plan.json totals.{total_key} is {totals[total_key]}")
    n_rows, n_meta = len(frames["delegations"]), len(meta.get("delegations") or [])
    if n_meta and n_rows != n_meta:
        problems.append(f"delegations.csv has {n_rows} rows but plan.json lists {n_meta}")
