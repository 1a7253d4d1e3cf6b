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
            shown = "" if self.value is None else f" = {_clip(self.value)!r}"
            where += f": column '{self.column}'{shown}"
        return f"{where}: {self.message}"


SHOWN_CHARS = 80
"""Longest value quoted in a message: a 10,000-character cell is shown by its start."""


def _clip(value: str) -> str:
    if len(value) <= SHOWN_CHARS:
        return value
    return f"{value[:SHOWN_CHARS]}... ({len(value):,} characters)"


class InputError(Exception):
    """Bad input (exit status 2): carries every issue found, sorted by file and line."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line or 0, i.column or ""))
        super().__init__(self.render())

    def render(self, per_file: int | None = None, errors_file: str | None = None) -> str:
        """The issues, one per line, with a count first; at most `per_file` per file.

        Two million bad rows must not print two million lines: past the cap each file gets a
        count of the rest, and a pointer to `--errors-file`, which receives every issue.
        """
        if per_file is None:
            from optimiser.limits import ERRORS_SHOWN_PER_FILE

            per_file = ERRORS_SHOWN_PER_FILE
        lines = [f"{len(self.issues)} input error(s):"]
        shown: dict[str, int] = {}
        for issue in self.issues:
            shown[issue.file] = shown.get(issue.file, 0) + 1
            if shown[issue.file] <= per_file:
                lines.append(f"  {issue}")
        for file, count in shown.items():
            if count > per_file:
                where = (f"all of them in {errors_file}" if errors_file
                         else "pass --errors-file FILE to write all of them")
                lines.append(f"  ... and {count - per_file:,} more error(s) in {file} ({where})")
        return "\n".join(lines)

    def render_all(self) -> str:
        """Every issue, one per line (for `--errors-file`)."""
        return "\n".join(str(issue) for issue in self.issues) + "\n"
