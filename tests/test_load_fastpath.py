"""The loader's fast path (optimiser/data/fastread.py) against the exact path it stands in for.

Every dataset here is loaded twice: as the loader does it (the fast path for plain files), and
with the fast path switched off (the exact path, csv module, that gave the tables and the
messages before). Tables, dtypes, index, line numbers, attrs and issues must be identical.
Each test also checks which path was taken, so that a fast path that silently stopped being
taken (or that took a file it must leave alone) fails here.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import edit_file, valid_dataset

from benchmarks.synthetic import write_synthetic
from optimiser.data import fastread, load, load_dataset
from optimiser.data.contract import FILES
from optimiser.data.load import REJECTED, read_table
from optimiser.errors import InputError
from optimiser.pipeline import default_data_dir

TESTCASES = Path(__file__).resolve().parents[2] / "shared" / "testcases"


class Spy:
    """Records, per file, whether the fast path gave the table (True) or gave up (False)."""

    def __init__(self) -> None:
        self.taken: dict[str, bool] = {}
        self._real = load._fast_table

    def __call__(self, raw, builder, delimiter):  # noqa: ANN001, ANN204 - a stand-in
        table = self._real(raw, builder, delimiter)
        self.taken[builder.spec.name] = table is not None
        return table


def _exact_only(raw, builder, delimiter) -> None:  # noqa: ANN001 - stand-in
    return None


def _load_both(monkeypatch: pytest.MonkeyPatch, folder: Path) -> tuple[object, object, Spy]:
    """(fast result, exact result, spy): each a Dataset or the InputError raised."""
    spy = Spy()
    results = []
    for stand_in in (spy, _exact_only):
        monkeypatch.setattr(load, "_fast_table", stand_in)
        try:
            results.append(load_dataset(folder))
        except InputError as exc:
            results.append(exc)
    monkeypatch.undo()
    return results[0], results[1], spy


def _assert_same_dataset(fast: object, exact: object) -> None:
    if isinstance(exact, InputError):
        assert isinstance(fast, InputError), "the fast path accepted a dataset with issues"
        assert [_issue(i) for i in fast.issues] == [_issue(i) for i in exact.issues]
        return
    assert not isinstance(fast, InputError), fast
    assert fast.sources == exact.sources
    for name in FILES:
        field = Path(name).stem
        left, right = getattr(fast, field), getattr(exact, field)
        pd.testing.assert_frame_equal(left, right, check_exact=True)
        pd.testing.assert_index_equal(left.index, right.index, exact=True)
        assert left.attrs == right.attrs, name


def _issue(issue: object) -> tuple:
    return (issue.file, issue.line, issue.column, issue.value, issue.message)


def _read_both(monkeypatch: pytest.MonkeyPatch, path: Path) -> bool:
    """Read one file both ways, assert the same table and issues; returns whether the fast
    path gave the table."""
    spec = FILES[path.name]
    spy = Spy()
    monkeypatch.setattr(load, "_fast_table", spy)
    fast, fast_issues = read_table(path, spec)
    monkeypatch.setattr(load, "_fast_table", _exact_only)
    exact, exact_issues = read_table(path, spec)
    monkeypatch.undo()
    assert [_issue(i) for i in fast_issues] == [_issue(i) for i in exact_issues]
    if exact is None:
        assert fast is None
    else:
        pd.testing.assert_frame_equal(fast, exact, check_exact=True)
        assert fast.attrs[REJECTED] == exact.attrs[REJECTED]
    return spy.taken.get(spec.name, False)


def _synthetic(folder: Path) -> Path:
    return write_synthetic(folder, 30, 12, capacity_share=0.3)


def _rewrite(path: Path, delimiter: str = ",", terminator: str = "\n", bom: bool = False,
             decimal_comma: bool = False) -> None:
    """Write a plain file again with another separator, line end, BOM or decimal comma."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if decimal_comma:
        rows = [rows[0], *([c.replace(".", ",") for c in row] for row in rows[1:])]
    text = "".join(delimiter.join(row) + terminator for row in rows)
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8", newline="")


# Valid datasets: identical tables --------------------------------------------------------------

def test_embedded_dataset(monkeypatch):
    fast, exact, _ = _load_both(monkeypatch, default_data_dir())
    _assert_same_dataset(fast, exact)


@pytest.mark.skipif(not TESTCASES.is_dir(), reason="public test cases not checked out")
def test_public_cases(monkeypatch):
    cases = sorted(p for p in TESTCASES.iterdir() if (p / "regions.csv").is_file())
    assert cases
    for case in cases:
        fast, exact, _ = _load_both(monkeypatch, case)
        _assert_same_dataset(fast, exact)


def test_synthetic_dataset_takes_the_fast_path(monkeypatch, tmp_path):
    folder = _synthetic(tmp_path / "data")
    fast, exact, spy = _load_both(monkeypatch, folder)
    _assert_same_dataset(fast, exact)
    assert spy.taken == dict.fromkeys(spy.taken, True) and "workforce.csv" in spy.taken
    assert len(fast.workforce) == 360


@pytest.mark.parametrize("style", [
    {"terminator": "\r\n"}, {"bom": True}, {"delimiter": ";"},
    {"delimiter": ";", "decimal_comma": True, "terminator": "\r\n", "bom": True}])
def test_excel_styles_take_the_fast_path(monkeypatch, tmp_path, style):
    folder = _synthetic(tmp_path / "data")
    for path in folder.glob("*.csv"):
        _rewrite(path, **style)
    fast, exact, spy = _load_both(monkeypatch, folder)
    _assert_same_dataset(fast, exact)
    assert spy.taken["workforce.csv"] and spy.taken["delegations.csv"]


def test_blank_lines_keep_true_line_numbers(monkeypatch, tmp_path):
    data = valid_dataset(tmp_path / "data")
    workforce = data / "workforce.csv"
    workforce.write_text("delegation_code,specialty_code,current,departures\n\nD1,ANES,3,1\r\n"
                         "\r\n\n,,,\nD2,GYN,, \nD2,ANES,1,0", encoding="utf-8", newline="")
    assert _read_both(monkeypatch, workforce)
    table, _ = read_table(workforce, FILES["workforce.csv"])
    assert table["_line"].tolist() == [3, 7, 8]
    fast, exact, _ = _load_both(monkeypatch, data)
    _assert_same_dataset(fast, exact)


def test_empty_header_columns_and_extra_columns(monkeypatch, tmp_path):
    data = valid_dataset(tmp_path / "data")
    path = data / "workforce.csv"
    path.write_text("delegation_code,specialty_code,current,note,,\nD1,ANES,3, x ,,\n"
                    "D2,GYN,,,,\n", encoding="utf-8")
    assert _read_both(monkeypatch, path)
    fast, exact, _ = _load_both(monkeypatch, data)
    _assert_same_dataset(fast, exact)


def test_header_only_file(monkeypatch, tmp_path):
    data = valid_dataset(tmp_path / "data")
    path = data / "capacity.csv"
    path.write_text("delegation_code,specialty_code,max_new\n", encoding="utf-8")
    assert _read_both(monkeypatch, path)
    fast, exact, _ = _load_both(monkeypatch, data)
    _assert_same_dataset(fast, exact)


# Files the fast path must leave to the exact path ---------------------------------------------

HEADER = "delegation_code,specialty_code,current,departures\n"


@pytest.mark.parametrize("body", [
    'D1,ANES,"3",1\n',  # a quote: cells may span lines
    'D1,ANES,3,1\nD2,"GYN\nX",1,0\n',
    "D1,ANES,3,1\rD2,GYN,1,0\r",  # old Mac line ends
    "D1,ANES,3,1\nD2,GYN,1,0\r",
    "D1,ANES,3,1\n   \nD2,GYN,1,0\n",  # a line of spaces: pandas would skip it
    "D1,ANES,3\nD2,GYN,1,0,7\n",  # ragged rows that balance
    "D1,ANES,3,1,\n",
    "D1,ANES,3\n",
    "D1,ANES,3,1\nD2,G\x00YN,1,0\n",
    "D1,ANES,3,1\nD2,GYN,-1,0\n",  # a refused cell: the exact path words it
    "D1,ANES,3,1\nD1,ANES,3,1\nD2,Gé YN,1,0\n",
    "D1,ANES,3,1\nD2,GYN,1,0\n" + "D2,GYN,1," + "9" * 20_000 + "\n",  # a long line
])
def test_fast_path_gives_up(monkeypatch, tmp_path, body):
    path = tmp_path / "workforce.csv"
    path.write_text(HEADER + body, encoding="utf-8", newline="")
    assert not _read_both(monkeypatch, path)


def test_not_utf8_gives_up(monkeypatch, tmp_path):
    path = tmp_path / "workforce.csv"
    path.write_bytes(HEADER.encode() + b"D1,ANES,3,1\nD2,GYN\xe9,1,0\n")
    assert not _read_both(monkeypatch, path)


def test_a_bad_row_far_in_a_plain_file(monkeypatch, tmp_path):
    """A refusal after the first chunk of pandas: every issue still comes from the exact
    path, once (the fast path's partial table is dropped)."""
    rows = [f"D{i},S{i % 7},{i % 5},0\n" for i in range(fastread.CHUNK_ROWS + 10)]
    rows[-3] = "D1,S1,x,0\n"
    path = tmp_path / "workforce.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    assert not _read_both(monkeypatch, path)
    _, issues = read_table(path, FILES["workforce.csv"])
    assert [(i.line, i.column, i.value) for i in issues] == [
        (fastread.CHUNK_ROWS + 9, "current", "x")]


def test_scan_lines_across_chunks(monkeypatch, tmp_path):
    """Line ends cut by the scan's chunk border (CRLF split, blank lines) keep their numbers."""
    monkeypatch.setattr(fastread, "SCAN_BYTES", 5)
    path = tmp_path / "workforce.csv"
    path.write_text(HEADER + "D1,A,3,1\r\n\r\nD2,B,1,0\r\n\nD3,C,,\r\n", encoding="utf-8",
                    newline="")
    spec = FILES["workforce.csv"]
    with path.open("rb") as raw:
        lines = fastread.plain_lines(raw, ",", 4)
    assert lines is not None and lines.tolist() == [2, 4, 6]
    table, issues = read_table(path, spec)
    assert not issues and table["_line"].tolist() == [2, 4, 6]


# Bad datasets: the same issues ----------------------------------------------------------------

@pytest.mark.parametrize(("file", "old", "new"), [
    ("workforce.csv", "D1,ANES,3,1\n", "D1,ANES,3,1\nD1,ANES,1,0\n"),  # duplicate key
    ("workforce.csv", "D1,ANES,3,1\n", "D1,ANES,3,1\nD9,ANES,1,0\n"),  # unknown code
    ("workforce.csv", "D1,ANES,3,1\n", "D1,ANES,1,3\n"),  # departures above current
    ("workforce.csv", "D1,ANES,3,1\n", "D1,ANES,-3,x\n"),
    ("capacity.csv", "D2,GYN,2\n", "D2,GYN,2\n\n D1,GYN,2\nD1,ANES\n"),
    ("delegations.csv", "100000", "1e5"),
])
def test_same_issues_both_ways(monkeypatch, tmp_path, file, old, new):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / file, old, new)
    fast, exact, _ = _load_both(monkeypatch, data)
    assert isinstance(exact, InputError)
    _assert_same_dataset(fast, exact)


# Random plain files ---------------------------------------------------------------------------

_CELL = st.one_of(
    st.sampled_from(["", " ", "0", "7", " 7 ", "+3", "-1", "2.5", "1e3", "D1", "S2", " D1",
                     "A\tB", "é", "1000000001", "nan", "NA", "#", "x;y", "'q'"]),
    st.text(st.sampled_from("Ds0129 .+-_\t#é;"), max_size=5))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_plain_files_read_the_same(monkeypatch, tmp_path, data):
    spec = data.draw(st.sampled_from([FILES["workforce.csv"], FILES["delegations.csv"],
                                      FILES["specialties.csv"]]), label="file")
    header = spec.columns
    rows = data.draw(st.lists(st.lists(_CELL, min_size=len(header), max_size=len(header)),
                              max_size=10), label="rows")
    blank = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    terminator = data.draw(st.sampled_from(["\n", "\r\n"]))
    final = data.draw(st.booleans(), label="final line end")
    lines = [",".join(header)]
    for row, before in zip(rows, blank, strict=True):
        lines += [""] * before + [",".join(row)]
    text = terminator.join(lines) + (terminator if final else "")
    path = tmp_path / spec.name
    path.write_text(text, encoding="utf-8", newline="")
    _read_both(monkeypatch, path)


def test_fast_lines_are_those_of_the_csv_module(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "workforce.csv"
    parts = [HEADER]
    for i in range(2000):
        parts.append("\n" * int(rng.integers(0, 3) == 0))
        parts.append(f"D{i},S1,1,0" + ("\r\n" if rng.random() < 0.5 else "\n"))
    path.write_text("".join(parts), encoding="utf-8", newline="")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        expected, start = [], 1
        for cells in reader:
            if cells:
                expected.append(start)
            start = reader.line_num + 1
    with path.open("rb") as raw:
        found = fastread.plain_lines(raw, ",", 4)
    assert found is not None and found.tolist() == expected[1:]


def test_copy_of_embedded_dataset_as_plain_files(monkeypatch, tmp_path):
    """The national dataset with its quoted `source` cells rewritten unquoted: the fast path
    then reads the big files, with the same tables."""
    folder = tmp_path / "data"
    shutil.copytree(default_data_dir(), folder)
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            rows = [[c.replace(",", " ").replace('"', "").replace("\n", " ") for c in row]
                    for row in csv.reader(f)]
        path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    fast, exact, spy = _load_both(monkeypatch, folder)
    _assert_same_dataset(fast, exact)
    assert spy.taken["workforce.csv"]


@pytest.mark.parametrize("body", [
    b"D1,ANES,3,1\r\r\n",  # a carriage return that ends no line
    b"D1,ANES,3\nD2,GYN,1,0,7\n",  # as many separators in all, not on each line
    b"D1,ANES,3,1\n  \n",
    b'D1,"ANES",3,1\n',
    b"D1,ANES,3,1\n\r",
])
def test_scan_refuses(body):
    assert fastread.plain_lines(io.BytesIO(HEADER.encode() + body), ",", 4) is None
    assert fastread.plain_lines(io.BytesIO(HEADER.encode() + b"D1,ANES,3,1\n"), ",", 4
                                ).tolist() == [2]
