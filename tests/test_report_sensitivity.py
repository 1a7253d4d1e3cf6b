"""plan.json["sensitivity"] as readable tables: translated columns, one value per cell, no
Python dict or endless cell; the same columns in Excel, as numbers."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from test_report_support import SENSITIVITY, copy_fixture, edit_plan, parse_report

from optimiser.report import write_reports

HEADER_FR = ["Spécialité", "Promotion", "Postes offerts", "Valeur marginale",
             "Délégation qui le recevrait", "Baisse du besoin chez elle",
             "Baisse après re-résolution entière", "Postes déplacés par la re-résolution"]


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    folder = copy_fixture(tmp_path)
    edit_plan(folder, lambda d: d.update(sensitivity=SENSITIVITY))
    return folder


def test_readable_table(plan_dir: Path) -> None:
    write_reports(plan_dir)
    report = parse_report(plan_dir)
    header, *rows = report.tables["sensitivity"]
    assert header == HEADER_FR
    assert rows[0] == ["ANESAnesthésie-réanimation", "2023", "6", "7,50",
                       "Chefchaouenشفشاون", "2,25", "2,25", "CHEF +1"]
    assert rows[1][1] == "2024" and rows[1][4] == "Zagoraزاكورة" and rows[1][6] == "—"
    assert rows[2][4] == "aucune (capacité atteinte)" and rows[2][5] == "—"
    capacity = report.tables["sensitivity_capacity"]
    assert capacity[0] == ["Code", "Nom", "Spécialité", "Coût d'ombre"]
    assert capacity[1] == ["ZAGORA", "Zagoraزاكورة", "GYNGynécologie-obstétrique", "−0,38"]
    constraints = report.tables["sensitivity_constraints"]
    assert constraints[1][:3] == ["dt-floor", "region DT, posts >= 6", "minimum"]
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "pour 100\u202f000 MAD de plus (valeur duale ; négative : le besoin baisserait)" \
           " : −0,15." in page
    section = page[page.index('<section id="sensitivity">'):]
    section = section[:section.index("</section>")]
    assert "{" not in section and "&#39;" not in re.sub(r"(d|qu|l)&#39;", "", section)
    assert "minus the LP" not in page and "lp_status" not in page
    for table in ("sensitivity", "sensitivity_capacity", "sensitivity_constraints"):
        assert max(len(c) for row in report.tables[table] for c in row) < 80, table


def test_unavailable_and_older_shapes(plan_dir: Path) -> None:
    edit_plan(plan_dir, lambda d: d.update(sensitivity={"available": False,
                                                        "reason": "no plan (status error)"}))
    write_reports(plan_dir)
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "Sensibilité non calculée ; raison, telle que donnée : " \
           '<q class="data" dir="auto">no plan (status error)</q>' in page
    rows = [{"specialty": "PED", "promotion": "2024", "marginal_value": 0.5,
             "extra": {"nested": [1, 2]}}]
    edit_plan(plan_dir, lambda d: d.update(sensitivity=rows))
    write_reports(plan_dir, lang="en")
    table = parse_report(plan_dir).tables["sensitivity"]
    assert table == [["Specialty", "Promotion", "Marginal value"],
                     ["PEDPaediatrics", "2024", "0.50"]]


def test_excel_columns(plan_dir: Path) -> None:
    write_reports(plan_dir)
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    rows = list(book["Sensibilité"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Spécialité", "Promotion", "Postes offerts", "Valeur marginale")
    assert "Code de la délégation qui le recevrait" in header
    first = dict(zip(header, rows[1], strict=True))
    assert first["Promotion"] == 2023 and isinstance(first["Valeur marginale"], float)
    assert first["Délégation qui le recevrait"] == "Chefchaouen"
    assert first["Baisse du besoin chez elle"] == 2.25
    assert dict(zip(header, rows[3], strict=True))["Délégation qui le recevrait"] is None
    capacity = list(book["Sensibilité (capacités)"].iter_rows(values_only=True))
    assert capacity[1][-1] == -0.3771
    assert "Sensibilité (contraintes)" in book.sheetnames


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_duals_skipped_for_size_say_so(tmp_path: Path, lang: str) -> None:
    """A plan too large for the LP duals: the report says why marginal values are missing,
    not that the relaxation failed."""
    from html import unescape

    from optimiser.report import i18n
    from optimiser.report.sensitivity import SKIPPED_FOR_SIZE

    folder = copy_fixture(tmp_path)
    skipped = {**SENSITIVITY, "lp_status": f"{SKIPPED_FOR_SIZE}: 1,000,000 post columns",
               "posts": [{**r, "marginal_value": None} for r in SENSITIVITY["posts"]]}
    edit_plan(folder, lambda d: d.update(sensitivity=skipped))
    write_reports(folder, lang=lang)
    page = unescape((folder / "report.html").read_text(encoding="utf-8"))
    assert i18n.TEXT["sensitivity_lp_size"][lang] in page
    assert i18n.TEXT["sensitivity_lp"][lang] not in page
