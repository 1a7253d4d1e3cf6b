"""cohorts.csv and attrition.csv (NEED.md, several years; issue 16): the data contract (good
files load, every bad value is refused naming file, line and column, both files optional) and
the Morocco files (every year and specialty, 2024 as posts.csv, curated totals, sources)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from tiny import dataset, posts_of, solve

from optimiser.data import load_dataset
from optimiser.datasets import horizon
from optimiser.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
MOROCCO = ROOT / "data" / "morocco-2024"
CURATED = ROOT / "data" / "sources" / "morocco"
YEARS = list(range(2024, 2031))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tiny(folder: Path) -> Path:
    """Two delegations, two specialties, 3 posts in 2024."""
    return dataset(folder,
                   delegations=[("D1", "R1", 100000, 1), ("D2", "R1", 50000, 2)],
                   specialties=[("ANES", 2.0, 1, 1.0), ("CHIR", 3.0, 1, 1.0)],
                   posts=[(2024, "ANES", 2), (2024, "CHIR", 1)],
                   workforce=[("D1", "ANES", 1, 0)])


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


COHORTS = ("year,specialty_code,posts,source,note\n"
           "2024,ANES,2,posts.csv,x\n2024,CHIR,1,posts.csv,x\n"
           "2025,ANES,3,estimate: test,\n2025,CHIR,0,estimate: test,\n")
ATTRITION = "specialty_code,rate,source\nANES,0.05,estimate: test\nCHIR,0,published: test\n"


# ----------------------------------------------------------------------- the contract

def test_good_files_load_indexed_and_typed(tmp_path: Path) -> None:
    folder = _write(_write(_tiny(tmp_path / "d"), "cohorts.csv", COHORTS),
                    "attrition.csv", ATTRITION)
    ds = load_dataset(folder)
    assert ds.cohorts.index.names == ["year", "specialty_code"]
    assert ds.cohorts["posts"].to_dict() == {(2024, "ANES"): 2, (2024, "CHIR"): 1,
                                             (2025, "ANES"): 3, (2025, "CHIR"): 0}
    assert str(ds.cohorts["posts"].dtype) == "int64"
    assert ds.cohorts.index.get_level_values("year").dtype == "int64"
    assert ds.cohorts.loc[(2024, "ANES"), "note"] == "x"  # extra columns kept as written
    assert ds.attrition.index.name == "specialty_code"
    assert ds.attrition["rate"].to_dict() == {"ANES": 0.05, "CHIR": 0.0}
    assert str(ds.attrition["rate"].dtype) == "float64"
    assert ds.sources["cohorts.csv"] == ["estimate: test", "posts.csv"]
    assert ds.sources["attrition.csv"] == ["estimate: test", "published: test"]


def test_both_files_are_optional(tmp_path: Path) -> None:
    ds = load_dataset(_tiny(tmp_path / "d"))
    assert ds.cohorts.empty and list(ds.cohorts.columns) == ["posts"]
    assert ds.cohorts.index.names == ["year", "specialty_code"]
    assert ds.attrition.empty and list(ds.attrition.columns) == ["rate"]
    assert ds.attrition.index.name == "specialty_code"


def test_french_excel_rate_with_a_decimal_comma(tmp_path: Path) -> None:
    folder = _write(_tiny(tmp_path / "d"), "attrition.csv",
                    "specialty_code;rate;source\nANES;0,025;estimate\n")
    assert load_dataset(folder).attrition.loc["ANES", "rate"] == 0.025


def _issues(folder: Path) -> set[tuple[str, int | None, str | None, str | None]]:
    with pytest.raises(InputError) as caught:
        load_dataset(folder)
    return {(i.file, i.line, i.column, i.value) for i in caught.value.issues}


BAD_COHORTS = [
    ("2024,ANES,-1", 2, "posts", "-1", "greater than or equal to 0"),
    ("2024,ANES,2.5", 2, "posts", "2.5", "expected a whole number"),
    ("2024,ANES,", 2, "posts", "", "valid integer"),  # as posts.csv says it
    ("2024,ANES,10000000000", 2, "posts", "10000000000", "above 10^9"),
    ("1899,ANES,1", 2, "year", "1899", "a year from 1900 to 2200"),
    ("2201,ANES,1", 2, "year", "2201", "a year from 1900 to 2200"),
    ("2024.0,ANES,1", 2, "year", "2024.0", "expected a whole number"),
    ("2024,URO,1", 2, "specialty_code", "URO", "unknown code: not in specialties.csv"),
    ("2024,=ANES,1", 2, "specialty_code", "=ANES", "is not a valid code"),
    ("2024,ANES,1\n2025,ANES,1\n2024,ANES,2", 4, "specialty_code", "2024,ANES",
     "duplicate key (year, specialty_code); first defined on line 2"),
]


@pytest.mark.parametrize(("rows", "line", "column", "value", "needle"), BAD_COHORTS)
def test_bad_cohorts_file(tmp_path: Path, rows: str, line: int, column: str, value: str,
                          needle: str) -> None:
    folder = _write(_tiny(tmp_path / "d"), "cohorts.csv",
                    "year,specialty_code,posts,source\n"
                    + "".join(f"{row},test\n" for row in rows.splitlines()))
    assert _issues(folder) == {("cohorts.csv", line, column, value)}
    _refused(tmp_path, folder, f"cohorts.csv:{line}: column '{column}' = '{value}'", needle)


BAD_ATTRITION = [
    ("ANES,1", 2, "rate", "1", "a yearly rate from 0 up to, but not including, 1"),
    ("ANES,1.0", 2, "rate", "1.0", "not including, 1"),
    ("ANES,0.99999999999999999", 2, "rate", "0.99999999999999999", "not including, 1"),
    ("ANES,-0.01", 2, "rate", "-0.01", "a yearly rate from 0"),
    ("ANES,5%", 2, "rate", "5%", "valid number"),
    ("ANES,nan", 2, "rate", "nan", "finite number"),
    ("ANES,", 2, "rate", "", "valid number"),
    ("URO,0.1", 2, "specialty_code", "URO", "unknown code: not in specialties.csv"),
    ("ANES,0.1\nCHIR,0.1\nANES,0.2", 4, "specialty_code", "ANES",
     "duplicate key (specialty_code); first defined on line 2"),
]


@pytest.mark.parametrize(("rows", "line", "column", "value", "needle"), BAD_ATTRITION)
def test_bad_attrition_file(tmp_path: Path, rows: str, line: int, column: str, value: str,
                            needle: str) -> None:
    folder = _write(_tiny(tmp_path / "d"), "attrition.csv",
                    "specialty_code,rate,source\n"
                    + "".join(f"{row},test\n" for row in rows.splitlines()))
    assert _issues(folder) == {("attrition.csv", line, column, value)}
    _refused(tmp_path, folder, f"attrition.csv:{line}: column '{column}' = '{value}'", needle)


@pytest.mark.parametrize(("name", "header", "missing"), [
    ("cohorts.csv", "year,specialty_code,source", "posts"),
    ("cohorts.csv", "specialty_code,posts,source", "year"),
    ("attrition.csv", "specialty_code,source", "rate"),
])
def test_a_missing_column_is_refused(tmp_path: Path, name: str, header: str,
                                     missing: str) -> None:
    folder = _write(_tiny(tmp_path / "d"), name, f"{header}\n")
    assert _issues(folder) == {(name, 1, missing, None)}
    _refused(tmp_path, folder, f"{name}:1: column '{missing}': required column is missing")


def test_unknown_codes_are_not_reported_when_specialties_cannot_be_read(tmp_path: Path) -> None:
    """One mistake, one message: a broken specialties.csv does not make every code unknown."""
    folder = _write(_write(_tiny(tmp_path / "d"), "cohorts.csv", COHORTS),
                    "attrition.csv", ATTRITION)
    (folder / "specialties.csv").write_bytes("specialty_code,name_fr\n".encode("utf-16"))
    assert {issue[0] for issue in _issues(folder)} == {"specialties.csv"}


def _refused(tmp_path: Path, folder: Path, *needles: str) -> None:
    """The CLI: exit 2, every needle in the output, no plan folder written."""
    out = tmp_path / "out"
    code, output, _ = solve(folder, None, out)
    assert code == 2, output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in output, (needle, output)
    assert not out.exists()


def test_without_horizon_the_files_change_nothing(tmp_path: Path) -> None:
    """NEED.md: without `parameters.horizon`, cohorts.csv and attrition.csv are ignored."""
    plain = _tiny(tmp_path / "plain")
    both = _write(_write(_tiny(tmp_path / "both"), "cohorts.csv", COHORTS),
                  "attrition.csv", ATTRITION.replace("0.05", "0.9"))
    code, output, first = solve(plain, None, tmp_path / "o1")
    assert code == 0, output
    code, output, second = solve(both, None, tmp_path / "o2")
    assert code == 0, output
    assert posts_of(first) == posts_of(second)
    assert math.isclose(first["objective"], second["objective"], rel_tol=1e-12)


# ----------------------------------------------------------------------- the Morocco files

@pytest.fixture(scope="module")
def ds():  # noqa: ANN201 - a Dataset
    return load_dataset(MOROCCO)


def test_every_year_and_specialty_is_present(ds) -> None:  # noqa: ANN001
    codes = sorted(ds.specialties.index)
    expected = [(year, code) for year in YEARS for code in codes]
    assert list(ds.cohorts.index) == expected


def test_2024_is_posts_csv_per_specialty(ds) -> None:  # noqa: ANN001
    posts = ds.posts["posts"].groupby(level="specialty_code").sum()
    first = ds.cohorts.xs(2024, level="year")["posts"]
    for code in ds.specialties.index:
        assert first[code] == posts.get(code, 0), code
    assert first.sum() == 695


def test_yearly_totals_are_the_curated_totals(ds) -> None:  # noqa: ANN001
    curated = {int(r["year"]): int(r["posts"]) for r in _rows(CURATED / "cohort_totals.csv")}
    assert sorted(curated) == YEARS
    assert curated[2024] == 695 and curated[2025] == 566
    totals = ds.cohorts["posts"].groupby(level="year").sum().to_dict()
    assert totals == curated


def test_later_years_follow_the_2024_split(ds) -> None:  # noqa: ANN001
    """Largest remainder: each specialty is within one post of its exact proportional share,
    and a specialty without 2024 posts (MTC) gets none."""
    first = ds.cohorts.xs(2024, level="year")["posts"]
    for year in YEARS[1:]:
        posts = ds.cohorts.xs(year, level="year")["posts"]
        total = posts.sum()
        for code, n in posts.items():
            exact = total * first[code] / first.sum()
            assert math.floor(exact) <= n <= math.ceil(exact), (year, code)
    assert (ds.cohorts.xs("MTC", level="specialty_code")["posts"] == 0).all()


def test_every_row_has_its_source() -> None:
    curated = {int(r["year"]): r["source"] for r in _rows(CURATED / "cohort_totals.csv")}
    rows = _rows(MOROCCO / "cohorts.csv")
    assert len(rows) == len(YEARS) * 16
    for row in rows:
        assert row["source"].startswith("estimate: "), row
        if row["posts"] != "0":
            assert curated[int(row["year"])] in row["source"], row
    for year, source in curated.items():  # published, or an estimate with its method
        assert source.startswith("estimate: ") == (year >= 2026), year
        assert "http" in source, year
    for row in _rows(MOROCCO / "attrition.csv") + _rows(CURATED / "attrition_figures.csv"):
        assert row["source"].strip(), row


def test_rates_are_the_published_figures_combined(ds) -> None:  # noqa: ANN001
    """One rate for every specialty: ministry retirements of specialists per year over the
    2024 public specialists, plus the midpoint of doctors emigrating over all doctors."""
    figures = {r["indicator"]: int(r["value"]) for r in _rows(CURATED / "attrition_figures.csv")}
    retirement = figures["specialist_retirements"] / 10 / 11_259
    emigration = (figures["doctors_emigrating_low"] + figures["doctors_emigrating_high"]) / 2 \
        / figures["doctors_total"]
    rates = ds.attrition["rate"]
    assert sorted(rates.index) == sorted(ds.specialties.index)
    assert ((rates >= 0) & (rates < 1)).all()
    assert (rates == round(retirement + emigration, 4)).all()
    assert 0.01 < rates.iloc[0] < 0.05  # the order of magnitude of published studies


def test_sources_md_describes_both_files(ds) -> None:  # noqa: ANN001
    text = (MOROCCO / "SOURCES.md").read_text(encoding="utf-8")
    for needle in ("### `cohorts.csv`", "### `attrition.csv`", "### Several years",
                   "| total | 695 | 566 | 650 | 650 | 650 | 650 | 650 |",
                   f"{ds.attrition['rate'].iloc[0]:.4f} a year"):
        assert needle in text, needle


def test_builder_checks_the_curated_totals(tmp_path: Path) -> None:
    """A curated 2024 total that is not the announcement's, or a missing year, stops the
    build instead of writing inconsistent files."""
    posts = {(2023, "A"): 1, (2024, "A"): 2}
    good = [{"year": str(y), "posts": "3", "source": "s"} for y in YEARS]
    assert [t.posts for t in horizon.year_totals(good)] == [3] * 7
    with pytest.raises(ValueError, match="expected 2024 to 2030"):
        horizon.year_totals(good[:-1])
    assert horizon.split_cohorts(horizon.year_totals(good), {"A": 3, "B": 0})[(2030, "B")] == 0
    folder = tmp_path / "sources"
    folder.mkdir()
    for name in (horizon.TOTALS, horizon.FIGURES):
        (folder / name).write_bytes((CURATED / name).read_bytes())
    with pytest.raises(ValueError, match="2024 has 695 posts, posts.csv 3"):
        horizon.assemble(folder, posts, 695, ["A"], 11_259)
