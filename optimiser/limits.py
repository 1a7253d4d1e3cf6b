"""What an input may cost: the sizes and counts beyond which the tool refuses to read or build.

A hostile or broken file (a YAML alias bomb, `/dev/zero` given as a scenario, a CSV line of
500 MB, a sweep of 10^9 points) must get a one-line message, not eat the machine's memory.
Each limit is generous for real planning data (the national dataset is far below all of them)
and can be raised by an environment variable, which the message names. docs/safety.md lists
them.

`MAX_COUNT` is not such a limit: it is the range of the model itself (a count of doctors,
posts or people above 10^9 is a typing error, and larger numbers overflow the solver's
arithmetic), so it cannot be raised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_COUNT = 10**9
"""Largest count (posts, doctors, population, capacity) the model accepts (DATA.md v1.1)."""

MAX_VALUE = 1e12
"""Largest derived number (a target, an objective coefficient, a cost) the model accepts:
HiGHS treats 1e20 as infinity and loses precision long before; real inputs stay below 1e9."""


@dataclass(frozen=True)
class Limit:
    """One bound on what reading or building may cost."""

    name: str
    default: int
    unit: str
    what: str

    @property
    def env(self) -> str:
        """The environment variable that raises it."""
        return f"OPTIMISER_MAX_{self.name.upper()}"

    @property
    def value(self) -> int:
        """The limit in force: the environment variable when set to a positive integer."""
        raw = os.environ.get(self.env, "").strip()
        if raw.isdigit() and int(raw) > 0:
            return int(raw)
        return self.default

    def message(self, found: str | int | None = None) -> str:
        """`... is above the limit of N unit (set OPTIMISER_MAX_X to raise it)`."""
        seen = "" if found is None else f" ({found})"
        return (f"{self.what}{seen} is above the limit of {self.value:,} {self.unit} "
                f"(set {self.env}=N to raise it)")


CSV_FILE_MB = Limit("csv_mb", 2048, "MB", "dataset file size")
CSV_FIELD_CHARS = Limit("field_chars", 10_000, "characters", "a CSV cell")
SCENARIO_KB = Limit("scenario_kb", 1024, "KB", "scenario file size")
YAML_NODES = Limit("yaml_nodes", 200_000, "nodes", "scenario YAML (after expanding aliases)")
YAML_DEPTH = Limit("yaml_depth", 32, "levels", "scenario YAML nesting")
SCENARIO_CONSTRAINTS = Limit("constraints", 100_000, "constraints", "scenario constraints")
SWEEP_POINTS = Limit("sweep_points", 100_000, "points", "sweep grid")

ERRORS_SHOWN_PER_FILE = 50
"""Errors printed per file; the rest are counted (all of them go to `--errors-file`)."""

CSV_LINE_KB = Limit("csv_line_kb", 1024, "KB", "a CSV line")
"""A physical line of a dataset file, read with this bound: a 500 MB line costs a few MB."""
