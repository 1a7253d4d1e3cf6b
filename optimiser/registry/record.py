"""A run as plain data: what is recorded about one solve, gathered without any database code.

Both writers (`store` through SQLAlchemy, `quick` through the standard library) insert the
same `RunRecord.row()`, so a run reads back the same whichever wrote it.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from optimiser.data.fingerprint import dataset_sha256  # noqa: F401 - part of a run's facts

STATUSES = ("optimal", "feasible", "infeasible", "error")
DECISIONS = ("draft", "adopted", "archived")
PLAN_FILE = "plan.json"
TABLE_FILES = ("allocations.csv", "foreign.csv", "delegations.csv")
"""The plan folder's data files kept with each run (the report is rendered again on export)."""
MESSAGES_KEPT = 1000
"""Messages kept per run: two million bad rows must not make a two-million-row record."""


@dataclass(frozen=True)
class RunRecord:
    """One recorded solve (the columns of the `runs` table, docs/registry.md)."""

    id: str
    created_at: datetime
    user: str
    scenario: str
    scenario_yaml: str | None
    dataset: str | None
    dataset_sha256: str | None
    parameters: dict
    status: str
    messages: list[str] = field(default_factory=list)
    objective: float | None = None
    optimiser_version: str = ""
    solver: str | None = None
    plan_json: str | None = None
    plan_tables: dict[str, str] | None = None

    def row(self) -> dict[str, object]:
        """Column values, as both writers insert them (`decision` starts as `draft`)."""
        return {
            "id": self.id, "created_at": self.created_at, "created_by": self.user,
            "scenario": self.scenario, "scenario_yaml": self.scenario_yaml,
            "dataset": self.dataset, "dataset_sha256": self.dataset_sha256,
            "parameters": self.parameters, "status": self.status, "messages": self.messages,
            "objective": self.objective, "optimiser_version": self.optimiser_version,
            "solver": self.solver, "plan_json": self.plan_json, "plan_tables": self.plan_tables,
            "decision": "draft",
        }


def new_run_id(created_at: datetime) -> str:
    """`YYYYMMDD-HHMMSS-xxxxxx` (UTC): sorts by time, readable, and short enough to type
    (any unique prefix will do on the command line)."""
    return f"{created_at:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def now_utc() -> datetime:
    """The current time in UTC, to the microsecond (what `created_at` holds)."""
    return datetime.now(UTC)


def current_user() -> str:
    """The OS user running the command (who made the run)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid, e.g. in some containers
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def optimiser_version() -> str:
    """The installed optimiser's version (a plan is reproducible with the same version)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("optimiser")
    except PackageNotFoundError:
        return "unknown"


def scenario_text(scenario_path: Path | None, data_dir: Path | None) -> str | None:
    """The scenario YAML as solved: the file's text, else the default scenario's.

    Mirrors `pipeline.load_inputs`: no scenario on the embedded dataset means its
    baseline.yaml; no scenario on another dataset means the built-in default, written out
    as YAML so that solving the recorded text gives the same plan. None when the file
    cannot be read (the run's messages say why).
    """
    from optimiser.errors import InputError
    from optimiser.pipeline import BASELINE_SCENARIO
    from optimiser.yamlread import read_text

    if scenario_path is None and data_dir is None and BASELINE_SCENARIO.is_file():
        scenario_path = BASELINE_SCENARIO
    if scenario_path is None:
        return default_scenario_yaml()
    try:
        return read_text(scenario_path)
    except InputError:
        return None


def default_scenario_yaml() -> str:
    """The built-in default scenario as a YAML file would state it."""
    from optimiser.scenario import DEFAULT_SCENARIO

    return (f"name: {DEFAULT_SCENARIO.name}\n"
            f"description: {json.dumps(DEFAULT_SCENARIO.description)}\n")


def capped(messages: list[str]) -> list[str]:
    """At most MESSAGES_KEPT messages, with a count of the rest."""
    if len(messages) <= MESSAGES_KEPT:
        return messages
    rest = len(messages) - MESSAGES_KEPT
    return [*messages[:MESSAGES_KEPT], f"... and {rest:,} more message(s)"]


def read_plan_files(folder: Path) -> tuple[str, dict[str, str]]:
    """plan.json and the CSV tables of a plan folder being written (exact text)."""
    plan = (folder / PLAN_FILE).read_bytes().decode("utf-8")  # bytes: no newline translation
    tables = {name: (folder / name).read_bytes().decode("utf-8") for name in TABLE_FILES
              if (folder / name).is_file()}
    return plan, tables
