"""The Excel workbook: one sheet per report table, laid out for people, byte-reproducible.

Each sheet has a bold frozen header, an autofilter, column widths fitted to the content and
number formats per column kind. Text that a spreadsheet would read as a formula (a
delegation named `=HYPERLINK(...)`) is stored as a string cell with Excel's quote prefix,
so it shows as typed and never runs. The XML is written by `xlsx` (openpyxl took most of a
second cell by cell); the document properties and every zip entry are dated by the plan's
own timestamp (or a constant with --no-timestamp), so the same plan gives the same bytes.
Cells are rendered column by column and each distinct value once per column: most columns
repeat a few values (0, 1, a region's name) over a thousand rows.

A sheet's cells are never held whole (a plan of 500,000 delegation x specialty rows has a
detail sheet of 11 million cells): a first pass renders each column, in `CHUNK_ROWS` rows
at a time, to number the cell formats in the order of first use and to fit the widths; the
rows' XML is made again chunk by chunk while the zip entry is written (`xlsx.LazyRows`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

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
CHUNK_ROWS = 10_000  # rows rendered at a time: bounds memory, whatever the plan's size
CACHE_LIMIT = 20_000  # distinct renderings kept per column; a column of unique values
# (a delegation's population) would otherwise keep all of them, for no gain
T = TypeVar("T")


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
    count = len(table.frame)
    body = count - 1 if table.total_row and count else count

    def width(value: Any, kind: str) -> int:  # numbers the cell's format on first use
        return _width(value, kind, lang, _stored(value, kind, lang, False, styles)[0])

    def xml(value: Any, kind: str) -> str:
        return xlsx.cell_tail(*_stored(value, kind, lang, False, styles))

    def chunk(col: int, start: int, stop: int, render: Callable[[Any, str], T],
              cache: dict[tuple[str, type, Any], T]) -> list[T]:
        column = columns[col]
        kinds = (list(table.row_kinds[start:stop])
                 if table.row_kinds is not None and column == "value" else None)
        return _column(table.column_values(column, start, stop), table.kinds[column], kinds,
                       render, cache)

    for col in range(len(columns)):  # column by column: formats numbered as they always were
        cache: dict[tuple[str, type, Any], int] = {}
        for start in range(0, body, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, body)
            widths[col] = max([widths[col], *chunk(col, start, stop, width, cache)])
    total = (_total_row(table, [table.column_values(column, body, count)[0] for column in columns],
                        count + 1, letters, widths, lang, styles) if body < count else None)

    def rows() -> Iterator[str]:  # the second pass: the cells' XML, a chunk at a time
        yield header
        caches: list[dict[tuple[str, type, Any], str]] = [{} for _ in columns]
        for start in range(0, body, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, body)
            cells = [[f'<c r="{letters[col]}{row}"{tail}' if tail else ""
                      for row, tail in enumerate(chunk(col, start, stop, xml, caches[col]),
                                                 start=start + 2)]
                     for col in range(len(columns))]
            yield from ("".join(row) for row in zip(*cells, strict=True))
        if total is not None:
            yield total

    frozen_cols = 2 if len(columns) > 1 and columns[1] == "name_fr" else (
        1 if columns[0] in ("item", "name_fr") else 0)
    return xlsx.Worksheet(name, xlsx.LazyRows(1 + count, rows), len(columns),
                          [min(max(w, 8), 60) for w in widths],
                          (frozen_cols, 1), f"A1:{letters[-1]}{max(count + 1, 2)}")


def _column(values: list[Any], kind: str, kinds: list[str] | None,
            render: Callable[[Any, str], T], cache: dict[tuple[str, type, Any], T]) -> list[T]:
    """Render a column's cells (their width or their XML), each distinct (kind, type, value)
    once while `cache` (kept from chunk to chunk of the column) holds under `CACHE_LIMIT`."""
    out = []
    append, lookup = out.append, cache.get  # 11 million cells in a huge plan: every bit counts
    for value, kind_here in zip(values, kinds if kinds is not None else [kind] * len(values),
                                strict=True):
        key = (kind_here, value.__class__, value)
        try:
            found = lookup(key)
        except TypeError:  # a list (a parameter's value): not hashable, rendered each time
            found = render(value, kind_here)
        if found is None:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            found = cache[key] = render(value, kind_here)
        append(found)
    return out


def _table_cell(value: Any, kind: str, lang: str, bold: bool, styles: xlsx.Styles,
                total: bool = False) -> Rendered:
    """A table cell: typed value, number format, quote prefix; width as the page shows it."""
    stored, style = _stored(value, kind, lang, bold, styles, total)
    return xlsx.cell_tail(stored, style), _width(value, kind, lang, stored)


def _stored(value: Any, kind: str, lang: str, bold: bool, styles: xlsx.Styles,
            total: bool = False) -> tuple[Any, int]:
    """A cell's stored value and the number of its format (numbered on first use)."""
    stored, number_format = _typed(value, kind, lang)
    if total and value == TOTAL:
        stored = i18n.text("total", lang)
    return stored, styles.index(number_format, bold, looks_like_formula(stored))


def _width(value: Any, kind: str, lang: str, stored: Any) -> int:
    """A cell's width: its text as the page shows it, plus a margin."""
    shown = i18n.cell(value, kind, lang) if stored is not None else ""
    return len(shown) + 2


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
    head = "".join(f'<c r="{letter}1"{xlsx.cell_tail(label, styles.header)}'
                   for letter, label in zip(letters, header, strict=True))
    widths = [max(len(str(label)) // 2, 6) + 2 for label in header]
    cache: dict[tuple[type, Any, bool], str] = {}
    outline = {}
    for number, (values, role) in enumerate(zip(rows, roles, strict=True), start=2):
        bold = role != "row"  # row by row: formats numbered as they always were
        for col, value in enumerate(values):
            _matrix_tail(value, bold, cache, styles)
            if isinstance(value, str):
                widths[col] = max(widths[col], len(value) + 2)
        if not bold:
            outline[number] = 1

    def lines() -> Iterator[str]:
        yield head
        for number, (values, role) in enumerate(zip(rows, roles, strict=True), start=2):
            yield _matrix_line(values, number, role != "row", letters, cache, styles)

    return xlsx.Worksheet(name, xlsx.LazyRows(1 + len(rows), lines), len(header),
                          [min(width, 40) for width in widths],
                          (4, 1), f"A1:{letters[-1]}{len(rows) + 1}", outline)


def _matrix_line(values: list[Any], number: int, bold: bool, letters: list[str],
                 cache: dict[tuple[type, Any, bool], str], styles: xlsx.Styles) -> str:
    """The cells' XML of matrix row `number`, each distinct cell rendered once while
    `cache` holds under `CACHE_LIMIT` of them."""
    cells = []
    for col, value in enumerate(values):
        tail = _matrix_tail(value, bold, cache, styles)
        if tail:
            cells.append(f'<c r="{letters[col]}{number}"{tail}')
    return "".join(cells)


def _matrix_tail(value: Any, bold: bool, cache: dict[tuple[type, Any, bool], str],  # noqa: ANN401
                 styles: xlsx.Styles) -> str:
    """A matrix cell's XML after its reference, rendered once while `cache` holds under
    `CACHE_LIMIT` cells (the first call for a cell also numbers its format)."""
    key = (value.__class__, value, bold)
    tail = cache.get(key)
    if tail is None:
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        tail = cache[key] = _matrix_cell(value, bold, styles)
    return tail


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
