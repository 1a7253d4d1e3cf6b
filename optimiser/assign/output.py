"""The assignment folder: assignments.csv, assignment.json, and the generated preferences.

Written atomically with `optimiser.folders.write_folder` (a temp folder swapped into place; an
existing folder is replaced only if optimiser wrote it). Bytes depend on the inputs and the
seed only: fixed row order and number formats, LF line endings, no timestamp, and no absolute
path (a plan folder is named by its scenario and folder name).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from optimiser.assign.engine import Assignment

ASSIGNMENTS = "assignments.csv"
SUMMARY = "assignment.json"
PREFERENCES = "preferences.csv"
SEATS = "posts_filled.csv"


def default_out(plan_dir: Path, method: str) -> Path:
    """reports/assign-<plan folder name>-<method>/."""
    return Path("reports") / f"assign-{Path(plan_dir).resolve().name}-{method}"


def document(assignment: Assignment, scenario: str, plan_dir: Path, seed: int | None,
             preferences: dict[str, Any]) -> dict[str, Any]:
    """assignment.json: the run's settings and counts (UPTAKE.md)."""
    return {"method": assignment.method, "seed": seed,
            "plan": {"scenario": scenario, "folder": Path(plan_dir).resolve().name},
            "preferences": preferences, **assignment.counts()}


def write_assignment(out: Path, assignment: Assignment, summary: dict[str, Any],
                     generated: pd.DataFrame | None, protected: Iterable[Path] = ()) -> Path:
    """Write the folder; `generated` preferences (when there are) go to preferences.csv."""
    from optimiser.folders import write_folder

    def fill(tmp: Path) -> None:
        assignment.table.to_csv(tmp / ASSIGNMENTS, index=False, lineterminator="\n")
        assignment.seats.to_csv(tmp / SEATS, index=False, lineterminator="\n")
        if generated is not None:
            generated.to_csv(tmp / PREFERENCES, index=False, lineterminator="\n",
                             float_format="%.4f")
        text = json.dumps(summary, ensure_ascii=False, indent=1)
        (tmp / SUMMARY).write_text(text + "\n", encoding="utf-8", newline="\n")

    return write_folder(out, fill, "assignment", protected)
