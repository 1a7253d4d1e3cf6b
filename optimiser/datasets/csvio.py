"""Read the curated source tables and write dataset CSVs byte for byte reproducibly.

The dataset is committed and a test rebuilds it, so the writer fixes everything that could
vary between runs or machines: row order, float formatting, LF line endings, UTF-8 without
BOM. Curated tables are read as plain strings so that nothing is re-typed on the way in.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

Row = dict[str, str]
Value = str | int | float | None


class CuratedTableError(ValueError):
    """A curated table misses a column or a row has no source."""


def read_curated(path: Path, required: Sequence[str]) -> list[Row]:
    """Rows of a curated CSV; every row must carry a non-empty `source` (project rule)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in (*required, "source") if c not in header]
        if missing:
            raise CuratedTableError(f"{path.name}: missing column(s) {', '.join(missing)}")
        rows = [dict(row) for row in reader]
    for line, row in enumerate(rows, start=2):
        if not (row.get("source") or "").strip():
            raise CuratedTableError(f"{path.name}, line {line}: empty source")
    return rows


def fixed(decimals: int) -> Callable[[Value], str]:
    """A formatter printing floats with a fixed number of decimals (empty for None)."""

    def _format(value: Value) -> str:
        if value is None:
            return ""
        return f"{float(value):.{decimals}f}"

    return _format


def _plain(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        raise TypeError(f"float {value!r} written without a fixed format")
    return str(value)


def write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Value]],
    key: Sequence[str],
    formats: Mapping[str, Callable[[Value], str]] | None = None,
) -> None:
    """Write `rows` sorted by the `key` columns; floats only through an explicit format."""
    formats = formats or {}
    rendered = [
        [formats.get(col, _plain)(row.get(col)) for col in columns] for row in rows
    ]
    positions = [columns.index(k) for k in key]
    rendered.sort(key=lambda cells: [_sort_key(cells[i]) for i in positions])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rendered)


def _sort_key(cell: str) -> tuple[int, int | str]:
    """Integers sort numerically (promotions), everything else as text."""
    return (0, int(cell)) if cell.isdigit() else (1, cell)
