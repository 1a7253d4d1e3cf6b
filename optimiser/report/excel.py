"""The Excel workbook: one sheet per report table, laid out for people, byte-reproducible.

Each sheet has a bold frozen header, an autofilter, column widths fitted to the content and
number formats per column kind. Text that a spreadsheet would read as a formula (a
delegation named `=HYPERLINK(...)`) is stored as a string cell with Excel's quote prefix,
so it shows as typed and never runs. openpyxl stamps the save time in docProps/core.xml and
in every zip entry; both are replaced by the plan's own timestamp (or a constant with
--no-timestamp) so the same plan gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from optimiser.report import i18n, matrix, why
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


def workbook_bytes(data: ReportData, lang: str, timestamp: bool) -> bytes:
    """The .xlsx file content for `data`."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for key in SHEETS:
        name = i18n.SHEET_NAMES[key][lang]
        if key == "matrix":
            _matrix_sheet(workbook, data.matrix, name, lang)
            continue
        table = data.tables.get(key)
        if table is None:
            continue
        if key == "why":
            table = why.sheet(table, lang)
        if not timestamp:
            table = table.without_time()
        _sheet(workbook, table, name, lang)
    if i18n.DIRECTION[lang] == "rtl":
        for sheet in workbook.worksheets:
            sheet.sheet_view.rightToLeft = True
    moment = _moment(data.summary.get("generated_at")) if timestamp else FIXED_TIME
    workbook.properties.creator = "optimiser"
    workbook.properties.title = f"{i18n.text('title', lang)} · {data.summary['scenario']}"
    workbook.properties.created = moment
    workbook.properties.modified = moment
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(workbook, archive).save()  # not workbook.save(): that stamps "modified" now
    return _fixed_zip_dates(buffer.getvalue(), moment)


def looks_like_formula(value: Any) -> bool:
    """Text that a spreadsheet would read as a formula (OWASP CSV/formula injection)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _sheet(workbook: Any, table: Table, name: str, lang: str) -> None:
    """Write one table: header, typed and formatted cells, widths, freeze, autofilter."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name)
    columns = list(table.frame.columns)
    bold = Font(bold=True)
    widths = []
    for col, column in enumerate(columns, start=1):
        label = i18n.column(column, lang, table.labels)
        cell = sheet.cell(row=1, column=col, value=label)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths.append(max(len(word) for word in label.split()) + 2)
    records = table.records()
    for row, record in enumerate(records, start=2):
        kinds = table.kinds_of_row(row - 2)
        is_total = table.total_row and row == len(records) + 1
        for col, (column, value) in enumerate(zip(columns, record, strict=True), start=1):
            kind = kinds[column]
            stored, number_format = _typed(value, kind, lang)
            if is_total and value == TOTAL:
                stored = i18n.text("total", lang)
            cell = sheet.cell(row=row, column=col)
            cell.value = stored
            if isinstance(stored, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if looks_like_formula(stored):
                    cell.quotePrefix = True  # Excel keeps it text even when edited
            if number_format:
                cell.number_format = number_format
            if is_total:
                cell.font = bold
            shown = i18n.cell(value, kind, lang) if stored is not None else ""
            widths[col - 1] = max(widths[col - 1], len(shown) + 2)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 8), 60)
    frozen_cols = 2 if len(columns) > 1 and columns[1] == "name_fr" else (
        1 if columns[0] in ("item", "name_fr") else 0)
    sheet.freeze_panes = sheet.cell(row=2, column=frozen_cols + 1).coordinate
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(len(records) + 1, 2)}"


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


def _matrix_sheet(workbook: Any, grid: matrix.Matrix, name: str, lang: str) -> None:
    """The delegation x specialty sheet: a row per delegation, a bold total per region
    (delegation rows are outlined under it, so Excel can fold them) and a national total."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name)
    header, rows, roles = matrix.sheet_rows(grid, lang)
    bold = Font(bold=True)
    for col, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col, value=label)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [max(len(str(label)) // 2, 6) + 2 for label in header]
    for index, (values, role) in enumerate(zip(rows, roles, strict=True), start=2):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=index, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                if looks_like_formula(value):
                    cell.quotePrefix = True
                widths[col - 1] = max(widths[col - 1], len(value) + 2)
            elif isinstance(value, int):
                cell.number_format = NUMBER_FORMATS["int"]
            if role != "row":
                cell.font = bold
        if role == "row":
            sheet.row_dimensions[index].outlineLevel = 1
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(width, 40)
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


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


def _fixed_zip_dates(content: bytes, moment: datetime) -> bytes:
    """Rewrite the archive with every entry dated `moment` (zipfile stamps the wall clock)."""
    date_time = (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                 moment.second)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
