"""Report section "Specialty dependencies" (issue 15): the embedded dataset's rules and where
they bound, the same in report.html (fr, en, ar), plan.xlsx and summary.md; no section for a
plan without `dependencies` in plan.json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_report_i18n import ENGLISH
from test_report_support import ReportParser, edit_plan, french_number, parse_report

from optimiser.cli import main
from optimiser.report import i18n, write_reports

ROOT = Path(__file__).resolve().parents[1]
MOROCCO = ROOT / "data" / "morocco-2024"
EXAMPLE = ROOT / "data" / "example"
TITLE = {"fr": "Dépendances entre spécialités", "en": "Specialty dependencies",
         "ar": "الترابط بين التخصصات"}
RULE_SHEET = {"fr": "Dépendances (règles)", "en": "Dependencies (rules)",
              "ar": "الترابط (القواعد)"}
BINDING_SHEET = {"fr": "Dépendances (où elles pèsent)", "en": "Dependencies (where binding)",
                 "ar": "الترابط (حيث يقيّد الخطة)"}


def _solve(data: Path, out: Path) -> Path:
    result = CliRunner().invoke(main, ["solve", "--data", str(data), "--out", str(out),
                                       "--no-record", "--no-timestamp", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded Morocco plan (it has dependencies.csv), solved once for the module."""
    return _solve(MOROCCO, tmp_path_factory.mktemp("morocco") / "plan")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/example has no dependencies.csv."""
    return _solve(EXAMPLE, tmp_path_factory.mktemp("example") / "plan")


@pytest.fixture(scope="module")
def reported(solved: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Morocco plan's report in each language, written once (tests only read them)."""
    out = {}
    for lang in ("fr", "en", "ar"):
        out[lang] = _report(solved, tmp_path_factory.mktemp("reported"), lang)
    return out


def _report(solved: Path, tmp_path: Path, lang: str) -> Path:
    folder = tmp_path / lang
    shutil.copytree(solved, folder)
    write_reports(folder, lang=lang, timestamp=False)
    return folder


def _meta(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def _rules_csv() -> pd.DataFrame:
    return pd.read_csv(MOROCCO / "dependencies.csv", dtype=str, keep_default_na=False)


def _names(meta: dict, lang: str) -> dict[str, str]:
    """Specialty code -> its name in `lang` (as the report's other tables show it)."""
    key = {"fr": "name_fr", "en": "name_en", "ar": "name_ar"}[lang]
    return {s["specialty"]: s.get(key) or s["name_fr"] for s in meta["specialties"]}


def _delegation_names(meta: dict, lang: str) -> dict[str, str]:
    """The name cell of a delegation: the name in `lang` then the other one (folded)."""
    return {d["delegation"]: i18n.name(d["name_fr"], d.get("name_ar"), lang)
            + i18n.other_name(d["name_fr"], d.get("name_ar"), lang)
            for d in meta["delegation_info"]}


def _independent_binding(folder: Path, rules: pd.DataFrame) -> set[tuple]:
    """Where each rule binds, from delegations.csv alone: the dependent specialty received
    doctors (posts or foreign) and the required one ends exactly at min_required."""
    rows = pd.read_csv(folder / "delegations.csv", dtype={"delegation": str, "specialty": str})
    rows = rows.set_index(["delegation", "specialty"])
    received = rows["posts"] + rows["foreign"]
    found = set()
    for s, r, k in zip(rules["specialty_code"], rules["requires"],
                       rules["min_required"].astype(int), strict=True):
        for d in rows.index.get_level_values("delegation").unique():
            if received.get((d, s), 0) > 0 and rows["staff_after"].get((d, r)) == k:
                found.add((d, s, int(received[(d, s)]), r, k, k))
    return found


def _section(page: str) -> str:
    start = page.index('<section id="dependencies">')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_html_section_shows_the_rules_and_where_they_bound(reported: dict[str, Path],
                                                           lang: str) -> None:
    folder = reported[lang]
    meta = _meta(folder)
    page = (folder / "report.html").read_text(encoding="utf-8")
    section = _section(page)
    assert f"<h2>{TITLE[lang]}</h2>" in section
    assert i18n.text("dependencies_intro", lang).replace("'", "&#39;") in section
    assert f'<a href="#dependencies">{i18n.text("nav_dependencies", lang)}</a>' in page
    report = parse_report(folder)
    names = _names(meta, lang)

    header, *rows = report.tables["dependencies"]
    assert header == [i18n.column(c, lang) for c in
                      ("specialty", "requires", "min_required", "source")]
    expected = [[s + names[s], r + names[r], k, src] for s, r, k, src in _rules_csv().loc[
        :, ["specialty_code", "requires", "min_required", "source"]].itertuples(index=False)]
    assert [[a, b, str(int(french_number(c))), d] for a, b, c, d in rows] == expected

    binding = meta["dependencies"]["binding"]
    assert binding, "the embedded plan is expected to have a binding rule (TARFAYA)"
    header, *rows = report.tables["dependency_binding"]
    assert header[0] == i18n.column("delegation", lang)
    assert header[2:] == [i18n.column(c, lang) for c in (
        "specialty", "received", "requires", "required_staff_after", "min_required")]
    shown = _delegation_names(meta, lang)
    assert rows == [[b["delegation"], shown[b["delegation"]], b["specialty"]
                     + names[b["specialty"]], str(b["received"]),
                     b["requires"] + names[b["requires"]], str(b["staff_after"]),
                     str(b["min_required"])] for b in binding]
    found = {(b["delegation"], b["specialty"], b["received"], b["requires"],
              b["staff_after"], b["min_required"]) for b in binding}
    assert found == _independent_binding(folder, _rules_csv())


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_no_english_in_the_section(reported: dict[str, Path], lang: str) -> None:
    folder = reported[lang]
    meta = _meta(folder)
    parser = ReportParser()
    parser.feed(_section((folder / "report.html").read_text(encoding="utf-8")))
    text = "\n".join(parser.texts)
    data = [r["source"] for r in meta["dependencies"]["rules"] if r["source"]]
    data += [s["specialty"] for s in meta["specialties"]]
    data += [d[k] for d in meta["delegation_info"] for k in ("delegation", "name_fr")]
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    words = re.findall(r"[A-Za-z][A-Za-z_']+", text)
    assert sorted({w for w in words if w.lower() in ENGLISH}) == []
    if lang == "ar":  # only data (codes, sources, French names under Arabic ones) is Latin
        assert words == []


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_workbook_and_summary(reported: dict[str, Path], lang: str) -> None:
    folder = reported[lang]
    meta = _meta(folder)
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    assert book.sheetnames[-2:] == [RULE_SHEET[lang], BINDING_SHEET[lang]]
    rules = list(book[RULE_SHEET[lang]].iter_rows(values_only=True))
    assert [list(r) for r in rules[1:]] == [
        [s, r, int(k), src] for s, r, k, src in _rules_csv().loc[
            :, ["specialty_code", "requires", "min_required", "source"]].itertuples(index=False)]
    info = {d["delegation"]: d for d in meta["delegation_info"]}
    binding = list(book[BINDING_SHEET[lang]].iter_rows(values_only=True))
    assert [list(r) for r in binding[1:]] == [
        [b["delegation"], info[b["delegation"]]["name_fr"], info[b["delegation"]]["name_ar"],
         b["specialty"], b["received"], b["requires"], b["staff_after"], b["min_required"]]
        for b in meta["dependencies"]["binding"]]

    summary = (folder / "summary.md").read_text(encoding="utf-8")
    bound = {b["delegation"] for b in meta["dependencies"]["binding"]}
    bullet = i18n.text("md_dependencies", lang, rules=len(_rules_csv()), n=len(bound))
    assert f"\n- {bullet}\n" in summary


def test_no_rule_bound_says_so(solved: Path, tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(solved, folder)
    edit_plan(folder, lambda d: d["dependencies"].update(binding=[]))
    write_reports(folder, lang="en", timestamp=False)
    section = _section((folder / "report.html").read_text(encoding="utf-8"))
    assert i18n.text("dependencies_none", "en") in section
    assert 'data-table="dependency_binding"' not in section
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    assert book[BINDING_SHEET["en"]].max_row == 1  # the header only
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    assert "delegations where a rule bound in the plan: 0" in summary


def _has_no_section(folder: Path, lang: str) -> None:
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="dependencies"' not in page and 'href="#dependencies"' not in page
    assert TITLE[lang] not in page
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    assert not {RULE_SHEET[lang], BINDING_SHEET[lang]} & set(book.sheetnames)
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    assert i18n.text("md_dependencies", lang, rules=0, n=0).split("—")[0] not in summary


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_no_section_without_dependencies_csv(example: Path, tmp_path: Path, lang: str) -> None:
    assert not (EXAMPLE / "dependencies.csv").exists()
    folder = _report(example, tmp_path, lang)
    assert "dependencies" not in _meta(folder)
    _has_no_section(folder, lang)


def test_key_removed_or_malformed_gives_the_plain_report(solved: Path, tmp_path: Path) -> None:
    """Without the key there is no section; a key of the wrong shape is treated as absent
    (the same bytes as without it)."""
    plain, broken = tmp_path / "plain", tmp_path / "broken"
    for folder in (plain, broken):
        shutil.copytree(solved, folder)
    edit_plan(plain, lambda d: d.pop("dependencies"))
    edit_plan(broken, lambda d: d.update(dependencies={"rules": "CHIR->ANES"}))
    for folder in (plain, broken):
        write_reports(folder, lang="fr", timestamp=False)
        _has_no_section(folder, "fr")
    for name in ("report.html", "summary.md", "plan.xlsx"):
        assert (plain / name).read_bytes() == (broken / name).read_bytes(), name
