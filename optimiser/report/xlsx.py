"""A small, fast .xlsx writer: the parts of an Office Open XML workbook written as text.

openpyxl builds an object per cell and serialises each through an XML tree: most of a
second for the report's workbook (24 sheets, ~36,000 cells). An .xlsx is only a zip of a
few XML parts, so this module joins them from strings: cells hold inline strings (no
shared-string table to build), a `Styles` registry numbers the few cell formats in order
of first use, and every zip entry carries the given date. The same sheets therefore always
give the same bytes. The parts follow the Office Open XML spec (ECMA-376); the tests read
the files back with openpyxl and pandas (Excel and LibreOffice are not installed here).

It writes what the report needs and nothing more: text and numbers, bold, one header fill,
number formats, quote prefixes, column widths, frozen panes, autofilters, row outlines and
right-to-left sheets.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BUILTIN_FORMATS = {"0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in formats
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
ZIP_MODE = 0o600 << 16  # what zipfile gives a string entry; fixed so the bytes are too
COMPRESS_LEVEL = 6  # 1 saves ~10 ms but makes the file ~25 % larger; 9 costs 70 ms more
PIECE_ROWS = 10_000  # rows joined into one piece of a sheet's XML on its way to the zip


def escape(text: str) -> str:
    """`text` as XML character data or an attribute value (characters XML cannot hold,
    such as NUL or a vertical tab, are dropped: no spreadsheet can store them either)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("\r", "&#13;")  # a bare \r would read as \n
    return ILLEGAL.sub("", text) if ILLEGAL.search(text) else text


def column_letter(index: int) -> str:
    """The letters of 1-based column `index`: 1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_tail(value: str | int | float | None, style: int) -> str:
    """A cell's XML after `<c r="A1"`: text as an inline string (never a formula), a
    number as a number; "" for an empty cell without style (it is left out)."""
    mark = f' s="{style}"' if style else ""
    if value is None:
        return f"{mark}/>" if style else ""
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'{mark} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'{mark} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f"{mark}><v>{int(value)}</v></c>"
    number = float(value)
    if not math.isfinite(number):  # no XML number for these: keep what they say as text
        return cell_tail(str(number), style)
    shown = repr(number)  # the shortest text that reads back as the same float
    if shown.endswith(".0"):
        shown = shown[:-2]  # 4.0 as 4: it reads back as the int it is, as openpyxl wrote it
    return f"{mark}><v>{shown}</v></c>"


class Styles:
    """The cell formats in use (the workbook's cellXfs), numbered in order of first use.

    A format is a number format (or None), bold or not, a quote prefix or not; the header
    format (bold, filled, wrapped, top-aligned) is always number 1.
    """

    def __init__(self, header_fill: str) -> None:
        self.header_fill = header_fill
        self._formats: dict[tuple[str | None, bool, bool, bool], int] = {}
        self._number_formats: dict[str, int] = {}
        self.index()
        self.header = self.index(bold=True, header=True)

    def index(self, number_format: str | None = None, bold: bool = False, quote: bool = False,
              header: bool = False) -> int:
        """The number of the format (added on first use)."""
        key = (number_format, bold, quote, header)
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = len(self._formats)
            if number_format and number_format not in BUILTIN_FORMATS:
                custom = FIRST_CUSTOM_FORMAT + len(self._number_formats)
                self._number_formats.setdefault(number_format, custom)
        return found

    def xml(self) -> str:
        """xl/styles.xml."""
        formats = "".join(f'<numFmt numFmtId="{number}" formatCode="{escape(code)}"/>'
                          for code, number in self._number_formats.items())
        xfs = "".join(self._xf(*key) for key in self._formats)
        fill = (f'<fill><patternFill patternType="solid"><fgColor rgb="FF{self.header_fill}"/>'
                f'<bgColor indexed="64"/></patternFill></fill>')
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<styleSheet xmlns="{MAIN}">'
                + (f'<numFmts count="{len(self._number_formats)}">{formats}</numFmts>'
                   if formats else "")
                + f'<fonts count="2"><font>{FONT}</font><font><b/>{FONT}</font></fonts>'
                f'<fills count="3"><fill><patternFill patternType="none"/></fill>'
                f'<fill><patternFill patternType="gray125"/></fill>{fill}</fills>'
                f'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                f'</border></borders>'
                f'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                f'</cellStyleXfs><cellXfs count="{len(self._formats)}">{xfs}</cellXfs>'
                f'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                f'</cellStyles></styleSheet>')

    def _xf(self, number_format: str | None, bold: bool, quote: bool, header: bool) -> str:
        """One cellXfs entry."""
        number = (BUILTIN_FORMATS.get(number_format) or self._number_formats[number_format]
                  if number_format else 0)
        attributes = (f'numFmtId="{number}" fontId="{int(bold)}" fillId="{2 if header else 0}"'
                      f' borderId="0" xfId="0"')
        if number:
            attributes += ' applyNumberFormat="1"'
        if bold:
            attributes += ' applyFont="1"'
        if header:
            attributes += ' applyFill="1" applyAlignment="1"'
        if quote:
            attributes += ' quotePrefix="1"'
        if header:
            return f'<xf {attributes}><alignment vertical="top" wrapText="1"/></xf>'
        return f"<xf {attributes}/>"


class LazyRows:
    """A sheet's rows made on demand: `count` rows, produced afresh by `produce()` each
    time they are iterated. A sheet of a million cells then never exists whole, neither
    as cells nor as XML: only the piece being compressed does."""

    def __init__(self, count: int, produce: Callable[[], Iterable[str]]) -> None:
        self.count = count
        self.produce = produce

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        return iter(self.produce())


@dataclass
class Worksheet:
    """One sheet: `rows[i]` is the cells' XML of row i + 1 (from `cell_tail`, each
    prefixed with `<c r="REF"`), a list or `LazyRows`; `frozen` the numbers of frozen
    columns and rows; `outline` the outline level of rows that fold under a summary row
    below them."""

    name: str
    rows: Sequence[str] | LazyRows
    columns: int
    widths: list[float]
    frozen: tuple[int, int] = (0, 1)
    filter_ref: str | None = None
    outline: dict[int, int] = field(default_factory=dict)
    right_to_left: bool = False

    def xml_pieces(self, selected: bool) -> Iterator[str]:
        """xl/worksheets/sheetN.xml in pieces of `PIECE_ROWS` rows, so that a huge sheet is
        compressed piece by piece instead of as one string."""
        last = f"{column_letter(max(self.columns, 1))}{max(len(self.rows), 1)}"
        view = ' tabSelected="1"' if selected else ""
        view += ' rightToLeft="1"' if self.right_to_left else ""
        outline_rows = f' outlineLevelRow="{max(self.outline.values())}"' if self.outline else ""
        cols = "".join(f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
                       for i, width in enumerate(self.widths, start=1))
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
               f'<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/></sheetPr>'
               f'<dimension ref="A1:{last}"/>'
               f'<sheetViews><sheetView{view} workbookViewId="0">{self._pane()}</sheetView>'
               f'</sheetViews><sheetFormatPr defaultRowHeight="15"{outline_rows}/>'
               + (f"<cols>{cols}</cols>" if cols else "")
               + "<sheetData>")
        body = []
        outline = self.outline
        for number, cells in enumerate(self.rows, start=1):
            level = outline.get(number)
            mark = f' outlineLevel="{level}"' if level else ""
            body.append(f'<row r="{number}"{mark}>{cells}</row>')
            if len(body) >= PIECE_ROWS:
                yield "".join(body)
                body.clear()
        if body:
            yield "".join(body)
        filtered = f'<autoFilter ref="{self.filter_ref}"/>' if self.filter_ref else ""
        yield f"</sheetData>{filtered}</worksheet>"

    def _pane(self) -> str:
        """The frozen pane and its selection (what Excel writes for View > Freeze Panes)."""
        columns, rows = self.frozen
        if not columns and not rows:
            return '<selection activeCell="A1" sqref="A1"/>'
        corner = f"{column_letter(columns + 1)}{rows + 1}"
        split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
        pane = "bottomRight" if columns and rows else ("topRight" if columns else "bottomLeft")
        selections = ('<selection pane="topRight"/><selection pane="bottomLeft"/>'
                      if pane == "bottomRight" else "")
        return (f'<pane{split} topLeftCell="{corner}" activePane="{pane}" state="frozen"/>'
                f'{selections}<selection pane="{pane}" activeCell="{corner}" sqref="{corner}"/>')


def workbook_bytes(sheets: list[Worksheet], styles: Styles, title: str, creator: str,
                   moment: datetime) -> bytes:
    """The .xlsx file: `sheets` in order, document properties dated `moment` (so are the zip
    entries: zipfile would stamp the wall clock)."""
    parts = {"[Content_Types].xml": _content_types(len(sheets)),
             "_rels/.rels": _relationships([
                 ("officeDocument", "xl/workbook.xml", DOC_RELS),
                 ("metadata/core-properties", "docProps/core.xml", RELS),
                 ("extended-properties", "docProps/app.xml", DOC_RELS)]),
             "docProps/core.xml": _core(title, creator, moment),
             "docProps/app.xml": _app(creator),
             "xl/workbook.xml": _workbook(sheets),
             "xl/_rels/workbook.xml.rels": _relationships(
                 [("worksheet", f"worksheets/sheet{i}.xml", DOC_RELS)
                  for i in range(1, len(sheets) + 1)] + [("styles", "styles.xml", DOC_RELS)]),
             "xl/styles.xml": styles.xml()}
    date_time = (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                 moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED,
                         compresslevel=COMPRESS_LEVEL) as archive:
        for name, text in parts.items():
            _write_entry(archive, _entry(name, date_time), [text])
        for number, sheet in enumerate(sheets, start=1):
            _write_entry(archive, _entry(f"xl/worksheets/sheet{number}.xml", date_time),
                         sheet.xml_pieces(selected=number == 1))
    return buffer.getvalue()


def _entry(name: str, date_time: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """A zip entry dated `date_time`, deflated at `COMPRESS_LEVEL`, mode 0600."""
    entry = zipfile.ZipInfo(name, date_time=date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = ZIP_MODE
    entry._compresslevel = COMPRESS_LEVEL  # what writestr(..., compresslevel=) sets
    return entry


def _write_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo,
                 pieces: Iterable[str]) -> None:
    """Write `pieces` (joined: the part's text) as `entry`, one piece at a time.

    The bytes are those `writestr` gives for the joined text: writestr itself opens the
    entry for writing and writes once; the local header is rewritten with the size and
    CRC on close (the archive is seekable), and zlib's deflate stream does not depend on
    how its input is cut (tests/test_report_xlsx_stream.py checks both). One difference:
    writestr knows the size up front and adds ZIP64 fields to parts over ~2 GB, which
    this way cannot (zipfile then refuses the part rather than writing a wrong file).
    """
    with archive.open(entry, "w") as sink:
        for piece in pieces:
            sink.write(piece.encode("utf-8"))


def _content_types(count: int) -> str:
    """[Content_Types].xml: which part is what."""
    office = "application/vnd.openxmlformats-officedocument"
    package = "application/vnd.openxmlformats-package"
    overrides = [("/xl/workbook.xml", f"{office}.spreadsheetml.sheet.main+xml"),
                 ("/xl/styles.xml", f"{office}.spreadsheetml.styles+xml"),
                 ("/docProps/core.xml", f"{package}.core-properties+xml"),
                 ("/docProps/app.xml", f"{office}.extended-properties+xml")]
    overrides += [(f"/xl/worksheets/sheet{i}.xml", f"{office}.spreadsheetml.worksheet+xml")
                  for i in range(1, count + 1)]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>'
                      for name, kind in overrides)
            + "</Types>")


def _relationships(targets: list[tuple[str, str, str]]) -> str:
    """A .rels part: (type, target, type namespace) numbered rId1, rId2..."""
    links = "".join(f'<Relationship Id="rId{i}" Type="{space}/{kind}" Target="{target}"/>'
                    for i, (kind, target, space) in enumerate(targets, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{RELS}">{links}</Relationships>')


def _core(title: str, creator: str, moment: datetime) -> str:
    """docProps/core.xml: title, author and dates."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>")


def _app(creator: str) -> str:
    """docProps/app.xml: the application that wrote the file."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>{escape(creator)}</Application></Properties>')


def _workbook(sheets: list[Worksheet]) -> str:
    """xl/workbook.xml: the sheets in order and their filter ranges."""
    names = "".join(f'<sheet name="{escape(sheet.name)}" sheetId="{i}" r:id="rId{i}"/>'
                    for i, sheet in enumerate(sheets, start=1))
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(sheet.name))}!{_absolute(sheet.filter_ref)}</definedName>"
        for i, sheet in enumerate(sheets) if sheet.filter_ref)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><workbookPr/>'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{names}</sheets>'
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + "</workbook>")


def _quoted(name: str) -> str:
    """A sheet name as a formula reference writes it: 'Name' (quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str | None) -> str:
    """A1:B7 -> $A$1:$B$7."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in (ref or "").split(":"))
