"""One "why" line per delegation, made of the plan's own figures (nothing recomputed)."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from test_report_support import copy_fixture, edit_plan, read_meta

from optimiser.report import i18n, write_reports

LINE = re.compile(r'<li id="(why-\d+)"><p><strong><bdi>([^<]*)</bdi></strong>.*?'
                  r'<span class="lead">([^<]*)</span></p><p class="facts">([^<]*)</p></li>',
                  re.S)


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def sums(meta: dict) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in meta["delegations"]:
        for key in ("staff_before", "staff_after", "target", "posts", "foreign", "creation",
                    "compensation", "reinforcement", "shortfall_before", "shortfall"):
            out[row["delegation"]][key] += row[key]
    return out


def lines(folder: Path) -> dict[str, tuple[str, str, str]]:
    page = (folder / "report.html").read_text(encoding="utf-8")
    return {unescape(name): (anchor, unescape(lead), unescape(facts))
            for anchor, name, lead, facts in LINE.findall(page)}


def test_a_line_per_delegation_with_its_figures(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir)
    found = lines(plan_dir)
    info = {i["name_fr"]: i for i in meta["delegation_info"]}
    assert len(found) == len(info)
    num = i18n.number
    for name, (_anchor, lead, facts) in found.items():
        code = info[name]["delegation"]
        s = sums(meta)[code]
        text = facts.lower()
        assert (f"effectif : {num(s['staff_before'], 'fr')} → "
                f"{num(s['staff_after'], 'fr')} pour une cible de "
                f"{num(s['target'], 'fr', 1)}") in text
        assert f"déficit : {num(s['shortfall_before'], 'fr', 1)} → " \
               f"{num(s['shortfall'], 'fr', 1)}" in text
        weight = num(info[name]["priority_weight"], "fr", 2)
        assert f"poids de priorité : {weight} (rang " in text
        if s["posts"]:
            assert text.startswith(f"postes : {int(s['posts'])} (")
            for category in ("creation", "compensation", "reinforcement"):
                label = i18n.text(category, "fr").lower()
                if s[category]:
                    assert f"{label} {int(s[category])}" in text
                else:
                    assert label not in text
        else:
            assert lead == "Aucun poste attribué", name
        if s["foreign"]:
            assert f"médecins étrangers : {int(s['foreign'])}" in text


def test_reasons_for_the_contrast(plan_dir: Path) -> None:
    """Casablanca gets nothing, Zagora gets most: the lines say what differs."""
    write_reports(plan_dir)
    found = lines(plan_dir)
    casa = found["Casablanca"][2]
    zagora = found["Zagora"][2]
    assert "aucune spécialité sous la présence minimale" in casa
    assert "poids de priorité : 1,00 (rang 4 sur 6)" in casa
    assert "spécialités sous la présence minimale : 2 → 0 (absence comblée : 4,0 médecins)" \
        in zagora
    assert "poids de priorité : 2,00 (rang 1 sur 6)" in zagora
    assert found["Zagora"][1].startswith("Surtout du renforcement")
    assert found["Errachidia"][1].startswith("Surtout de la création")


def test_matrix_names_link_to_the_lines(plan_dir: Path) -> None:
    write_reports(plan_dir)
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    anchors = re.findall(r'<a href="#(why-\d+)">', page)
    ids = re.findall(r'<li id="(why-\d+)">', page)
    assert sorted(anchors) == sorted(ids) and len(ids) == 6


def test_capacity_is_a_reason_when_the_plan_states_it(plan_dir: Path) -> None:
    """With a `capacity` column (null: unlimited), a used-up capacity is named."""
    def add_capacity(data: dict) -> None:
        for row in data["delegations"]:
            full = row["delegation"] == "ERRACH" and row["specialty"] == "GYN"
            row["capacity"] = row["posts"] + row["foreign"] if full else None

    edit_plan(plan_dir, add_capacity)
    path = plan_dir / "delegations.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        full = row["delegation"] == "ERRACH" and row["specialty"] == "GYN"
        row["capacity"] = str(int(row["posts"]) + int(row["foreign"])) if full else ""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    write_reports(plan_dir)
    found = lines(plan_dir)
    assert "capacité d'accueil atteinte : GYN" in found["Errachidia"][2]
    assert "capacité" not in found["Zagora"][2]


def test_excel_sheet_and_other_languages(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir, lang="en")
    rows = list(openpyxl.load_workbook(plan_dir / "plan.xlsx")["Why"].iter_rows(
        values_only=True))
    header = rows[0]
    assert header[-1] == "Why" and "Priority weight" in header and "Main reason" in header
    by_code = {r[header.index("Code")]: r for r in rows[1:]}
    assert len(by_code) == len(meta["delegation_info"])
    zagora = by_code["ZAGORA"]
    assert zagora[header.index("Posts")] == 16 and zagora[header.index("Weight rank")] == 1
    assert zagora[header.index("Main reason")] == "Mostly reinforcement: staff below the target"
    assert zagora[-1].startswith("Posts: 16 (creation 4, compensation 1, reinforcement 11)")
    write_reports(plan_dir, lang="ar")
    found = lines(plan_dir)
    assert "زاكورة" in found and "وزن الأولوية: 2,00 (الرتبة 1 من 6)" in found["زاكورة"][2]
