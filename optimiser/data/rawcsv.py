"""Bytes to CSV records: one dataset file read safely, in bounded memory, with line numbers.

What a planner's folder may hold is not always a CSV file: a dangling link, a folder, a named
pipe (which would block a reader forever), a 5 GB export, a UTF-16 "Unicode text" save, a
French Excel file separated by `;`. Each becomes one `InputIssue` naming the file; nothing here
raises anything else for bad input.

The file is opened without blocking and checked to be a regular file before a byte is read, then
read in chunks of at most `CSV_LINE_KB` (so a 500 MB line costs one chunk, not 500 MB), decoded
as UTF-8 chunk by chunk and split into physical lines as the csv module expects (LF, CRLF or
CR). Records come in batches with the physical line each starts on: quoted cells may span
lines, so a record's line is not its index plus 2.

Separator: a file whose header line holds `;` and no `,` (what French Excel saves as "CSV") is
read with `;`, and its decimal numbers may use a decimal comma (`load.py`).
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO

import numpy as np

from optimiser.errors import InputIssue
from optimiser.limits import CSV_FIELD_CHARS, CSV_FILE_MB, CSV_LINE_KB

UTF16_ADVICE = "saved as UTF-16 ('Unicode text'): save it as 'CSV UTF-8 (comma delimited)'"
ENCODING_ADVICE = "save it as 'CSV UTF-8 (comma delimited)'"
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))
_BREAKS = ("\n", "\r")
CHUNK_BYTES = 2**20
"""Bytes read at a time (less when the line limit is lower: see `CsvSource._pieces`)."""


class FileProblem(Exception):
    """A problem that stops the reading of one file; carries its issue."""

    def __init__(self, issue: InputIssue) -> None:
        self.issue = issue
        super().__init__(str(issue))


def kind_of(mode: int) -> str:
    """Words for what a non-regular file is, as a planner would say it."""
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def path_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a dataset file (None if it can), without opening it.

    `lstat` first: a link whose target is gone exists, and must not pass for an absent file.
    """
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            info = os.stat(path)
    except FileNotFoundError:
        return "not a regular file: a dangling symbolic link"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file: {kind_of(info.st_mode)}"
    limit = CSV_FILE_MB.value * 2**20
    if info.st_size > limit:
        return CSV_FILE_MB.message(f"{info.st_size / 2**20:,.0f} MB")
    return None


def open_regular(path: Path, name: str) -> io.FileIO:
    """Open without blocking (a FIFO swapped in after `path_problem` must not hang us) and
    check, on the open descriptor, that it is still a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileProblem(InputIssue(name, None, None, None,
                                     f"cannot be read: {exc.strerror or exc}")) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise FileProblem(InputIssue(name, None, None, None,
                                     f"not a regular file: {kind_of(mode)}"))
    return io.FileIO(fd, "rb", closefd=True)


@dataclass
class Batch:
    """Consecutive records of a file and the physical line each one starts on."""

    rows: list[list[str]]
    lines: np.ndarray


def line_spans(rows: list[list[str]]) -> np.ndarray:
    """Physical lines each record spans: 1 plus the line breaks kept inside its quoted cells."""
    return np.fromiter(
        (1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in row) for row in rows),
        dtype=np.int64, count=len(rows))


class CsvSource:
    """The records of one open file. Reading stops at the first problem that leaves the rest
    of the file unreadable (bad encoding, unclosed quote, overlong line): `problem` holds it."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        self.name = name
        self.problem: InputIssue | None = None
        self._raw = raw
        self._read = 0
        self._lines_given = 0  # physical lines handed to the csv reader so far
        self._next_line = 1  # physical line where the next record starts
        self._chunk = min(CHUNK_BYTES, CSV_LINE_KB.value * 1024)
        first = self._first_chunk()
        self.delimiter = ";" if self._semicolons(first) else ","
        self._reader = csv.reader(chain.from_iterable(self._pieces(first)),
                                  delimiter=self.delimiter, strict=True)
        if CSV_FIELD_CHARS.value >= csv.field_size_limit():  # only ever raised, never lowered
            csv.field_size_limit(CSV_FIELD_CHARS.value + 1)

    def _issue(self, line: int | None, message: str) -> InputIssue:
        return InputIssue(self.name, line, None, None, message)

    def _read_chunk(self) -> bytes:
        """The next chunk; the size limit is enforced on what is read, not only on `stat`."""
        data = self._raw.read(self._chunk) or b""
        self._read += len(data)
        if self._read > CSV_FILE_MB.value * 2**20:
            raise FileProblem(self._issue(None, CSV_FILE_MB.message()))
        return data

    def _first_chunk(self) -> bytes:
        """The first bytes, without a UTF-8 BOM; a UTF-16 file is refused here, by its BOM or
        by the NUL bytes its first line is full of."""
        data = self._read_chunk()
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise FileProblem(self._issue(None, UTF16_ADVICE))
        data = data.removeprefix(b"\xef\xbb\xbf")
        if b"\x00" in _first_line(data):
            raise FileProblem(self._issue(1, UTF16_ADVICE))
        return data

    @staticmethod
    def _semicolons(first: bytes) -> bool:
        """French Excel's "CSV": the header line holds `;` and no `,`."""
        line = _first_line(first)
        return b";" in line and b"," not in line

    def _pieces(self, first: bytes) -> Iterator[list[str]]:
        """Decoded physical lines, a chunk at a time, each line shorter than the line limit.

        A piece ends after its last line break (never between CR and LF, nor inside a UTF-8
        sequence); the rest is carried into the next piece. As a chunk is no longer than the
        limit, only the first line of a piece and the carried rest can exceed it.
        """
        limit = CSV_LINE_KB.value * 1024
        carry, data = b"", first
        while data or carry:
            final = not data
            data = carry + data
            cut = len(data) if final else max(data.rfind(b"\n"), data.rfind(b"\r", 0, -1)) + 1
            if _first_break(data) > limit or len(data) - cut > limit:
                line = self._lines_given + 1 + (0 if _first_break(data) > limit
                                                else _count_lines(data[:cut]))
                raise FileProblem(self._issue(line, CSV_LINE_KB.message()))
            lines = self._decode(data[:cut])
            self._lines_given += len(lines)
            yield lines
            carry, data = data[cut:], (b"" if final else self._read_chunk())

    def _decode(self, piece: bytes) -> list[str]:
        """UTF-8 lines of a piece; a bad byte is reported with the line it is on."""
        try:
            text = piece.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = self._lines_given + _count_lines(piece[: exc.start]) + 1
            bad = piece[exc.start : exc.end].hex()
            raise FileProblem(self._issue(line, f"not UTF-8 (byte 0x{bad}): {ENCODING_ADVICE}")
                              ) from None
        return io.StringIO(text, newline="").readlines()

    def header(self) -> list[str] | None:
        """The first record; None for an empty file (or after a problem)."""
        batch = next(self.batches(1), None)
        return None if batch is None else batch.rows[0]

    def batches(self, size: int) -> Iterator[Batch]:
        """Records `size` at a time with their start lines, until the end or a problem."""
        while self.problem is None:
            rows: list[list[str]] = []
            start = self._next_line
            try:
                rows.extend(islice(self._reader, size))  # keeps the rows read before an error
            except FileProblem as exc:
                self.problem = exc.issue
            except csv.Error as exc:
                spans = line_spans(rows)
                self.problem = self._issue(start + int(spans.sum()), _csv_message(str(exc)))
            if not rows:
                return
            batch = Batch(rows, self._starts(rows, start))
            self._next_line = (start + int(line_spans(rows).sum()) if self.problem
                               else self._reader.line_num + 1)
            yield batch

    def _starts(self, rows: list[list[str]], start: int) -> np.ndarray:
        """Start line of each record; the cheap count when no record spans several lines."""
        if self.problem is None and self._reader.line_num - start + 1 == len(rows):
            return np.arange(start, start + len(rows), dtype=np.int64)
        spans = line_spans(rows)
        return start + np.concatenate(([0], np.cumsum(spans[:-1]))).astype(np.int64)


def _first_line(data: bytes) -> bytes:
    """The bytes before the first line break."""
    return data[: _first_break(data)]


def _first_break(data: bytes) -> int:
    """Index of the first line break, or the length when there is none."""
    found = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    return min(found, default=len(data))


def _count_lines(data: bytes) -> int:
    """Complete physical lines in `data` (universal newlines, as the reader splits them)."""
    lines = io.StringIO(data.decode("utf-8", "replace"), newline="").readlines()
    return sum(1 for line in lines if line.endswith(_BREAKS))


def _csv_message(error: str) -> str:
    """The csv module's error in a planner's words."""
    if "unexpected end of data" in error:
        return "unclosed quote: the quoted cell that starts on this line runs to the end of file"
    if "field larger than field limit" in error:
        return (f"{CSV_FIELD_CHARS.message()}; an unclosed quote on this line would make the "
                "rest of the file one cell")
    if "expected after" in error:
        return ("text after the closing quote of a cell (a quote inside a quoted cell is "
                'written twice: "")')
    return f"not a valid CSV line: {error}"
