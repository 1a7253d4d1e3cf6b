"""What `optimiser simulate` reads: a solved plan folder and the acceptance probabilities.

The probabilities come, in this order, from an `--uptake FILE` given on the command line (an
uptake.csv, UPTAKE.md: a specific specialty row wins over `*`, a delegation without a row has
p = 1), from the `p_accept` of the plan's own `delegations` rows (an expected-uptake plan
carries them), or are 1 everywhere (then the simulation only reproduces the plan, and the
command says so). Everything is checked before any draw: a plan.json that is not a plan, or a
bad uptake file, is an InputError naming the file, line (or row) and column (exit 2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimiser.data.contract import FileSpec, UptakeRow
from optimiser.errors import InputError, InputIssue

PLAN_FILE = "plan.json"
TEXT_COLUMNS = ("delegation", "specialty")
COUNT_COLUMNS = ("posts", "foreign", "staff_before")
NUMBER_COLUMNS = ("target", "presence_threshold", "priority_weight", "specialty_weight")
SOURCE_PLAN = "plan.json"
SOURCE_NONE = "none: every p_accept = 1"


@dataclass(frozen=True)
class SimulationInputs:
    """The plan rows the simulation needs, their p_accept and the plan's headline figures."""

    folder: Path
    rows: pd.DataFrame
    """delegation, specialty, the counts of COUNT_COLUMNS and the numbers of NUMBER_COLUMNS."""
    p_accept: np.ndarray
    p_source: str
    """Where p_accept came from: plan.json, the uptake file given, or SOURCE_NONE."""
    absence_penalty: float
    unmet_after: float
    """The plan's weighted unmet need when every post is taken up (plan.json unmet_need.after)."""
    expected_unmet_need: float | None
    plan_sha256: str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class _Unmet(_Strict):
    after: float


class _Parameters(_Strict):
    absence_penalty: float | None = Field(default=None, ge=0)


class PlanHeader(_Strict):
    """The parts of plan.json the simulation relies on (docs/plan-folder.md)."""

    status: Literal["optimal", "feasible"]
    parameters: _Parameters = _Parameters()
    unmet_need: _Unmet
    expected_unmet_need: float | None = None
    delegations: list[dict[str, Any]] = Field(min_length=1)
    horizon: dict[str, Any] | None = None
    """Set in a plan over several years (NEED.md), which simulate refuses."""


def load_inputs(plan_dir: Path, uptake: Path | None = None) -> SimulationInputs:
    """Read and check the plan folder and the probabilities (see the module docstring)."""
    plan_dir = Path(plan_dir)
    header, rows, digest = read_plan(plan_dir)
    if uptake is not None:
        p = p_from_uptake(rows, read_uptake(uptake, set(rows["delegation"]),
                                            set(rows["specialty"])))
        source = str(uptake)
    elif "p_accept" in rows.columns:
        p, source = rows["p_accept"].to_numpy(float), SOURCE_PLAN
    else:
        p, source = np.ones(len(rows)), SOURCE_NONE
    penalty = header.parameters.absence_penalty
    return SimulationInputs(plan_dir, rows.drop(columns=["p_accept"], errors="ignore"), p,
                            source, 4.0 if penalty is None else penalty,
                            header.unmet_need.after, header.expected_unmet_need, digest)


def read_plan(plan_dir: Path) -> tuple[PlanHeader, pd.DataFrame, str]:
    """plan.json's header, its delegations rows (checked column by column) and its SHA-256."""
    path = plan_dir / PLAN_FILE
    name = str(path)
    if not plan_dir.is_dir():
        what = "is not a folder" if plan_dir.exists() else "no such folder"
        raise _error(str(plan_dir), f"{what}: give a plan folder written by `optimiser solve`")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _error(name, "is missing: run `optimiser solve` first") from None
    except OSError as exc:
        raise _error(name, f"cannot be read: {exc.strerror or exc}") from None
    try:
        header = PlanHeader.model_validate(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _error(name, f"is not JSON: {exc}") from None
    except ValidationError as exc:
        raise InputError([InputIssue(name, None, None, None, f"not a plan: key "
                                     f"'{'.'.join(map(str, e['loc']))}': {e['msg']}")
                          for e in exc.errors()]) from None
    if header.horizon is not None:
        raise _error(name, "is a plan over several years (parameters.horizon): simulate a "
                           "one-year plan (e.g. the first year planned alone)")
    rows = _check_rows(name, pd.DataFrame(header.delegations, dtype=object))
    return header, rows, hashlib.sha256(raw).hexdigest()


def _check_rows(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Every column the simulation uses, present and valid in every row (vectorised)."""
    missing = [c for c in (*TEXT_COLUMNS, *COUNT_COLUMNS, *NUMBER_COLUMNS) if c not in frame]
    if missing:
        raise _error(name, f"not a plan: its delegations rows lack {', '.join(missing)}")
    issues: list[InputIssue] = []
    out = pd.DataFrame({c: frame[c].astype(str) for c in TEXT_COLUMNS})
    for column in (*COUNT_COLUMNS, *NUMBER_COLUMNS, "p_accept"):
        if column not in frame:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").astype(float).to_numpy()
        if column in COUNT_COLUMNS:
            bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
            rule = "must be a whole number, 0 or more"
        elif column == "p_accept":
            bad = ~np.isfinite(values) | (values <= 0) | (values > 1)
            rule = "must be a probability above 0 and at most 1"
        else:
            bad = ~np.isfinite(values) | (values < 0)
            rule = "must be a number, 0 or more"
        absent = frame[column].isna().to_numpy()
        issues += [InputIssue(name, None, f"delegations[{i}].{column}",
                              None if absent[i] else str(frame[column].iat[i]),
                              "a value is required (every row needs one when a row has one)"
                              if absent[i] else rule) for i in np.flatnonzero(bad)]
        out[column] = values.astype(np.int64) if column in COUNT_COLUMNS and not bad.any() \
            else values
    repeated = np.flatnonzero(out.duplicated(list(TEXT_COLUMNS)).to_numpy())
    issues += [InputIssue(name, None, f"delegations[{i}]",
                          f"{out['delegation'].iat[i]},{out['specialty'].iat[i]}",
                          "a (delegation, specialty) row appears twice") for i in repeated]
    if issues:
        raise InputError(issues)
    return out


def _error(file: str, message: str) -> InputError:
    return InputError([InputIssue(file, None, None, None, message)])


# -- uptake.csv (UPTAKE.md "Data"; its rows are read by the dataset's own row model) -----------

def read_uptake(path: Path, delegations: set[str], specialties: set[str]) -> pd.DataFrame:
    """The rows of an uptake file, every cell and every code checked (InputError with file,
    line, column and value); columns delegation_code, specialty_code, p_accept."""
    from optimiser.data.load import LINE, read_table
    from optimiser.data.rawcsv import path_problem

    name = str(path)
    problem = path_problem(Path(path)) if Path(path).exists() or Path(path).is_symlink() \
        else "no such file"
    if problem is not None:
        raise _error(name, problem)
    spec = FileSpec(name, UptakeRow, True, ("delegation_code", "specialty_code"))
    table, issues = read_table(Path(path), spec)
    if table is None:
        raise InputError(issues)  # unreadable: nothing more to check (the rows are not known)
    lines = table[LINE].to_numpy()
    for column, known, what in (("delegation_code", delegations, "a delegation"),
                                ("specialty_code", specialties | {"*"}, "a specialty")):
        bad = ~table[column].isin(known).to_numpy()
        issues += [InputIssue(name, int(line), column, str(value),
                              f"unknown code: not {what} of the plan")
                   for line, value in zip(lines[bad], table[column].to_numpy()[bad],
                                          strict=True)]
    key = ["delegation_code", "specialty_code"]
    repeated = table.duplicated(key).to_numpy()
    first = table.groupby(key, sort=False)[LINE].transform("first").to_numpy()
    issues += [InputIssue(name, int(lines[i]), "specialty_code",
                          f"{table['delegation_code'].iat[i]},{table['specialty_code'].iat[i]}",
                          f"duplicate key (delegation_code, specialty_code); first defined on "
                          f"line {first[i]}") for i in np.flatnonzero(repeated)]
    if issues:
        raise InputError(issues)
    table["p_accept"] = table["p_accept"].astype(float)
    return table[[*key, "p_accept"]]


def p_from_uptake(rows: pd.DataFrame, uptake: pd.DataFrame) -> np.ndarray:
    """p_accept of each plan row: its (delegation, specialty) row, else its delegation's `*`
    row, else 1 (UPTAKE.md)."""
    specific = uptake[uptake["specialty_code"] != "*"].rename(
        columns={"delegation_code": "delegation", "specialty_code": "specialty"})
    every = uptake[uptake["specialty_code"] == "*"].rename(
        columns={"delegation_code": "delegation", "p_accept": "p_any"})[["delegation", "p_any"]]
    merged = rows[list(TEXT_COLUMNS)].merge(specific, on=list(TEXT_COLUMNS), how="left")
    merged = merged.merge(every, on="delegation", how="left")
    return merged["p_accept"].fillna(merged["p_any"]).fillna(1.0).to_numpy(float)
