"""Workload targets by the WHO WISN method (Workload Indicators of Staffing Need, WHO 2010).

A norm per 100,000 inhabitants ignores what specialists actually do; WISN counts it. For each
(delegation, specialty) a workload table gives (docs/dataset.md, "Workload table"):

- one `time` row: available working time AWT = (working_days - absence_days) x hours_per_day;
- `health` rows (health-service activities): annual_workload units, unit_minutes each; the
  standard workload is AWT x 60 / unit_minutes units a year, and the activity needs
  annual_workload / standard workload specialists;
- `category` rows (support work every specialist does): a `percent` of working time or
  `hours_per_year` per specialist; their total share of AWT gives the category allowance
  factor CAF = 1 / (1 - total share);
- `individual` rows (work only some do): `hours_per_year` in total; IAF = total / AWT.

Required specialists = sum(health needs) x CAF + IAF, written to targets.csv (NEED.md), where
each row replaces the norm-based target of its pair.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from optimiser.data.contract import Code, FileSpec, OptText, Row, Text, _number
from optimiser.data.load import LINE, read_table
from optimiser.errors import InputError, InputIssue

KINDS = ("time", "health", "category", "individual")
TARGETS_HEADER = "delegation_code,specialty_code,target,source"


class WorkloadRow(Row):
    """One row of a WISN workload table; which numbers a row needs depends on its kind."""

    delegation_code: Code
    specialty_code: Code
    kind: Text = Field(min_length=1)
    activity: OptText = None
    working_days: _number(0, 366, True) = None
    absence_days: _number(0, 366, True) = None
    hours_per_day: _number(0, 24, True) = None
    annual_workload: _number(0, 10**9, True) = None
    unit_minutes: _number(0, 10**6, True) = None
    percent: _number(0, 100, True) = None
    hours_per_year: _number(0, 8784, True) = None


NEEDS = {"time": ("working_days", "hours_per_day"), "health": ("annual_workload", "unit_minutes"),
         "individual": ("hours_per_year",)}
"""Columns a row of each kind must fill (a `category` row fills percent or hours_per_year)."""


def _issues(name: str, table: pd.DataFrame, bad: np.ndarray, column: str,
            message: str) -> list[InputIssue]:
    """One issue per flagged row, at its line and column."""
    rows = table[bad]
    return [InputIssue(name, int(line), column, None if pd.isna(v) else str(v), message)
            for line, v in zip(rows[LINE], rows[column], strict=True)]


def _row_issues(name: str, t: pd.DataFrame) -> list[InputIssue]:
    """Per-row rules of the kinds (vectorised by column)."""
    kind = t["kind"].to_numpy(object)
    issues = _issues(name, t, ~np.isin(kind, KINDS), "kind",
                     f"kind must be one of {', '.join(KINDS)}")
    for k, columns in NEEDS.items():
        for column in columns:
            issues += _issues(name, t, (kind == k) & t[column].isna().to_numpy(), column,
                              f"a `{k}` row needs {column}")
    category = kind == "category"
    given = t["percent"].notna().to_numpy().astype(int) + t["hours_per_year"].notna().to_numpy()
    issues += _issues(name, t, category & (given != 1), "percent",
                      "a `category` row gives either percent or hours_per_year (one of them)")
    issues += _issues(name, t, (kind == "health") & (t["unit_minutes"] == 0).to_numpy(),
                      "unit_minutes", "a unit of work takes some time: unit_minutes above 0")
    days = t["working_days"] - t["absence_days"].fillna(0)
    issues += _issues(name, t, (kind == "time") & (days <= 0).to_numpy(), "absence_days",
                      "absences leave no working day (absence_days >= working_days)")
    issues += _issues(name, t, (kind == "time") & (t["hours_per_day"] == 0).to_numpy(),
                      "hours_per_day", "hours_per_day must be above 0")
    keyed = t.assign(activity=t["activity"].fillna(""))
    twice = keyed.duplicated(["delegation_code", "specialty_code", "kind", "activity"])
    issues += _issues(name, t, twice.to_numpy(), "activity",
                      "this (delegation, specialty, kind, activity) appears twice")
    return issues


def compute_wisn(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Required specialists per (delegation, specialty): columns awt_hours, health, caf, iaf,
    target. Raises InputError (file, line, column) for a table WISN cannot read."""
    issues = _row_issues(name, table)
    if issues:
        raise InputError(issues)
    key = ["delegation_code", "specialty_code"]
    time = table[table["kind"] == "time"]
    awt = ((time["working_days"] - time["absence_days"].fillna(0)) * time["hours_per_day"])
    awt = pd.Series(awt.to_numpy(float), index=pd.MultiIndex.from_frame(time[key]))
    groups = table.drop_duplicates(key)
    missing = ~pd.MultiIndex.from_frame(groups[key]).isin(awt.index)
    if missing.any():
        raise InputError(_issues(name, groups, missing, "kind", "this delegation and specialty "
                                 "have no `time` row (their available working time)"))
    at = pd.MultiIndex.from_frame(table[key])
    row_awt = awt.reindex(at).to_numpy(float)
    kind = table["kind"].to_numpy(object)
    health = np.where(kind == "health", table["annual_workload"].to_numpy(float)
                      * table["unit_minutes"].to_numpy(float) / (row_awt * 60), 0.0)
    share = np.where(table["percent"].notna(), table["percent"].to_numpy(float) / 100,
                     table["hours_per_year"].to_numpy(float) / row_awt)
    category = np.where(kind == "category", share, 0.0)
    individual = np.where(kind == "individual", table["hours_per_year"].to_numpy(float)
                          / row_awt, 0.0)
    sums = pd.DataFrame({"health": health, "category": category, "iaf": individual,
                         LINE: table[LINE].to_numpy()}, index=at).groupby(level=[0, 1])
    out = sums[["health", "category", "iaf"]].sum()
    out[LINE] = sums[LINE].min()
    full = (out["category"] >= 1).to_numpy()
    if full.any():
        raise InputError([InputIssue(name, int(line), "percent", None,
                                     "category allowances take all the working time (total "
                                     "share >= 100%): WISN's CAF = 1 / (1 - share) is undefined")
                          for line in out.loc[full, LINE]])
    out["awt_hours"] = awt.reindex(out.index).to_numpy(float)
    out["caf"] = 1 / (1 - out["category"])
    out["target"] = out["health"] * out["caf"] + out["iaf"]
    return out[["awt_hours", "health", "caf", "iaf", "target"]].sort_index()


def read_workload(path: Path) -> pd.DataFrame:
    """Read and validate a workload table (InputError naming file, line and column)."""
    spec = FileSpec(path.name, WorkloadRow, True, ("delegation_code", "specialty_code"))
    table, issues = read_table(path, spec)
    if issues or table is None:
        raise InputError(issues or [InputIssue(path.name, None, None, None, "unreadable")])
    return table


def targets_table(result: pd.DataFrame, source_name: str) -> pd.DataFrame:
    """targets.csv rows (NEED.md) with a source naming the method and the workload file."""
    out = result["target"].round(6).rename("target").reset_index()
    out["source"] = f"WHO WISN (2010 user's manual) computed by optimiser data wisn from " \
                    f"{source_name}"
    return out


def write_targets(targets: pd.DataFrame, out: Path) -> None:
    """Write targets.csv atomically; an existing file is replaced only if it is a targets.csv
    (same header), so a mistyped --out never overwrites another file."""
    if out.exists():
        first = out.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].strip()
        if not out.is_file() or first.lstrip("\ufeff") != TARGETS_HEADER:
            raise InputError([InputIssue(str(out), None, None, None, "exists and is not a "
                                         "targets.csv: refusing to replace it")])
    text = targets.to_csv(index=False, lineterminator="\n")
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=".targets-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
