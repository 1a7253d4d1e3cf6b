"""Tables of what determined the plan: parameters, overrides, scenario constraints, data
provenance and solver run (the sensitivity has its own module, `sensitivity`).

They are read straight from plan.json; the report shows them so that a planner can
reproduce or challenge the plan (STYLE.md practice 9: show every override applied).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from optimiser.report.base import Table


def assumption_tables(meta: Mapping[str, Any]) -> dict[str, Table]:
    """The assumption tables of plan.json."""
    return {
        "parameters": _parameters(meta),
        "overrides": Table("overrides", pd.DataFrame(
            {"override": [str(x) for x in meta.get("overrides_log") or []]}),
            {"override": "data"}),
        "constraints": _constraints(meta),
        "sources": _sources(meta),
    }


def items_table(key: str, items: list[tuple[str, Any, str]]) -> Table:
    """A two-column table (item, value) whose value kind varies by row."""
    frame = pd.DataFrame({"item": [i for i, _v, _k in items],
                          "value": pd.Series([v for _i, v, _k in items], dtype=object)})
    return Table(key, frame, {"item": "term", "value": "value"},
                 row_kinds=tuple(k for _i, _v, k in items))


def solver_table(summary: Mapping[str, Any]) -> Table:
    """Solver, status, bound, gap and times."""
    return items_table("solver", [
        ("solver", summary["solver"], "text"),
        ("solver_version", summary["solver_version"], "text"),
        ("status", summary["status"], "term"),
        ("objective", summary["objective"], "num2"),
        ("best_bound", summary["best_bound"], "num2"),
        ("gap", summary["gap"], "pct"),
        ("build_seconds", summary["build_seconds"], "num2"),
        ("solve_seconds", summary["solve_seconds"], "num2"),
    ])

UPTAKE_MODES = ("certain", "expected")

ParameterRow = tuple[str, str, Any, str]
"""(label key, plan.json key, value, cell kind of the value)."""


def parameter_rows(params: Mapping[str, Any]) -> list[ParameterRow]:
    """One row per plan.json parameter; the uptake mode is shown in words, not as its code."""
    return [(k, k, f"uptake_mode_{v}", "term") if k == "uptake" and v in UPTAKE_MODES
            else (k, k, v, "value") for k, v in params.items()]


def parameters_table(rows: list[ParameterRow]) -> Table:
    """The parameters table of the report from its rows."""
    frame = pd.DataFrame({"parameter": [r[0] for r in rows], "key": [r[1] for r in rows],
                          "value": pd.Series([r[2] for r in rows], dtype=object)},
                         columns=["parameter", "key", "value"])
    return Table("parameters", frame, {"parameter": "param", "key": "code", "value": "value"},
                 row_kinds=tuple(r[3] for r in rows))


def _parameters(meta: Mapping[str, Any]) -> Table:
    return parameters_table(parameter_rows(meta.get("parameters") or {}))


def _constraints(meta: Mapping[str, Any]) -> Table:
    columns = ["name", "description", "counts", "min", "max", "value"]
    frame = pd.DataFrame(meta.get("scenario_constraints") or [], columns=columns)
    frame = frame.astype(object).where(frame.notna(), None)
    return Table("constraints", frame, {"name": "code", "description": "data",
                                        "counts": "code", "min": "value", "max": "value",
                                        "value": "value"})


def _sources(meta: Mapping[str, Any]) -> Table:
    """One row per source string a data file cites (text as entered in the data)."""
    sources = meta.get("sources") or {}
    pairs = [(name, str(value)) for name in sorted(sources)
             for value in (sources[name] or [])]
    frame = pd.DataFrame({"file": [f for f, _ in pairs], "source": [v for _, v in pairs]},
                         columns=["file", "source"])
    return Table("sources", frame, {"file": "code", "source": "data"})
