"""plan.xlsx written in bounded memory (sheets rendered and compressed chunk by chunk) has
the same bytes as the writer that held every sheet whole.

`_reference_workbook` is that writer (report/excel.py and report/xlsx.py before the
streaming change), kept here verbatim except for names: every row of every sheet rendered
into a list, each sheet's XML joined into one string and `writestr`'d into the zip.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_horizon import _tiny_case
from test_report_support import SENSITIVITY, copy_fixture, edit_plan

from optimiser.cli import main
from optimiser.report import excel, i18n, matrix, why, xlsx
from optimiser.report.base import ReportData, Table
from optimiser.report.load import load_plan
from optimiser.report.tables import build_report_data

CASES = [("fr", True), ("ar", True), ("en", False), ("ar", False)]


# --- the reference: the writer as it was ---------------------------------------------------

def _reference_workbook(data: ReportData, lang: str, timestamp: bool) -> bytes:
    styles = xlsx.Styles(excel.HEADER_FILL)
    sheets = []
    for key in excel.SHEETS:
        name = i18n.SHEET_NAMES[key][lang]
        if key == "matrix":
            sheets.append(_reference_matrix_sheet(data.matrix, name, lang, styles))
            continue
        table = data.tables.get(key)
        if table is None:
            continue
        if key == "why":
            table = why.sheet(table, lang)
        if not timestamp:
            table = table.without_time()
        sheets.append(_reference_sheet(table, name, lang, styles))
    if i18n.DIRECTION[lang] == "rtl":
        for sheet in sheets:
            sheet.right_to_left = True
    moment = excel._moment(data.summary.get("generated_at")) if timestamp else excel.FIXED_TIME
    title = f"{i18n.text('title', lang)} · {data.summary['scenario']}"
    return _reference_zip(sheets, styles, title, "optimiser", moment)


def _reference_sheet(table: Table, name: str, lang: str, styles: xlsx.Styles) -> xlsx.Worksheet:
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
        rendered = _reference_column(
            [record[col] for record in body], table.kinds[column], kinds,
            lambda value, kind: excel._table_cell(value, kind, lang, False, styles))
        cells.append([f'<c r="{letters[col]}{row}"{tail}' if tail else ""
                      for row, (tail, _) in enumerate(rendered, start=2)])
        widths[col] = max([widths[col], *(width for _, width in rendered)])
    rows = [header, *("".join(row) for row in zip(*cells, strict=True))] if cells else [header]
    if len(body) < len(records):
        rows.append(excel._total_row(table, records[-1], len(records) + 1, letters, widths,
                                     lang, styles))
    frozen_cols = 2 if len(columns) > 1 and columns[1] == "name_fr" else (
        1 if columns[0] in ("item", "name_fr") else 0)
    return xlsx.Worksheet(name, rows, len(columns), [min(max(w, 8), 60) for w in widths],
                          (frozen_cols, 1), f"A1:{letters[-1]}{max(len(records) + 1, 2)}")


def _reference_column(values: list[Any], kind: str, kinds: list[str] | None,
                      render: Callable[[Any, str], excel.Rendered]) -> list[excel.Rendered]:
    cache: dict[tuple[str, type, Any], excel.Rendered] = {}
    out = []
    for index, value in enumerate(values):
        kind_here = kinds[index] if kinds is not None else kind
        key = (kind_here, value.__class__, value)
        try:
            found = cache.get(key)
        except TypeError:
            found = render(value, kind_here)
        if found is None:
            found = cache[key] = render(value, kind_here)
        out.append(found)
    return out


def _reference_matrix_sheet(grid: matrix.Matrix, name: str, lang: str,
                            styles: xlsx.Styles) -> xlsx.Worksheet:
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
                tail = cache[key] = excel._matrix_cell(value, bold, styles)
            if tail:
                cells.append(f'<c r="{letters[col]}{number}"{tail}')
            if isinstance(value, str):
                widths[col] = max(widths[col], len(value) + 2)
        lines.append("".join(cells))
        if not bold:
            outline[number] = 1
    return xlsx.Worksheet(name, lines, len(header), [min(width, 40) for width in widths],
                          (4, 1), f"A1:{letters[-1]}{len(rows) + 1}", outline)


def _reference_sheet_xml(sheet: xlsx.Worksheet, selected: bool) -> str:
    last = f"{xlsx.column_letter(max(sheet.columns, 1))}{max(len(sheet.rows), 1)}"
    view = ' tabSelected="1"' if selected else ""
    view += ' rightToLeft="1"' if sheet.right_to_left else ""
    outline_rows = (f' outlineLevelRow="{max(sheet.outline.values())}"'
                    if sheet.outline else "")
    cols = "".join(f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
                   for i, width in enumerate(sheet.widths, start=1))
    body = []
    for number, cells in enumerate(sheet.rows, start=1):
        level = sheet.outline.get(number)
        mark = f' outlineLevel="{level}"' if level else ""
        body.append(f'<row r="{number}"{mark}>{cells}</row>')
    filtered = f'<autoFilter ref="{sheet.filter_ref}"/>' if sheet.filter_ref else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{xlsx.MAIN}" xmlns:r="{xlsx.DOC_RELS}">'
            f'<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/></sheetPr>'
            f'<dimension ref="A1:{last}"/>'
            f'<sheetViews><sheetView{view} workbookViewId="0">{sheet._pane()}</sheetView>'
            f'</sheetViews><sheetFormatPr defaultRowHeight="15"{outline_rows}/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f'<sheetData>{"".join(body)}</sheetData>{filtered}</worksheet>')


def _reference_zip(sheets: list[xlsx.Worksheet], styles: xlsx.Styles, title: str, creator: str,
                   moment: datetime) -> bytes:
    rels, doc = xlsx.RELS, xlsx.DOC_RELS
    parts = {"[Content_Types].xml": xlsx._content_types(len(sheets)),
             "_rels/.rels": xlsx._relationships([
                 ("officeDocument", "xl/workbook.xml", doc),
                 ("metadata/core-properties", "docProps/core.xml", rels),
                 ("extended-properties", "docProps/app.xml", doc)]),
             "docProps/core.xml": xlsx._core(title, creator, moment),
             "docProps/app.xml": xlsx._app(creator),
             "xl/workbook.xml": xlsx._workbook(sheets),
             "xl/_rels/workbook.xml.rels": xlsx._relationships(
                 [("worksheet", f"worksheets/sheet{i}.xml", doc)
                  for i in range(1, len(sheets) + 1)] + [("styles", "styles.xml", doc)]),
             "xl/styles.xml": styles.xml()}
    for number, sheet in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = _reference_sheet_xml(sheet, number == 1)
    date_time = (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                 moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, text in parts.items():
            entry = zipfile.ZipInfo(name, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, text.encode("utf-8"), compresslevel=6)
    return buffer.getvalue()


# --- the plans -------------------------------------------------------------------------------

def _solve(out: Path, *arguments: str) -> ReportData:
    result = CliRunner().invoke(main, ["solve", "--out", str(out), "--no-report", "--quiet",
                                       "--no-record", *arguments])
    assert result.exit_code == 0, result.output
    return build_report_data(load_plan(out))


@pytest.fixture(scope="module")
def fixture_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    folder = copy_fixture(tmp_path_factory.mktemp("stream"))
    edit_plan(folder, lambda d: d.update(sensitivity=SENSITIVITY))
    return build_report_data(load_plan(folder))


@pytest.fixture(scope="module")
def national_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return _solve(tmp_path_factory.mktemp("national") / "plan")


@pytest.fixture(scope="module")
def horizon_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    folder = tmp_path_factory.mktemp("horizon")
    data, scenario = _tiny_case(4, folder)
    return _solve(folder / "plan", "--data", str(data), "--scenario", str(scenario))


def _assert_same(data: ReportData, lang: str, timestamp: bool) -> bytes:
    new = excel.workbook_bytes(data, lang, timestamp)
    old = _reference_workbook(data, lang, timestamp)
    assert new == old, _first_difference(new, old)
    return new


def _first_difference(new: bytes, old: bytes) -> str:
    """Which part differs, for a readable failure."""
    with zipfile.ZipFile(io.BytesIO(new)) as a, zipfile.ZipFile(io.BytesIO(old)) as b:
        for info in b.infolist():
            if a.read(info.filename) != b.read(info.filename):
                return f"content of {info.filename}"
        return "zip headers (same contents)"


# --- the tests -------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "timestamp"), CASES)
def test_fixture_plan_same_bytes(fixture_data: ReportData, lang: str, timestamp: bool) -> None:
    _assert_same(fixture_data, lang, timestamp)


@pytest.mark.parametrize(("lang", "timestamp"), CASES)
def test_national_plan_same_bytes(national_data: ReportData, lang: str, timestamp: bool) -> None:
    new = _assert_same(national_data, lang, timestamp)
    with zipfile.ZipFile(io.BytesIO(new)) as archive:
        detail = max(len(archive.read(name)) for name in archive.namelist())
    assert detail > 200_000  # a sheet of real size went through


@pytest.mark.parametrize(("lang", "timestamp"), [("fr", True), ("ar", False)])
def test_horizon_plan_same_bytes(horizon_data: ReportData, lang: str, timestamp: bool) -> None:
    assert horizon_data.horizon is not None
    _assert_same(horizon_data, lang, timestamp)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_tiny_chunks_same_bytes(monkeypatch: pytest.MonkeyPatch, national_data: ReportData,
                                fixture_data: ReportData, lang: str) -> None:
    """Chunk boundaries inside every table, a piece per row or two, caches that overflow."""
    monkeypatch.setattr(excel, "CHUNK_ROWS", 3)
    monkeypatch.setattr(excel, "CACHE_LIMIT", 2)
    monkeypatch.setattr(xlsx, "PIECE_ROWS", 2)
    _assert_same(fixture_data, lang, True)
    _assert_same(national_data, lang, False)


def test_rows_are_made_on_demand(monkeypatch: pytest.MonkeyPatch,
                                 fixture_data: ReportData) -> None:
    """No sheet holds its rows: each is a LazyRows, and rendering cells between building the
    sheets and writing them is what the second pass does (it must not add formats)."""
    made: list[xlsx.Worksheet] = []
    original = xlsx.workbook_bytes

    def spy(sheets: list[xlsx.Worksheet], *args: Any) -> bytes:
        made.extend(sheets)
        return original(sheets, *args)

    monkeypatch.setattr(xlsx, "workbook_bytes", spy)
    excel.workbook_bytes(fixture_data, "fr", True)
    assert made and all(isinstance(sheet.rows, xlsx.LazyRows) for sheet in made)
    first = [list(sheet.rows) for sheet in made]
    assert first == [list(sheet.rows) for sheet in made]  # re-iterable, same rows
    assert all(len(rows) == len(sheet.rows) for rows, sheet in zip(first, made, strict=True))


def test_streamed_entry_is_writestr_entry() -> None:
    """The zip entry written piece by piece has writestr's bytes, pieces cut anywhere."""
    text = "".join(f"<r>{i} {'é' * (i % 7)} {i * 0.37}</r>" for i in range(20_000))
    moment = (2024, 5, 6, 7, 8, 9)

    def archive(write: Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zipped:
            entry = zipfile.ZipInfo("a.xml", date_time=moment)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            write(zipped, entry)
        return buffer.getvalue()

    old = archive(lambda zipped, entry: zipped.writestr(entry, text.encode(), compresslevel=6))
    for size in (1, 5, 4096, len(text)):
        pieces = [text[i:i + size] for i in range(0, len(text), size)]
        assert archive(lambda zipped, _, pieces=pieces: xlsx._write_entry(
            zipped, xlsx._entry("a.xml", moment), pieces)) == old, size
