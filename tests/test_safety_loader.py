"""The dataset loader on hostile and broken input: exit status 2, one clear issue, nothing written.

Each class of bad input of the loader's brief has its regression test here (not a regular
file, cost bounds, numbers in range, control characters, codes, Excel exports, cascades), plus
property tests that the column-wise fast path and the pydantic row model alone agree.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from tiny import edit_file, solve, valid_dataset

from optimiser.cli import main
from optimiser.data import fastcheck, load_dataset, rawcsv
from optimiser.data.contract import CODE_RULE, FILES
from optimiser.data.fastcheck import error_message
from optimiser.data.load import LINE, read_table
from optimiser.data.rawcsv import CsvSource, line_spans
from optimiser.errors import InputError


def _solve_unchecked(data: Path, out: Path) -> tuple[int, str]:
    """`tiny.solve` without its plan checker, which would open (and block on) a FIFO if a
    regression let the loader take one for an absent file."""
    args = ["solve", "--data", str(data), "--out", str(out), "--quiet", "--no-report"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


def _refused(tmp_path: Path, data: Path, *expected: str, checker: bool = True) -> str:
    """Run the CLI on `data`: exit 2, every expected text in the output, the plan folder
    untouched. Returns the output."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "plan.json").write_text("previous plan", encoding="utf-8")
    code, output = solve(data, None, out)[:2] if checker else _solve_unchecked(data, out)
    assert code == 2, output
    assert "Traceback" not in output
    for text in expected:
        assert text in output, (text, output)
    assert [p.name for p in out.iterdir()] == ["plan.json"]
    assert (out / "plan.json").read_text(encoding="utf-8") == "previous plan"
    return output


# 1. Not a regular file ------------------------------------------------------------------------

def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.csv")


def _folder(path: Path) -> None:
    path.mkdir()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.symlink_to("/dev/null")


NOT_REGULAR = [("dangling link", _dangling, "a dangling symbolic link"),
               ("folder", _folder, "a folder"),
               ("fifo", _fifo, "a named pipe (FIFO)"),
               ("device", _device, "a character device")]


@pytest.mark.parametrize("name", ["workforce.csv", "regions.csv"], ids=["optional", "required"])
@pytest.mark.parametrize(("make", "words"), [c[1:] for c in NOT_REGULAR],
                         ids=[c[0] for c in NOT_REGULAR])
def test_not_a_regular_file_is_an_issue(tmp_path, name, make, words):
    data = valid_dataset(tmp_path / "data")
    (data / name).unlink()
    make(data / name)
    _refused(tmp_path, data, f"{name}: not a regular file: {words}", checker=False)


def test_unreadable_file_is_an_issue(tmp_path, monkeypatch):
    data = valid_dataset(tmp_path / "data")
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith("capacity.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    _refused(tmp_path, data, "capacity.csv: cannot be read: Permission denied")


def test_data_path_that_is_a_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("region_code,name_fr\n", encoding="utf-8")
    _refused(tmp_path, path, "not a dataset folder but a file")


# 2. Bounded cost ------------------------------------------------------------------------------

def test_file_above_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    data = valid_dataset(tmp_path / "data")
    with (data / "workforce.csv").open("a", encoding="utf-8") as f:
        f.write("".join(f"D1,S{i},1,0\n" for i in range(200_000)))  # ~2.5 MB
    monkeypatch.setenv("OPTIMISER_MAX_CSV_MB", "1")
    real_init = CsvSource.__init__

    def init(self, raw, name):
        assert name != "workforce.csv", "the file was read"
        real_init(self, raw, name)

    monkeypatch.setattr(CsvSource, "__init__", init)
    _refused(tmp_path, data, "workforce.csv: dataset file size (3 MB) is above the limit of 1 MB",
             "OPTIMISER_MAX_CSV_MB")


def test_overlong_line_is_refused_with_its_line(tmp_path, monkeypatch):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "capacity.csv", "D2,GYN,2\n", "D2,GYN,2\nD1,GYN," + "9" * 200_000 + "\n")
    monkeypatch.setenv("OPTIMISER_MAX_CSV_LINE_KB", "64")
    _refused(tmp_path, data, "capacity.csv:3: a CSV line is above the limit of 64 KB",
             "OPTIMISER_MAX_CSV_LINE_KB")


def test_a_huge_line_costs_a_bounded_memory(tmp_path):
    data = valid_dataset(tmp_path / "data")
    with (data / "regions.csv").open("a", encoding="utf-8") as f:
        f.write("R3," + "x" * 40_000_000 + "\n")
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            load_dataset(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "regions.csv:4: a CSV line is above the limit" in str(caught.value)
    assert peak < 12 * 2**20, f"{peak / 2**20:.0f} MB for a 40 MB line"


def test_overlong_cell_is_refused(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "regions.csv", "Région R1", "R" * 20_000)
    _refused(tmp_path, data, "regions.csv:2: column 'name_fr'",
             "a CSV cell (20,000 characters) is above the limit", "OPTIMISER_MAX_FIELD_CHARS")


# 3. Numbers in range --------------------------------------------------------------------------

BIG = "above 10^9, the model's range"
NUMBER_CASES = [
    ("population above 10^9", "delegations.csv", ("100000", "1000000001"), 2, "population", BIG),
    ("posts at int64 max", "posts.csv", ("2024,ANES,2", "2024,ANES,9223372036854775807"), 2,
     "posts", BIG),
    ("posts 10^30", "posts.csv", ("2024,ANES,2", "2024,ANES," + "1" + "0" * 30), 2, "posts", BIG),
    ("current beyond int64", "workforce.csv", ("D1,ANES,3", "D1,ANES,9223372036854775808"), 2,
     "current", BIG),
    ("5000 digits", "capacity.csv", ("D2,GYN,2", "D2,GYN," + "7" * 5000), 2, "max_new", BIG),
    ("max_sites above 10^9", "contingents.csv", (",2,10", ",2000000000,10"), 2, "max_sites", BIG),
    ("promotion 1899", "posts.csv", ("2024,ANES", "1899,ANES"), 2, "promotion",
     "a promotion is a year from 1900 to 2200"),
    ("promotion 10^20", "posts.csv", ("2024,ANES", "100000000000000000000,ANES"), 2,
     "promotion", "a promotion is a year from 1900 to 2200"),
    ("norm nan", "specialties.csv", ("ANES,ANES,2.0", "ANES,ANES,nan"), 2, "norm_per_100k",
     "finite number"),
    ("norm inf", "specialties.csv", ("ANES,ANES,2.0", "ANES,ANES,inf"), 2, "norm_per_100k",
     "finite number"),
    ("norm 1e400", "specialties.csv", ("ANES,ANES,2.0", "ANES,ANES,1e400"), 2, "norm_per_100k",
     "finite number"),
    ("norm above inhabitants", "specialties.csv", ("ANES,ANES,2.0", "ANES,ANES,100001"), 2,
     "norm_per_100k", "the range is 0 to 100,000"),
    ("weight 10^7", "delegations.csv", ("100000,1\n", "100000,1e7\n"), 2, "priority_weight",
     "the range is 0 to 10^6"),
    ("cost 10^10", "contingents.csv", (",10,R2", ",1e10,R2"), 2, "cost_per_doctor",
     "the range is 0 to 10^9"),
]


@pytest.mark.parametrize(("file", "edit", "line", "column", "words"),
                         [c[1:] for c in NUMBER_CASES], ids=[c[0] for c in NUMBER_CASES])
def test_numbers_out_of_range(tmp_path, file, edit, line, column, words):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / file, *edit)
    _refused(tmp_path, data, f"{file}:{line}: column '{column}'", words)


# 4. Control characters in text ----------------------------------------------------------------

CONTROL_CASES = [
    ("tab in a name", "regions.csv", ("Région R1", "Région\tR1"), "name_fr", "U+0009"),
    ("NUL in an Arabic name", "delegations.csv", ("إقليم", "إق\x00ليم"), "name_ar", "U+0000"),
    ("ESC in a source", "delegations.csv", ("priority_weight\n", "priority_weight,source\n"),
     None, None),
    ("DEL in a contingent name", "contingents.csv", ("Mission", "Mis\x7fsion"), "name", "U+007F"),
    ("C1 in a specialty name", "specialties.csv", ("ANES,ANES", "ANES,AN\x85ES"), "name_fr",
     "U+0085"),
    ("vertical tab in a code", "regions.csv", ("R1,", "R\x0b1,"), "region_code", CODE_RULE),
]


@pytest.mark.parametrize(("file", "edit", "column", "words"),
                         [c[1:] for c in CONTROL_CASES], ids=[c[0] for c in CONTROL_CASES])
def test_control_characters_are_refused(tmp_path, file, edit, column, words):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / file, *edit)
    if column is None:  # the extra column `source`, carried into outputs
        edit_file(data / file, ",1.5\n", ",1.5,HCP \x1b[31m2024\n")
        column, words = "source", "U+001B"
    where = f"{file}:2" if file != "delegations.csv" or column == "name_ar" else f"{file}:3"
    _refused(tmp_path, data, f"{where}: column '{column}'", words)


def test_control_character_in_a_column_name(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "delegations.csv", "priority_weight\n", "priority_weight,note\x1b[2J\n")
    output = _refused(tmp_path, data, "delegations.csv:1: column name 'note\\x1b[2J' contains "
                      "an ESC (U+001B)")
    assert "\x1b" not in output  # never echoed to the terminal


def test_surrounding_spaces_are_stripped_not_refused(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "regions.csv", "Région R1", "  Région R1  ")
    code, output, plan = solve(data, None, tmp_path / "out")
    assert code == 0, output


# 5. Codes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["-R1", "+R1", "=R1", "@R1", "_R1", "تطوان", "Réd"])
def test_codes_start_with_a_letter_or_digit(tmp_path, code):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "regions.csv", "R1,", f"{code},")
    _refused(tmp_path, data, "regions.csv:2: column 'region_code'",
             f"{code!r} is not a valid code: {CODE_RULE}")


def test_codes_inside_eligible(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "contingents.csv", ",R2", ",R2;-D1")
    _refused(tmp_path, data, "contingents.csv:2: column 'eligible'",
             f"'-D1' is not a valid code: {CODE_RULE}")


# 6. Excel exports -----------------------------------------------------------------------------

def _semicolons(folder: Path, decimal_comma: bool) -> None:
    """Rewrite every file as French Excel saves it: `;` separator, decimal comma."""
    for path in folder.glob("*.csv"):
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
            for row in rows:
                writer.writerow([c.replace(".", ",") if decimal_comma and
                                 c.replace(".", "").isdigit() else c for c in row])


def test_semicolon_files_with_decimal_comma_load_the_same(tmp_path):
    reference = valid_dataset(tmp_path / "ref")
    data = valid_dataset(tmp_path / "data")
    for folder in (reference, data):
        edit_file(folder / "delegations.csv", ",50000,1.5", ",50000,1.25")
    _semicolons(data, decimal_comma=True)
    assert "1,25" in (data / "delegations.csv").read_text(encoding="utf-8")
    expected, found = load_dataset(reference), load_dataset(data)
    for name in FILES:
        table = Path(name).stem
        pd.testing.assert_frame_equal(getattr(found, table), getattr(expected, table))
    assert found.delegations.loc["D2", "priority_weight"] == 1.25


def test_decimal_comma_only_in_semicolon_files(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "specialties.csv", "ANES,ANES,2.0", 'ANES,ANES,"2,5"')
    _refused(tmp_path, data, "specialties.csv:2: column 'norm_per_100k' = '2,5'")


def test_empty_trailing_header_columns_are_ignored(tmp_path):
    data = valid_dataset(tmp_path / "data")
    path = data / "posts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(f"{line},,\n" for line in lines), encoding="utf-8")
    code, output, _ = solve(data, None, tmp_path / "out")
    assert code == 0, output
    assert list(load_dataset(data).posts.columns) == ["posts"]


def test_value_under_an_empty_header_is_an_issue(tmp_path):
    data = valid_dataset(tmp_path / "data")
    path = data / "posts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{line},," for line in lines]
    lines[2] = lines[2] + "oops"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(tmp_path, data, "posts.csv:3: a value ('oops') in column 5, which has no header name")


def test_utf16_file_gets_one_clear_issue(tmp_path):
    data = valid_dataset(tmp_path / "data")
    for encoding in ("utf-16", "utf-16-le"):  # with and without a byte-order mark
        path = data / "delegations.csv"
        text = path.read_text(encoding="utf-8") if encoding == "utf-16" else \
            path.read_bytes().decode("utf-16-le")
        path.write_bytes(text.encode(encoding))
        output = _refused(tmp_path, data, "delegations.csv: saved as UTF-16 ('Unicode text'): "
                          "save it as 'CSV UTF-8 (comma delimited)'")
        assert "1 input error(s)" in output, output


def test_latin1_byte_gives_line_and_advice(tmp_path):
    data = valid_dataset(tmp_path / "data")
    path = data / "regions.csv"
    path.write_bytes(path.read_bytes().replace("Région R2".encode(), b"R\xe9gion R2"))
    output = _refused(tmp_path, data, "regions.csv:3: not UTF-8 (byte 0xe9): "
                      "save it as 'CSV UTF-8 (comma delimited)'")
    assert "unknown code" not in output


CASCADE_CASES = [
    ("duplicate header in an optional file", "contingents.csv",
     ("contingent_code,name,", "contingent_code,name,name,"), "contingents.csv:1"),
    ("unclosed quote", "delegations.csv", ("D1,", '"D1,'), "delegations.csv:2: unclosed quote"),
    ("wrong number of fields", "specialties.csv", ("ANES,ANES,2.0", "ANES,ANES,2.0,9"),
     "specialties.csv:2: row has"),
    ("text after a closing quote", "regions.csv", ("R2,", '"R2"x,'), "regions.csv:3"),
    ("utf-16 optional file", "contingents.csv", None, "saved as UTF-16"),
]


@pytest.mark.parametrize(("file", "edit", "expected"), [c[1:] for c in CASCADE_CASES],
                         ids=[c[0] for c in CASCADE_CASES])
def test_a_broken_file_gives_no_cascade_in_other_files(tmp_path, file, edit, expected):
    data = valid_dataset(tmp_path / "data")
    if edit is None:
        (data / file).write_bytes((data / file).read_text(encoding="utf-8").encode("utf-16"))
    else:
        edit_file(data / file, *edit)
    output = _refused(tmp_path, data, expected)
    others = [line for line in output.splitlines()[1:] if file not in line]
    assert others == [], output
    assert "unknown code" not in output


# 7. Speed with the same errors ----------------------------------------------------------------

def test_multiline_cells_keep_true_line_numbers(tmp_path):
    data = valid_dataset(tmp_path / "data")
    edit_file(data / "delegations.csv", "priority_weight\n", "priority_weight,source\n")
    edit_file(data / "delegations.csv", ",1\n", ',1,"line one\nline two\r\nline three"\n')
    edit_file(data / "delegations.csv", ",50000,1.5\n", ",-5,1.5,\n")
    _refused(tmp_path, data, "delegations.csv:5: column 'population' = '-5'")


def test_a_repeated_bad_cell_is_validated_once(tmp_path, monkeypatch):
    calls = []
    real = fastcheck.model_verdict
    monkeypatch.setattr(fastcheck, "model_verdict", lambda *a: calls.append(a) or real(*a))
    data = valid_dataset(tmp_path / "data")
    with (data / "workforce.csv").open("a", encoding="utf-8") as f:
        f.write("".join("D1,ANES,-1,0\n" for _ in range(100_000)))
    with pytest.raises(InputError) as caught:
        load_dataset(data)
    assert len(caught.value.issues) >= 100_000
    assert len(calls) == 1, len(calls)


CELLS = ["", " ", "0", "7", " 7 ", "+3", "-0", "-1", "3.0", "2.5", " 2.5 ", ".5", "2.", "1e3",
         "1_000", "0x1F", "nan", "NaN", "inf", "-inf", "1e400", "1e-400", "٣", "٣.٥", "１２",
         "9223372036854775807", "9223372036854775808", "1" + "0" * 30, "-" + "9" * 25,
         "1000000000", "1000000001", "999999999", "0000000001", "1899", "1900", "2200", "2201",
         "100000", "100000.5", "1000000", "1000001", "-90", "90.0", "180.5", "R1", "-R1", "_R1",
         "R-1", "r_1", "R 1", " R1", "R1\n", "A\tB", "A\x00B", "\x1b[1m", "A\x7fB", "A\x85B",
         "تطوان", "Région", "  Région  ", "a\nb", "a\r\nb", "x,y", 'q"uote', "=1+1", "@R"]
_cell = st.one_of(
    st.sampled_from(CELLS),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(st.sampled_from("Ra0-_ .,+\t\x00\x85٣é\n"), max_size=6),
    st.tuples(st.sampled_from(["", " ", "+", "-"]), st.sampled_from(CELLS)).map("".join),
)


def _row_model_alone(spec, header, path):
    """What the row model says of each record on its own (the reference for the fast path),
    records read by the csv module with its own line count."""
    records, issues = [], set()
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, strict=True)
        next(reader)
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            row = dict(zip(header, cells, strict=True))
            if not any(c.strip() for c in cells):
                continue
            try:
                valid = spec.row_model.model_validate(row)
            except ValidationError as exc:
                for err in exc.errors():
                    column = str(err["loc"][0])
                    issues.add((start, column, row[column], error_message(err)))
                continue
            records.append({**dict(valid), LINE: start})
    return records, issues


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_path_agrees_with_the_row_model(tmp_path, data):
    spec = data.draw(st.sampled_from(list(FILES.values())), label="file")
    header = spec.columns
    rows = data.draw(st.lists(st.lists(_cell, min_size=len(header), max_size=len(header)),
                              min_size=1, max_size=12), label="rows")
    path = tmp_path / spec.name
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *rows])
    records, expected = _row_model_alone(spec, header, path)
    table, issues = read_table(path, spec)
    assert {(i.line, i.column, i.value, i.message) for i in issues} == expected
    reference = pd.DataFrame.from_records(records, columns=[*header, LINE])
    if records:
        pd.testing.assert_frame_equal(table, reference, check_exact=True)
    else:
        assert table.empty


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(st.text(st.sampled_from('ab,"\n\r é'), max_size=5),
                              min_size=1, max_size=3), min_size=1, max_size=20),
       terminator=st.sampled_from(["\n", "\r\n", "\r"]),
       chunk=st.sampled_from([1, 2, 3, 7, 64, 2**20]))
def test_record_lines_are_those_of_the_csv_module(rows, terminator, chunk):
    text = io.StringIO()
    csv.writer(text, lineterminator=terminator).writerows(rows)
    raw = text.getvalue().encode("utf-8")
    rawcsv.CHUNK_BYTES = chunk  # chunk borders anywhere: inside CRLF, inside 'é'
    try:
        _check_record_lines(raw)
    finally:
        rawcsv.CHUNK_BYTES = 2**20


def _check_record_lines(raw):
    reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True)
    expected, start = [], 1
    for cells in reader:
        expected.append((cells, start))
        start = reader.line_num + 1
    source = CsvSource(io.BytesIO(raw), "x.csv")
    found = [(cells, int(line)) for batch in source.batches(7)
             for cells, line in zip(batch.rows, batch.lines, strict=True)]
    assert source.problem is None
    assert found == expected
    assert sum(line_spans([cells for cells, _ in found])) == start - 1


def test_semicolon_decimal_comma_values(tmp_path):
    spec = FILES["delegations.csv"]
    path = tmp_path / spec.name
    path.write_text("delegation_code;name_fr;region_code;population;priority_weight;latitude\n"
                    "D1;Un;R1;1000;2,5;-33,25\nD2;Deux;R1;2000;1.5;\nD3;Trois;R1;3;2,5,1;\n",
                    encoding="utf-8")
    table, issues = read_table(path, spec)
    assert table is not None
    assert list(table["priority_weight"]) == [2.5, 1.5]
    assert table["latitude"].iloc[0] == -33.25 and math.isnan(table["latitude"].iloc[1])
    assert [(i.line, i.column, i.value) for i in issues] == [(4, "priority_weight", "2,5,1")]
