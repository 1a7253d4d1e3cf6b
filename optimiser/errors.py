"""Input problems shared by the data loader and the scenario reader.

Every problem names where it is (file, line, column) and what was found, so that a planner can
fix a CSV or YAML file without reading a traceback. Loaders collect all problems first and raise
them together: fixing one error per run would waste an afternoon on a real dataset.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class InputIssue:
    """One problem in an input file; `line` is 1-based (the CSV header is line 1)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is not None:
            shown = "" if self.value is None else f" = {self.value!r}"
            where += f": column '{self.column}'{shown}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input (exit status 2): carries every issue found, sorted by file and line."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line or 0, i.column or ""))
        super().__init__(self.render())

    def render(self) -> str:
        """All issues, one per line, with a count first."""
        head = f"{len(self.issues)} input error(s):"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])
