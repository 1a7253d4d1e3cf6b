"""Report generator: the plan as HR planners and their ministry read it (issue 5).

`write_reports` turns a solved plan folder (docs/plan-folder.md) into `report.html`,
`plan.xlsx` and `summary.md` inside that folder (`pdf.print_pdf` prints report.pdf from
report.html on request). The pipeline is load (read and check the folder) -> tables,
matrix, why, sensitivity (derive every figure once) -> html / excel / markdown (format
only; the map is drawn by `mapsvg`, the charts by `charts`). All three files are rendered
in memory first and then each is written to a temporary name and renamed, so a failure
never leaves a half-written report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimiser.report.i18n import LANGUAGES
from optimiser.report.load import PlanError, load_plan

__all__ = ["LANGUAGES", "PlanError", "REPORT_FILES", "write_reports"]

REPORT_FILES = ("report.html", "plan.xlsx", "summary.md")


def write_reports(plan_dir: Path, lang: str = "fr", timestamp: bool = True,
                  document: Mapping[str, Any] | None = None) -> list[Path]:
    """Write the report files of the plan in `plan_dir` and return their paths.

    `lang` is "fr" (default), "en" or "ar" (Arabic, right to left). With `timestamp=False`
    the plan's `generated_at` and its build/solve times are left out, so two solves of the
    same scenario give identical reports. The same plan folder always gives byte-identical
    files. Raises `PlanError` when the folder holds no valid plan. `document` is plan.json's
    content when the caller has it in memory (`load.load_plan`).
    """
    from optimiser.report import excel, html, markdown
    from optimiser.report.tables import build_report_data

    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}: choose one of "
                         f"{', '.join(LANGUAGES)}")
    plan_dir = Path(plan_dir)
    data = build_report_data(load_plan(plan_dir, document))
    contents = {
        "report.html": html.render(data, lang, timestamp).encode("utf-8"),
        "plan.xlsx": excel.workbook_bytes(data, lang, timestamp),
        "summary.md": markdown.render(data, lang, timestamp).encode("utf-8"),
    }
    paths = []
    for name in REPORT_FILES:
        path = plan_dir / name
        _replace(path, contents[name])
        paths.append(path)
    return paths


def _replace(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path`, then rename it over `path`."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
