"""Runs as the terminal shows them and as `--json` prints them.

Plain text columns rather than a terminal-width table: `runs list` is read by people and by
`grep`/`cut`, and a row never wraps. JSON keys follow SERVICE.md (`user` is the OS user who
ran the solve, stored as `created_by`).
"""

from __future__ import annotations

import json
from datetime import datetime

from optimiser.registry.models import RunRow

LIST_COLUMNS = ("id", "created (UTC)", "user", "scenario", "status", "objective", "decision")


def when(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z (JSON)."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_json(run: RunRow, full: bool = False) -> dict:
    """A run as JSON; `full` adds the scenario text, the decision history and plan.json."""
    data = {
        "id": run.id, "created_at": when(run.created_at), "user": run.created_by,
        "scenario": run.scenario, "dataset": run.dataset, "dataset_sha256": run.dataset_sha256,
        "parameters": run.parameters, "status": run.status, "messages": run.messages,
        "objective": run.objective, "optimiser_version": run.optimiser_version,
        "solver": run.solver, "decision": run.decision, "decided_by": run.decided_by,
        "decided_at": when(run.decided_at), "decision_note": run.decision_note,
    }
    if full:
        data["scenario_yaml"] = run.scenario_yaml
        data["history"] = [{"decision": d.decision, "by": d.decided_by,
                            "at": when(d.decided_at), "note": d.note} for d in run.history]
        data["plan"] = json.loads(run.plan_json) if run.plan_json else None
    return data


def _objective(value: float | None) -> str:
    return "-" if value is None else f"{value:,.4f}"


def list_text(runs: list[RunRow]) -> str:
    """One line per run, newest first, columns aligned."""
    rows = [LIST_COLUMNS] + [
        (r.id, f"{r.created_at:%Y-%m-%d %H:%M:%S}", r.created_by, r.scenario, r.status,
         _objective(r.objective), r.decision) for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(LIST_COLUMNS))]
    right = {LIST_COLUMNS.index("objective")}
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    return "\n".join(lines)


def show_text(run: RunRow) -> str:
    """The run's facts, its decisions, headline figures of its plan and its scenario text."""
    lines = [
        f"run          {run.id}",
        f"created      {run.created_at:%Y-%m-%d %H:%M:%S} UTC by {run.created_by}",
        f"scenario     {run.scenario}",
        f"dataset      {run.dataset} (sha256 {run.dataset_sha256 or 'unknown'})",
        f"status       {run.status}" + (f", objective {_objective(run.objective)}"
                                        if run.objective is not None else ""),
        f"solver       {run.solver or '-'} (optimiser {run.optimiser_version})",
        f"decision     {run.decision}" + (
            f" by {run.decided_by} on {run.decided_at:%Y-%m-%d %H:%M} UTC" if run.decided_at
            else "") + (f": {run.decision_note}" if run.decision_note else ""),
    ]
    model = {k: v for k, v in (run.parameters or {}).items() if k != "options"}
    if model:
        lines.append("parameters   " + ", ".join(f"{k}={v}" for k, v in model.items()))
    if run.plan_json:
        totals = json.loads(run.plan_json).get("totals") or {}
        lines.append(f"plan         {totals.get('posts_allocated')} of "
                     f"{totals.get('posts_available')} posts allocated, "
                     f"{totals.get('foreign_deployed')} of {totals.get('foreign_available')} "
                     "foreign doctors deployed")
    for decision in run.history:
        note = f": {decision.note}" if decision.note else ""
        lines.append(f"history      {decision.decided_at:%Y-%m-%d %H:%M} UTC "
                     f"{decision.decision} by {decision.decided_by}{note}")
    if run.messages:
        lines.append("messages:")
        lines += [f"  {message}" for message in run.messages]
    if run.scenario_yaml is not None:
        lines.append("scenario YAML:")
        lines += [f"  {line}" for line in run.scenario_yaml.splitlines()]
    return "\n".join(lines)
