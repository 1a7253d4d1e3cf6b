"""A recorded run back to a plan folder, report included (`optimiser runs export`).

plan.json and the CSV tables are written exactly as the solve wrote them (the registry keeps
their text), and the report is rendered from them as `optimiser solve` renders it, so the
folder is the one the solve produced. It is written through `folders.write_folder`: atomic,
and a folder optimiser did not write is refused, as for every other output.
"""

from __future__ import annotations

from pathlib import Path

from optimiser.registry.models import RunRow
from optimiser.registry.record import PLAN_FILE, TABLE_FILES
from optimiser.registry.url import RegistryError


def export_run(run: RunRow, out: Path, lang: str = "fr") -> Path:
    """Write the run's plan folder at `out`; RegistryError when the run has no plan.

    The marker records the run's ID (`"registry_run"`), so the folder says where it came from.
    """
    from optimiser.folders import write_folder
    from optimiser.report import write_reports

    if run.plan_json is None:
        raise RegistryError(f"run {run.id} has no plan (status {run.status}): nothing to export")
    options = (run.parameters or {}).get("options") or {}
    timestamp = not options.get("no_timestamp", False)
    tables = {name: text for name, text in (run.plan_tables or {}).items()
              if name in TABLE_FILES}  # never a path a database row chose

    def fill(folder: Path) -> None:
        (folder / PLAN_FILE).write_bytes(run.plan_json.encode("utf-8"))
        for name, text in sorted(tables.items()):
            (folder / name).write_bytes(text.encode("utf-8"))
        write_reports(folder, lang=lang, timestamp=timestamp)

    return write_folder(out, fill, "plan", marker_extra={"registry_run": run.id})
