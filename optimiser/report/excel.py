"""The Excel workbook: one sheet per report table, laid out for people, byte-reproducible.

Each sheet has a bold frozen header, an autofilter, column widths fitted to the content and
number formats per column kind. Text that a spreadsheet would read as a formula (a
delegation named `=HYPERLINK(...)`) is stored as a string cell with Excel's quote prefix,
so it shows as typed and never runs. The XML is written by `xlsx` (openpyxl took most of a
second cell by cell); the document properties and every zip entry are dated by the plan's
own timestamp (or a constant with --no-timestamp), so the same plan gives the same bytes.
Cells are rendered column by column and each distinct value once per column: most columns
repeat a few values (0, 1, a region's name) over a thousand rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from optimiser.report import i18n, matrix, why, xlsx
from optimiser.report.base import TOTAL, ReportData, Table

SHEETS = ("summary", "years", "regions_by_year", "matrix", "why", "allocations", "promotions",
          "categories", "region_specialty", "regions", "delegations", "detail", "contingents",
          "deployments", "specialties", "parameters", "overrides", "constraints", "sources",
          "solver", "sensitivity", "sensitivity_capacity", "sensitivity_constraints", "uptake",
          "uptake_summary", "dependencies", "dependency_binding")
NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0", "num1": "#,##0.0", "num2": "#,##0.00",
                  "pct": "0.0%", "year": "0"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIME = datetime(2000, 1, 1)  # stands for "no timestamp": any constant would do
HEADER_FILL = "DCE6EE"
TIME_ITEMS = frozenset({"generated_at"})
Rendered = tuple[str, int]  # a cell's XML after its reference, and its shown width


def workbook_bytes(data: ReportData, lang: str, timestamp: bool) -> bytes:
    """The .xlsx file content for `data`."""
    styles = xlsx.Styles(HEADER_FILL)
    sheets = []
    for key in SHEETS:
        name = i18n.SHEET_NAMES[key][lang]
        if key == "matrix":
            sheets.append(_matrix_sheet(data.matrix, name, lang, styles))
            continue
        table = data.tables.get(key)
        if table is None:
            continue
        if key == "why":
            table = why.sheet(table, lang)
        if not timestamp:
            table = table.without_time()
        sheets.append(_sheet(table, name, lang, styles))
    if i18n.DIRECTION[lang] == "rtl":
        for sheet in sheets:
            sheet.right_to_left = True
    moment = _moment(data.summary.get("generated_at")) if timestamp else FIXED_TIME
    title = f"{i18n.text('title', lang)} · {data.summary['scenario']}"
    return xlsx.workbook_bytes(sheets, styles, title, "optimiser", moment)


def looks_like_formula(value: Any) -> bool:
    """Text that a spreadsheet would read as a formula (OWASP CSV/formula injection)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _sheet(table: Table, name: str, lang: str, styles: xlsx.Styles) -> xlsx.Worksheet:
    """One table: header, typed and formatted cells, widths, freeze, autofilter."""
    columns = list(table.frame.columns)
    letters = [xlsx.column_letter(col) for col in range(1, len(columns) + 1)]
    labels = [i18n.column(column, lang, table.labels) for column in columns]
    header = "".join(f'<c r="{letter}1"{xlsx.cell_tail(label, styles.header)}'
                     for letter, label in zip(letters, labels, strict=True))
    widths = [max(len(word) for word in label.split()) + 2 for label in labels]
    records = table.records()
    body = records[:-1] if table.total_row and records else records
    cells = []
    for col, column in enumerate(columns):
        kinds = ([table.kinds_of_row(row)[column] for row in range(len(body))]
                 if table.row_kinds is not None and column == "value" else None)
        rendered = _column([record[col] for record in body], table.kinds[column], kinds,
                           lambda value, kind: _table_cell(value, kind, lang, False, styles))
        cells.append([f'<c r="{letters[col]}{row}"{tail}' if tail else ""
                      for row, (tail, _) in enumerate(rendered, start=2)])
        widths[col] = max([widths[col], *(width for _, width in rendered)])
    rows = [header, *("".join(row) for row in zip(*cells, strict=True))] if cells else [header]
    if len(body) < len(records):
        rows.append(_total_row(table, records[-1], len(records) + 1, letters, widths, lang,
                               styles))
    frozen_cols = 2 if len(columns) > 1 and columns[1] == "name_fr" else (
        1 if columns[0] in ("item", "name_fr") else 0)
    return xlsx.Worksheet(name, rows, len(columns), [min(max(w, 8), 60) for w in widths],
                          (frozen_cols, 1), f"A1:{letters[-1]}{max(len(records) + 1, 2)}")


def _column(values: list[Any], kind: str, kinds: list[str] | None,
            render: Callable[[Any, str], Rendered]) -> list[Rendered]:
    """Render a column's cells, each distinct (kind, type, value) once."""
    cache: dict[tuple[str, type, Any], Rendered] = {}
    out = []
    for index, value in enumerate(values):
        kind_here = kinds[index] if kinds is not None else kind
        key = (kind_here, value.__class__, value)
        try:
            found = cache.get(key)
        except TypeError:  # a list (a parameter's value): not hashable, rendered each time
            found = render(value, kind_here)
        if found is None:
            found = cache[key] = render(value, kind_here)
        out.append(found)
    return out


def _table_cell(value: Any, kind: str, lang: str, bold: bool, styles: xlsx.Styles,
                total: bool = False) -> Rendered:
    """A table cell: typed value, number format, quote prefix; width as the page shows it."""
    stored, number_format = _typed(value, kind, lang)
    if total and value == TOTAL:
        stored = i18n.text("total", lang)
    style = styles.index(number_format, bold, looks_like_formula(stored))
    shown = i18n.cell(value, kind, lang) if stored is not None else ""
    return xlsx.cell_tail(stored, style), len(shown) + 2


def _total_row(table: Table, record: list[Any], row: int, letters: list[str],
               widths: list[int], lang: str, styles: xlsx.Styles) -> str:
    """The bold last row of a table that sums the others ("Total" translated)."""
    kinds = table.kinds_of_row(row - 2)
    cells = []
    for col, (column, value) in enumerate(zip(table.frame.columns, record, strict=True)):
        tail, width = _table_cell(value, kinds[column], lang, True, styles, total=True)
        cells.append(f'<c r="{letters[col]}{row}"{tail}' if tail else "")
        widths[col] = max(widths[col], width)
    return "".join(cells)


def _typed(value: Any, kind: str, lang: str) -> tuple[Any, str | None]:
    """The cell value (a number stays a number) and its Excel number format."""
    if i18n.is_missing(value) or value == "":
        return None, None
    if kind in ("int", "year") and not isinstance(value, str):
        return int(round(value)), NUMBER_FORMATS[kind]
    if kind in NUMBER_FORMATS and kind != "year":  # 9 decimals, as plan.json: 6.9, not 6.90…01
        return round(float(value), 9), NUMBER_FORMATS[kind]
    if kind == "value":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return i18n.plain_value(value, lang), None
        return value, None
    if kind in ("term", "param", "year"):
        return i18n.cell(value, kind, lang), None
    return str(value), None


def _matrix_sheet(grid: matrix.Matrix, name: str, lang: str,
                  styles: xlsx.Styles) -> xlsx.Worksheet:
    """The delegation x specialty sheet: a row per delegation, a bold total per region
    (delegation rows are outlined under it, so Excel can fold them) and a national total."""
    header, rows, roles = matrix.sheet_rows(grid, lang)
    letters = [xlsx.column_letter(col) for col in range(1, len(header) + 1)]
    lines = ["".join(f'<c r="{letter}1"{xlsx.cell_tail(label, styles.header)}'
                     for letter, label in zip(letters, header, strict=True))]
    widths = [max(len(str(label)) // 2, 6) + 2 for label in header]
    cache: dict[tuple[type, Any, bool], str] = {}
    outline = {}
    for number, (values, role) in enumerate(zip(rows, roles, strict=True), start=2):
        bold = role != "row"
        cells = []
        for col, value in enumerate(values):
            key = (value.__class__, value, bold)
            tail = cache.get(key)
            if tail is None:
                tail = cache[key] = _matrix_cell(value, bold, styles)
            if tail:
                cells.append(f'<c r="{letters[col]}{number}"{tail}')
            if isinstance(value, str):
                widths[col] = max(widths[col], len(value) + 2)
        lines.append("".join(cells))
        if not bold:
            outline[number] = 1
    return xlsx.Worksheet(name, lines, len(header), [min(width, 40) for width in widths],
                          (4, 1), f"A1:{letters[-1]}{len(rows) + 1}", outline)


def _matrix_cell(value: Any, bold: bool, styles: xlsx.Styles) -> str:  # noqa: ANN401
    """A matrix cell: text (quote-prefixed when it looks like a formula) or a count."""
    if isinstance(value, str):
        return xlsx.cell_tail(value, styles.index(None, bold, looks_like_formula(value)))
    number_format = NUMBER_FORMATS["int"] if isinstance(value, int) else None
    return xlsx.cell_tail(value, styles.index(number_format, bold))


def _moment(stamp: Any) -> datetime:  # noqa: ANN401
    """The plan's generated_at as a naive UTC datetime (the constant when absent or bad)."""
    moment = plan_moment(stamp)
    return moment if moment is not None and moment.year >= 1980 else FIXED_TIME


def plan_moment(stamp: Any) -> datetime | None:  # noqa: ANN401
    """An ISO 8601 stamp (plan.json's generated_at) as a naive UTC datetime to the second;
    None when absent or unreadable. The workbook and the PDF both date themselves by it."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
