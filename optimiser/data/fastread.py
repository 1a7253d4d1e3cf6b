"""The fast path of the loader: a plain CSV file read by pandas' C parser, column by column.

The exact path (`rawcsv.py`) hands every cell to Python as a `str` of a row list and counts
lines as the csv module does; on two million rows that is most of the load time. Most real
files are plain, though: no quote character at all, so a record is a physical line and a cell
is the bytes between two separators. For such a file, `plain_lines` scans the bytes once (a MB
at a time, with numpy: bounded memory) and returns the physical line of every record, and
`columns` reads the records with `pandas.read_csv` (C parser, every cell kept as written:
`dtype=object`, no NA conversion) in chunks of `CHUNK_ROWS` records.

The scan is conservative: it gives up (returns None) on anything where pandas and the csv
module could disagree or where the exact path has a message to give - a `"`, a NUL byte, a
carriage return not followed by a line feed (old Mac line ends), a line with another number
of separators than the header (a ragged row, or a line of spaces that pandas would skip), a
line longer than the line or cell limits, more bytes than the file size limit. Blank lines
(nothing but a line end) are skipped by both readers: their positions are kept, so that line
numbers stay exact. A byte that is not UTF-8 makes pandas raise, which also means "give up":
the loader then reads the file again on the exact path, which words every problem.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

import numpy as np
import pandas as pd

from optimiser.limits import CSV_FIELD_CHARS, CSV_FILE_MB, CSV_LINE_KB

SCAN_BYTES = 2**20
"""Bytes scanned at a time: the scan's arrays stay a few MB whatever the file."""
CHUNK_ROWS = 2**18
"""Records pandas hands over at a time: the cells of a chunk (Python strings) stay some tens of
MB, while the per-chunk cost stays negligible."""
_LF, _CR = 10, 13


class _Scan:
    """Running state of the byte scan: where the current line started, what it holds so far."""

    def __init__(self, delimiter: bytes, width: int) -> None:
        self.delimiter = delimiter[0]
        self.separators = width - 1
        self.limit = min(CSV_LINE_KB.value * 1024, CSV_FIELD_CHARS.value)
        self.line = 1  # physical line of the current (unfinished) line
        self.partial_bytes = 0  # bytes of the unfinished line seen in earlier chunks
        self.partial_separators = 0
        self.ended_cr = False  # the previous chunk ended with a carriage return
        self.records: list[np.ndarray] = []

    def chunk(self, data: bytes) -> bool:
        """Take in the next bytes; False as soon as the file is not plain."""
        if b'"' in data or b"\x00" in data or (self.ended_cr and not data.startswith(b"\n")):
            return False
        arr = np.frombuffer(data, np.uint8)
        ends = np.flatnonzero(arr == _LF)
        seps = np.flatnonzero(arr == self.delimiter)
        before = np.searchsorted(seps, ends)  # separators before each line end
        counts = np.diff(before, prepend=0)
        lengths = np.diff(ends, prepend=-1)  # bytes of each line, line end included
        crlf = np.zeros(len(ends), dtype=bool)
        inside = ends > 0
        crlf[inside] = arr[ends[inside] - 1] == _CR
        if data.count(b"\r") != int(crlf.sum()) + data.endswith(b"\r"):
            return False  # a carriage return that does not end a line
        if len(ends):
            crlf[0] |= self.ended_cr and ends[0] == 0
            counts[0] += self.partial_separators
            lengths[0] += self.partial_bytes
            self.partial_bytes, self.partial_separators = 0, 0
        if not self._lines(lengths - 1 - crlf, counts):
            return False
        tail = len(data) - (int(ends[-1]) + 1 if len(ends) else 0)
        self.partial_bytes += tail
        self.partial_separators += len(seps) - (int(before[-1]) if len(ends) else 0)
        self.ended_cr = data.endswith(b"\r")
        return self.partial_bytes < self.limit

    def _lines(self, content: np.ndarray, counts: np.ndarray) -> bool:
        """Check the lines ended in this chunk and keep the numbers of the non-blank ones."""
        if len(content) == 0:
            return True
        if int(content.max()) >= self.limit:
            return False
        filled = content > 0
        if (counts[filled] != self.separators).any():
            return False
        self.records.append(np.flatnonzero(filled) + self.line)
        self.line += len(content)
        return True

    def finish(self) -> np.ndarray | None:
        """Record lines after the header once every byte is in; None if the file is not plain."""
        if self.ended_cr:  # a carriage return as the very last byte: an old Mac line end
            return None
        if self.partial_bytes > 0 and not self._lines(
                np.array([self.partial_bytes]), np.array([self.partial_separators])):
            return None
        lines = np.concatenate(self.records) if self.records else np.empty(0, np.int64)
        if len(lines) == 0 or lines[0] != 1:  # line 1 is the header, as the exact path read it
            return None
        return lines[1:].astype(np.int64)


def plain_lines(raw: IO[bytes], delimiter: str, width: int) -> np.ndarray | None:
    """The physical line of each record after the header, when the whole file is plain CSV
    that pandas splits exactly as the csv module does; None otherwise (see the module
    docstring). Reads `raw` from its start; leaves it anywhere."""
    raw.seek(0)
    scan = _Scan(delimiter.encode("ascii"), width)
    limit, read = CSV_FILE_MB.value * 2**20, 0
    while data := raw.read(SCAN_BYTES):
        read += len(data)
        if read == len(data):
            data = data.removeprefix(b"\xef\xbb\xbf")
        if read > limit or not scan.chunk(data):
            return None
    return scan.finish()


def columns(raw: IO[bytes], delimiter: str, width: int) -> Iterator[list[np.ndarray]]:
    """The cells of the records after the header, `CHUNK_ROWS` records at a time: one object
    array of `str` per column, each cell as written. Raises ValueError (pandas' parser errors
    and UnicodeDecodeError are ValueErrors) when pandas cannot read the file."""
    raw.seek(0)
    reader = pd.read_csv(
        raw, sep=delimiter, header=None, skiprows=1, names=list(range(width)), dtype=object,
        na_filter=False, keep_default_na=False, quoting=csv.QUOTE_NONE, index_col=False,
        engine="c", encoding="utf-8", skip_blank_lines=True, chunksize=CHUNK_ROWS)
    with reader:
        for chunk in reader:
            yield [chunk[j].to_numpy(dtype=object) for j in range(width)]
