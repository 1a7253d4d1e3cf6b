"""The report of a plan of several years (issue 16): every existing section shows the first
year, the section "Several years" shows plan.json `years` and the weighted unmet need after
each year by region (table and SVG chart, recomputed here from delegations.csv), the workbook
has the sheets "years" and "regions by year", summary.md one bullet; a one-year plan's report
is untouched."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from test_report_i18n import ARABIC_PAGE_LATIN, ENGLISH, data_strings
from test_report_support import ReportParser, edit_plan, french_number, parse_report

from optimiser.cli import main
from optimiser.report import i18n, write_reports
from optimiser.report.horizon import first_year, horizon_tables
from optimiser.report.load import PlanError, load_plan
from optimiser.report.tables import build_report_data

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT.parent / "shared" / "testcases-next" / "case-301-horizon"
EXAMPLE = ROOT / "data" / "example"
TITLE = {"fr": "Plusieurs années", "en": "Several years", "ar": "عدة سنوات"}
SHEETS = {"fr": ("Années", "Régions par année"), "en": ("Years", "Regions by year"),
          "ar": ("السنوات", "الجهات حسب السنة")}
YEAR_FIELDS = ("year", "weight", "objective", "posts_available", "posts_allocated",
               "foreign_deployed", "staff_before", "staff_after", "unmet_need_before",
               "unmet_need_after", "budget_used", "delegations_reached")
SHOWN_FIELDS = ("year", "posts_allocated", "foreign_deployed", "staff_after",
                "unmet_need_before", "unmet_need_after", "delegations_reached")


def _solve(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["solve", *args, "--out", str(out), "--no-report",
                                       "--no-record", "--no-timestamp", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def case301(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public three-year case (tiny), solved through the CLI."""
    if not CASE.is_dir():
        pytest.skip("the shared public cases are not beside the repo")
    return _solve(tmp_path_factory.mktemp("case301") / "plan", "--data", str(CASE),
                  "--scenario", str(CASE / "scenario.yaml"))


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded Morocco dataset over 2024-2026 (12 regions, foreign contingents,
    dependencies, p_accept), within 1% of the optimum (a few seconds)."""
    folder = tmp_path_factory.mktemp("national")
    scenario = folder / "horizon.yaml"
    scenario.write_text(yaml.safe_dump({"name": "horizon-2026", "parameters": {
        "horizon": {"start": 2024, "end": 2026}, "mip_gap": 0.01}}), encoding="utf-8")
    return _solve(folder / "plan", "--scenario", str(scenario))


@pytest.fixture(scope="module")
def plans(case301: Path, national: Path) -> dict[str, Path]:
    return {"case301": case301, "national": national}


@pytest.fixture(scope="module")
def reported(plans: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
             ) -> dict[tuple[str, str], Path]:
    """Each plan's report in each language, written once (tests only read them)."""
    out = {}
    for name, folder in plans.items():
        for lang in ("fr", "en", "ar"):
            out[name, lang] = _report(folder, tmp_path_factory.mktemp(name), lang)
    return out


def _report(folder: Path, tmp_path: Path, lang: str) -> Path:
    target = tmp_path / lang
    shutil.copytree(folder, target)
    write_reports(target, lang=lang, timestamp=False)
    return target


def _meta(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype={"delegation": str, "region": str,
                                             "specialty": str, "contingent": str},
                       keep_default_na=False, na_values=[""])


def _recomputed_need(folder: Path) -> pd.DataFrame:
    """Weighted unmet need after each year by region, from delegations.csv alone."""
    rows = _csv(folder, "delegations.csv")
    a = _meta(folder)["parameters"]["absence_penalty"]
    rows["need"] = rows["priority_weight"] * rows["specialty_weight"] * (
        rows["shortfall"] + a * rows["absence_shortfall"])
    return rows.pivot_table(index="region", columns="year", values="need", aggfunc="sum")


# -- the existing sections show the first year ------------------------------------------

@pytest.mark.parametrize("name", ["case301", "national"])
def test_first_year_tables_are_the_first_year_rows(plans: dict[str, Path], name: str) -> None:
    folder = plans[name]
    meta = _meta(folder)
    start = meta["horizon"]["start"]
    first = meta["years"][0]
    assert first["year"] == start
    data = build_report_data(load_plan(folder))
    rows = _csv(folder, "delegations.csv")
    rows = rows[rows["year"] == start]
    alloc = _csv(folder, "allocations.csv")
    alloc = alloc[alloc["year"] == start]
    foreign = _csv(folder, "foreign.csv")
    foreign = foreign[foreign["year"] == start] if len(foreign) else foreign
    assert len(rows) and len(rows) < len(_csv(folder, "delegations.csv"))

    detail = data.tables["detail"].frame
    assert len(detail) == len(rows)
    key = ["delegation", "specialty"]
    mine = detail.set_index(key).sort_index()
    theirs = rows.set_index(key).sort_index()
    for column in ("posts", "foreign", "creation", "compensation", "reinforcement"):
        assert mine[column].tolist() == theirs[column].astype(int).tolist(), column
    for column in ("shortfall_before", "shortfall", "absence_shortfall"):
        assert mine[column].tolist() == pytest.approx(theirs[column].tolist()), column

    shown = data.tables["allocations"].frame
    assert sorted(zip(shown["delegation"], shown["specialty"], shown["promotion"],
                      shown["posts"], strict=True)) == sorted(
        zip(alloc["delegation"], alloc["specialty"], alloc["promotion"], alloc["posts"],
            strict=True))
    deployed = data.tables["deployments"].frame
    assert int(deployed["doctors"].sum()) == int(foreign["doctors"].sum()) == \
        first["foreign_deployed"]

    promotions = data.tables["promotions"].frame
    assert promotions["promotion"].tolist() == [start, "Total"]
    assert promotions["posts"].iloc[-1] == first["posts_allocated"] == int(alloc["posts"].sum())
    categories = data.tables["categories"].frame.set_index("category")["posts"]
    for category in ("creation", "compensation", "reinforcement"):
        assert categories[category] == int(rows[category].sum())
    regions = data.tables["regions"].frame.iloc[:-1].set_index("region")
    assert regions["posts"].to_dict() == rows.groupby("region")["posts"].sum().astype(
        int).to_dict()

    s = data.summary
    assert s["posts_allocated"] == first["posts_allocated"]
    assert s["posts_available"] == first["posts_available"]
    assert s["foreign_deployed"] == first["foreign_deployed"]
    assert s["foreign_available"] == sum(sum(c["supply"].values()) for c in meta["contingents"])
    assert s["unmet_before"] == pytest.approx(first["unmet_need_before"])
    assert s["unmet_after"] == pytest.approx(first["unmet_need_after"])
    assert s["budget_used"] == pytest.approx(first["budget_used"])
    assert s["objective"] == pytest.approx(meta["objective"])  # the solve's: whole horizon


def test_page_cards_and_tables_show_the_first_year(reported: dict, plans: dict) -> None:
    folder = reported["national", "en"]
    meta = _meta(folder)
    first = meta["years"][0]
    report = parse_report(folder)
    assert report.keys["posts_allocated"] == f"{first['posts_allocated']:,}"
    assert report.keys["foreign_deployed"] == f"{first['foreign_deployed']:,}"
    assert report.keys["unmet_after"] == f"{first['unmet_need_after']:,.1f}"
    header, *rows = report.tables["promotions"]
    assert rows[0][:2] == [str(first["year"]), f"{first['posts_allocated']:,}"]
    assert len(rows) == 2  # the first year's promotion, and the total


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_top_note_and_navigation(reported: dict, lang: str) -> None:
    folder = reported["national", lang]
    page = (folder / "report.html").read_text(encoding="utf-8")
    header = page[page.index("<header>"):page.index("</header>")]
    note = i18n.text("horizon_note", lang, span=i18n.isolate("2024-2026", lang), start=2024)
    assert note.replace("'", "&#39;") in header
    if lang == "en":
        assert note == ("This plan covers 2024-2026; the sections below show 2024, the round "
                        "decided now; the section Several years shows every year.")
    assert f'<a href="#horizon">{TITLE[lang]}</a>' in page
    assert f"<h2>{TITLE[lang]}</h2>" in _section(page)


# -- the section "Several years" ----------------------------------------------------------

def _section(page: str) -> str:
    start = page.index('<section id="horizon">')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("name", ["case301", "national"])
@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_years_table_is_plan_json_years(reported: dict, name: str, lang: str) -> None:
    folder = reported[name, lang]
    years = _meta(folder)["years"]
    header, *rows = parse_report(folder).tables["years"]
    assert header == [i18n.column(c, lang) for c in (
        "year", "posts", "foreign", "staff_after", "unmet_before", "unmet_after",
        "delegations_reached")]
    decimals = {"staff_after": 1, "unmet_need_before": 1, "unmet_need_after": 1}
    assert rows == [[str(y["year"]) if f == "year" else i18n.number(y[f], lang,
                                                                     decimals.get(f, 0))
                     for f in SHOWN_FIELDS] for y in years]
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    sheet = [list(r) for r in book[SHEETS[lang][0]].iter_rows(values_only=True)]
    assert len(sheet) == len(years) + 1
    for row, year in zip(sheet[1:], years, strict=True):
        assert row == pytest.approx([year[f] for f in YEAR_FIELDS], abs=1e-9)


def _chart(page: str) -> dict[str, dict[int, tuple[float, float]]]:
    """region code -> year -> (drawn y, data-value) of the section's line chart."""
    svg = _section(page)
    svg = svg[svg.index("<svg"):svg.index("</svg>")]
    lines = {}
    for code, body in re.findall(r'<g class="line" data-region="([^"]*)">(.*?)</g>', svg,
                                 flags=re.S):
        points = re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)" r="3" fill="#[0-9a-f]+" '
                            r'data-year="(\d+)" data-value="([\d.]+)">', body)
        polyline = re.search(r'<polyline points="([^"]+)"', body).group(1).split()
        assert [p.split(",")[1] for p in polyline] == [cy for cy, _y, _v in points]
        lines[code] = {int(year): (float(cy), float(value)) for cy, year, value in points}
    return lines


@pytest.mark.parametrize("name", ["case301", "national"])
def test_chart_has_one_line_per_region_at_the_recomputed_need(reported: dict,
                                                              name: str) -> None:
    folder = reported[name, "fr"]
    meta = _meta(folder)
    need = _recomputed_need(folder)
    lines = _chart((folder / "report.html").read_text(encoding="utf-8"))
    assert sorted(lines) == sorted(need.index) == sorted(r["region"] for r in meta["regions"])
    assert [code for code in lines] == [r["region"] for r in meta["regions"]]  # data order
    years = [y["year"] for y in meta["years"]]
    drawn = []
    for code, points in lines.items():
        assert list(points) == years
        for year, (y, value) in points.items():
            assert value == pytest.approx(need.loc[code, year], abs=1e-6)
            drawn.append((value, y))
    drawn.sort()
    assert all(b[1] <= a[1] for a, b in zip(drawn, drawn[1:], strict=False))  # more is higher
    for year, row in zip(years, meta["years"], strict=True):  # regions add up to the nation
        assert need[year].sum() == pytest.approx(row["unmet_need_after"], abs=1e-6)


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_region_by_year_table_and_sheet(reported: dict, lang: str) -> None:
    folder = reported["national", lang]
    meta = _meta(folder)
    need = _recomputed_need(folder)
    years = [y["year"] for y in meta["years"]]
    header, *rows = parse_report(folder).tables["regions_by_year"]
    assert header == [i18n.column("region", lang), i18n.column("name_fr", lang),
                      *map(str, years)]
    assert [r[0] for r in rows[:-1]] == [r["region"] for r in meta["regions"]]
    for row in rows[:-1]:
        assert [french_number(c) if lang != "en" else float(c.replace(",", ""))
                for c in row[2:]] == pytest.approx(need.loc[row[0]].round(1).tolist(),
                                                   abs=0.051)
    assert rows[-1][1] == i18n.text("total", lang)
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    sheet = [list(r) for r in book[SHEETS[lang][1]].iter_rows(values_only=True)]
    names = {r["region"]: r for r in meta["regions"]}
    for row in sheet[1:-1]:
        assert row[1:3] == [names[row[0]]["name_fr"], names[row[0]]["name_ar"]]
        assert row[3:] == pytest.approx(need.loc[row[0], years].tolist(), abs=1e-6)
    assert sheet[-1][3:] == pytest.approx([y["unmet_need_after"] for y in meta["years"]],
                                          abs=1e-6)


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_workbook_and_summary(reported: dict, lang: str) -> None:
    folder = reported["case301", lang]
    meta = _meta(folder)
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    assert book.sheetnames[1:3] == list(SHEETS[lang])
    assert all(len(n) <= 31 for n in book.sheetnames)
    summary = {r[0]: r[1] for r in book[book.sheetnames[0]].iter_rows(values_only=True)}
    assert summary[i18n.text("horizon_item", lang)] == "2024-2026"
    assert summary[i18n.text("horizon_shown_item", lang)] == 2024
    assert summary[i18n.text("posts_allocated", lang)] == meta["years"][0]["posts_allocated"]
    params = {r[1]: r[2] for r in book[i18n.SHEET_NAMES["parameters"][lang]].iter_rows(
        values_only=True)}
    assert params["horizon"] == "2024-2026"
    assert params["horizon.mode"] == i18n.text("horizon_mode_joint", lang)
    assert params["horizon.discount"] == 1

    text = (folder / "summary.md").read_text(encoding="utf-8")
    bullet = i18n.text("md_horizon", lang, span=i18n.isolate("2024-2026", lang), start=2024,
                       end=2026, before=i18n.number(meta["unmet_need"]["before"], lang, 1),
                       after=i18n.number(meta["unmet_need"]["after"], lang, 1))
    bullets = [line[2:] for line in text.splitlines() if line.startswith("- ")]
    assert bullets[0] == bullet
    assert meta["unmet_need"]["before"] == meta["years"][0]["unmet_need_before"]
    assert meta["unmet_need"]["after"] == meta["years"][-1]["unmet_need_after"]
    if lang == "en":
        assert bullet.startswith("Several years (2024-2026): weighted unmet need 214.9 before "
                                 "2024 → 183.7 after 2026")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_no_english_in_the_section(reported: dict, lang: str) -> None:
    folder = reported["national", lang]
    parser = ReportParser()
    parser.feed(_section((folder / "report.html").read_text(encoding="utf-8")))
    text = "\n".join(parser.texts + parser.labels)
    for value in sorted(data_strings(_meta(folder)), key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z_']+", text)
    assert sorted({w for w in words if w.lower() in ENGLISH}) == []
    if lang == "ar":
        assert sorted(set(words) - ARABIC_PAGE_LATIN) == []


def test_scenario_constraints_parameters_and_discount(case301: Path, tmp_path: Path) -> None:
    """Constraint rows of later years stay out of the first year's table; a rolling,
    discounted horizon says so."""
    folder = tmp_path / "plan"
    shutil.copytree(case301, folder)

    def change(data: dict) -> None:
        data["scenario_constraints"] = [
            {"year": 2024, "name": "floor-2024", "description": "d", "counts": "posts",
             "min": 1, "max": None, "value": 3},
            {"year": 2025, "name": "floor-2025", "description": "d", "counts": "posts",
             "min": 1, "max": None, "value": 5}]
        data["horizon"].update(mode="rolling", discount=0.9)
        data["parameters"]["horizon"] = data["horizon"]
    edit_plan(folder, change)
    write_reports(folder, lang="en", timestamp=False)
    report = parse_report(folder)
    assert [r[0] for r in report.tables["constraints"][1:]] == ["floor-2024"]
    params = {r[1]: r[2] for r in report.tables["parameters"][1:]}
    assert params["horizon"] == "2024-2026"
    assert params["horizon.discount"] == "0.9"
    assert params["horizon.mode"] == "one after the other"
    section = _section((folder / "report.html").read_text(encoding="utf-8"))
    assert i18n.text("horizon_intro_rolling", "en") in section
    assert "Year k after 2024 has the weight 0.9 to the power k (discount)." in section


def test_a_broken_horizon_is_refused(case301: Path, tmp_path: Path) -> None:
    for name, change in (("no-years", lambda d: d.pop("years")),
                         ("gap", lambda d: d["years"].pop(1)),
                         ("no-year", lambda d: [r.pop("year") for r in d["delegations"]])):
        folder = tmp_path / name
        shutil.copytree(case301, folder, ignore=shutil.ignore_patterns("*.csv"))
        edit_plan(folder, change)
        with pytest.raises(PlanError):
            load_plan(folder)


# -- a one-year plan is untouched ---------------------------------------------------------

@pytest.fixture(scope="module")
def one_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _solve(tmp_path_factory.mktemp("example") / "plan", "--data", str(EXAMPLE))


def test_one_year_plan_has_no_year_and_no_section(one_year: Path) -> None:
    plan = load_plan(one_year)
    assert all("year" not in getattr(plan, k).columns
               for k in ("allocations", "foreign", "delegations"))
    assert first_year(plan) is plan
    assert horizon_tables(plan, plan.meta, pd.DataFrame(), 4.0) == ({}, None)
    assert build_report_data(plan).horizon is None


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_one_year_report_is_unchanged(one_year: Path, tmp_path: Path, lang: str) -> None:
    """No trace of the section, and a stray `years` key without `horizon` changes no byte
    (the section keys off `horizon` alone)."""
    plain, stray = tmp_path / "plain", tmp_path / "stray"
    for folder in (plain, stray):
        shutil.copytree(one_year, folder)
    edit_plan(stray, lambda d: d.update(years=[{"year": 2024}]))
    for folder in (plain, stray):
        write_reports(folder, lang=lang, timestamp=False)
    for name in ("report.html", "summary.md", "plan.xlsx"):
        assert (plain / name).read_bytes() == (stray / name).read_bytes(), name
    page = (plain / "report.html").read_text(encoding="utf-8")
    assert 'id="horizon"' not in page and 'href="#horizon"' not in page
    assert TITLE[lang] not in page
    assert i18n.text("horizon_note", lang).split("{")[0] not in page
    assert not set(SHEETS[lang]) & set(openpyxl.load_workbook(plain / "plan.xlsx").sheetnames)
    summary = (plain / "summary.md").read_text(encoding="utf-8")
    assert TITLE[lang] not in summary
