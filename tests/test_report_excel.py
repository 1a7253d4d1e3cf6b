"""plan.xlsx written as XML by report/xlsx.py (issue 17): the same workbook as the openpyxl
writer it replaced, cell by cell, and the same bytes on every run.

`_openpyxl_workbook` is the previous writer (report/excel.py before issue 17), kept here as
the reference: values, types, number formats, bold, header fill and alignment, quote
prefixes, column widths, frozen panes, filters, outlines, right-to-left and properties must
read back the same from both files.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from test_report_support import INJECTION, SENSITIVITY, copy_fixture, edit_plan

from optimiser.report import excel, i18n, matrix, why, xlsx
from optimiser.report.base import TOTAL, ReportData, Table
from optimiser.report.load import load_plan
from optimiser.report.tables import build_report_data


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    folder = copy_fixture(tmp_path_factory.mktemp("excel"))
    edit_plan(folder, lambda d: d.update(sensitivity=SENSITIVITY))
    return build_report_data(load_plan(folder))


@pytest.mark.parametrize(("lang", "timestamp"), [("fr", True), ("en", False), ("ar", True)])
def test_same_workbook_as_openpyxl(data: ReportData, lang: str, timestamp: bool) -> None:
    new = _describe(excel.workbook_bytes(data, lang, timestamp))
    old = _describe(_openpyxl_workbook(data, lang, timestamp))
    assert new["sheets"] == old["sheets"]
    assert new["properties"] == old["properties"]
    for name in old["sheets"]:
        for part in ("cells", "widths", "freeze", "filter", "rtl", "outline", "dimensions"):
            assert new[name][part] == old[name][part], (name, part)
    cells = sum(len(old[name]["cells"]) for name in old["sheets"])
    assert cells > 1000  # the comparison did look at the tables


def test_numbers_stay_numbers_and_text_stays_text(data: ReportData) -> None:
    book = openpyxl.load_workbook(io.BytesIO(excel.workbook_bytes(data, "fr", True)))
    rows = list(book["Délégations"].iter_rows(values_only=True))
    posts = rows[0].index("Postes")
    assert all(isinstance(row[posts], int) for row in rows[1:])
    found = [(sheet.title, cell.coordinate) for sheet in book.worksheets
             for row in sheet.iter_rows() for cell in row if cell.value == INJECTION]
    assert found
    for title, coordinate in found:
        cell = book[title][coordinate]
        assert cell.data_type == "s" and cell.quotePrefix, (title, coordinate)


def test_byte_identical_and_dated_by_the_plan(data: ReportData) -> None:
    first = excel.workbook_bytes(data, "ar", True)
    assert first == excel.workbook_bytes(data, "ar", True)
    moment = excel._moment(data.summary.get("generated_at"))
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None
        dates = {info.date_time for info in archive.infolist()}
        assert dates == {(moment.year, moment.month, moment.day, moment.hour, moment.minute,
                          moment.second)}
        assert archive.namelist()[0] == "[Content_Types].xml"
    untimed = excel.workbook_bytes(data, "ar", False)
    with zipfile.ZipFile(io.BytesIO(untimed)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}


def test_awkward_text_reads_back_as_written() -> None:
    texts = ["a & b <c> \"d\" 'e'", "  leading and trailing  ", "line\nbreak", "cr\rhere",
             "زاكورة", "=1+1", "tab\tin"]
    styles = xlsx.Styles("DCE6EE")
    rows = [f'<c r="A{row}"{xlsx.cell_tail(text, 0)}' for row, text in enumerate(texts, start=1)]
    illegal = "nul\x00 and \x0b gone"  # characters XML 1.0 cannot hold
    rows.append(f'<c r="A{len(rows) + 1}"{xlsx.cell_tail(illegal, 0)}')
    rows.append(f'<c r="A{len(rows) + 1}"{xlsx.cell_tail(float("inf"), 0)}'
                f'<c r="B{len(rows) + 1}"{xlsx.cell_tail(0.1 + 0.2, 0)}'
                f'<c r="C{len(rows) + 1}"{xlsx.cell_tail(4.0, 0)}'
                f'<c r="D{len(rows) + 1}"{xlsx.cell_tail(-12, 0)}')
    sheet = xlsx.Worksheet("O'Brien & co", rows, 4, [10, 10, 10, 10], filter_ref="A1:D9")
    content = xlsx.workbook_bytes([sheet], styles, "t & <t>", "me", datetime(2024, 2, 29))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["O'Brien & co"]
    assert book.properties.title == "t & <t>"
    values = [row[0] for row in book.active.iter_rows(max_col=1, values_only=True)]
    assert values[:len(texts)] == texts
    assert values[len(texts)] == "nul and  gone"
    last = next(book.active.iter_rows(min_row=len(texts) + 2, values_only=True))
    assert last == ("inf", 0.1 + 0.2, 4, -12)
    assert isinstance(last[2], int)


def test_column_letters() -> None:
    assert [xlsx.column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def _describe(content: bytes) -> dict[str, Any]:
    """What a reader of the workbook sees, by sheet."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    properties = book.properties
    out: dict[str, Any] = {"sheets": book.sheetnames,
                           "properties": (properties.title, properties.creator,
                                          properties.created, properties.modified)}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and not cell.font.b:
                    continue
                fill = (cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type else None
                cells[cell.coordinate] = (
                    cell.value, type(cell.value), cell.data_type, cell.number_format,
                    bool(cell.font.b), fill, cell.alignment.wrap_text, cell.alignment.vertical,
                    bool(cell.quotePrefix))
        out[sheet.title] = {
            "cells": cells,
            "widths": {key: dim.width for key, dim in sheet.column_dimensions.items()},
            "freeze": sheet.freeze_panes, "filter": sheet.auto_filter.ref,
            "rtl": bool(sheet.sheet_view.rightToLeft), "dimensions": sheet.dimensions,
            "outline": {key: dim.outlineLevel for key, dim in sheet.row_dimensions.items()
                        if dim.outlineLevel}}
    return out


def _openpyxl_workbook(data: ReportData, lang: str, timestamp: bool) -> bytes:
    """The previous writer: openpyxl, cell by cell (the reference)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for key in excel.SHEETS:
        name = i18n.SHEET_NAMES[key][lang]
        if key == "matrix":
            _openpyxl_matrix(book, data.matrix, name, lang)
            continue
        table = data.tables.get(key)
        if table is None:
            continue
        if key == "why":
            table = why.sheet(table, lang)
        if not timestamp:
            table = table.without_time()
        _openpyxl_sheet(book, table, name, lang)
    if i18n.DIRECTION[lang] == "rtl":
        for sheet in book.worksheets:
            sheet.sheet_view.rightToLeft = True
    moment = excel._moment(data.summary.get("generated_at")) if timestamp else excel.FIXED_TIME
    book.properties.creator = "optimiser"
    book.properties.title = f"{i18n.text('title', lang)} · {data.summary['scenario']}"
    book.properties.created = book.properties.modified = moment
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()  # book.save would stamp "modified" now
    return buffer.getvalue()


def _openpyxl_header(sheet: Any, labels: list[str]) -> None:  # noqa: ANN401
    from openpyxl.styles import Alignment, Font, PatternFill

    for col, label in enumerate(labels, start=1):
        cell = sheet.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=excel.HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _openpyxl_sheet(book: Any, table: Table, name: str, lang: str) -> None:  # noqa: ANN401
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    columns = list(table.frame.columns)
    labels = [i18n.column(column, lang, table.labels) for column in columns]
    _openpyxl_header(sheet, labels)
    widths = [max(len(word) for word in label.split()) + 2 for label in labels]
    records = table.records()
    for row, record in enumerate(records, start=2):
        kinds = table.kinds_of_row(row - 2)
        is_total = table.total_row and row == len(records) + 1
        for col, (column, value) in enumerate(zip(columns, record, strict=True), start=1):
            stored, number_format = excel._typed(value, kinds[column], lang)
            if is_total and value == TOTAL:
                stored = i18n.text("total", lang)
            cell = sheet.cell(row=row, column=col)
            cell.value = stored
            if isinstance(stored, str):
                cell.data_type = "s"
                cell.quotePrefix = excel.looks_like_formula(stored)
            if number_format:
                cell.number_format = number_format
            if is_total:
                cell.font = Font(bold=True)
            shown = i18n.cell(value, kinds[column], lang) if stored is not None else ""
            widths[col - 1] = max(widths[col - 1], len(shown) + 2)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 8), 60)
    frozen = 2 if len(columns) > 1 and columns[1] == "name_fr" else (
        1 if columns[0] in ("item", "name_fr") else 0)
    sheet.freeze_panes = sheet.cell(row=2, column=frozen + 1).coordinate
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(records) + 1, 2)}"


def _openpyxl_matrix(book: Any, grid: matrix.Matrix, name: str, lang: str) -> None:  # noqa: ANN401
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    header, rows, roles = matrix.sheet_rows(grid, lang)
    _openpyxl_header(sheet, header)
    widths = [max(len(str(label)) // 2, 6) + 2 for label in header]
    for index, (values, role) in enumerate(zip(rows, roles, strict=True), start=2):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=index, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                cell.quotePrefix = excel.looks_like_formula(value)
                widths[col - 1] = max(widths[col - 1], len(value) + 2)
            elif isinstance(value, int):
                cell.number_format = excel.NUMBER_FORMATS["int"]
            if role != "row":
                cell.font = Font(bold=True)
        if role == "row":
            sheet.row_dimensions[index].outlineLevel = 1
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(width, 40)
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"

