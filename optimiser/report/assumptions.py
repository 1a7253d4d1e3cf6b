"""Tables of what determined the plan: parameters, overrides, scenario constraints, data
provenance, solver run and (when the plan carries it) sensitivity.

They are read straight from plan.json; the report shows them so that a planner can
reproduce or challenge the plan (STYLE.md practice 9: show every override applied).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from optimiser.report.base import Table


def assumption_tables(meta: Mapping[str, Any]) -> dict[str, Table]:
    """The assumption tables of plan.json, sensitivity only when present."""
    tables = {
        "parameters": _parameters(meta),
        "overrides": Table("overrides", pd.DataFrame(
            {"override": [str(x) for x in meta.get("overrides_log") or []]}),
            {"override": "text"}),
        "constraints": _constraints(meta),
        "sources": _sources(meta),
    }
    sensitivity = _sensitivity(meta)
    if sensitivity is not None:
        tables["sensitivity"] = sensitivity
    return tables


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

def _parameters(meta: Mapping[str, Any]) -> Table:
    params = dict(meta.get("parameters") or {})
    frame = pd.DataFrame({"parameter": list(params), "value": list(params.values())},
                         columns=["parameter", "value"])
    return Table("parameters", frame, {"parameter": "param", "value": "value"})



def _constraints(meta: Mapping[str, Any]) -> Table:
    columns = ["name", "description", "counts", "min", "max", "value"]
    frame = pd.DataFrame(meta.get("scenario_constraints") or [], columns=columns)
    frame = frame.astype(object).where(frame.notna(), None)
    return Table("constraints", frame, {"name": "code", "description": "text",
                                        "counts": "code", "min": "value", "max": "value",
                                        "value": "value"})



def _sources(meta: Mapping[str, Any]) -> Table:
    sources = meta.get("sources") or {}
    frame = pd.DataFrame({"file": sorted(sources),
                          "source": ["; ".join(str(v) for v in sources[f] or [])
                                     for f in sorted(sources)]}, columns=["file", "source"])
    return Table("sources", frame, {"file": "code", "source": "text"})



def _sensitivity(meta: Mapping[str, Any]) -> Table | None:
    """Marginal value of one more post, shown only when the plan carries `sensitivity`.

    Accepted shapes: a list of row objects, or a mapping from specialty code to a value.
    """
    data = meta.get("sensitivity")
    if not data:
        return None
    if isinstance(data, Mapping):
        frame = pd.DataFrame({"specialty": list(data), "marginal_value": list(data.values())})
    else:
        frame = pd.DataFrame(list(data))
    kinds = {c: ("num2" if pd.api.types.is_float_dtype(frame[c]) else "value")
             for c in frame.columns}
    return Table("sensitivity", frame, kinds)
