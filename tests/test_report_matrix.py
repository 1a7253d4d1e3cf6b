"""The delegation x specialty table: figures equal to plan.json, grouped by region with
totals, readable without the script, and the same sheet in Excel (numbers, not text)."""

from __future__ import annotations

import html as htmllib
import re
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from test_report_support import copy_fixture, read_meta

from optimiser.report import write_reports

ROW = re.compile(r'<tr data-d="([^"]+)" data-r="([^"]+)" data-n="(\d+)"[^>]*>(.*?)</tr>', re.S)
REGION_TOTAL = re.compile(r'<tr class="rt">(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="num[^"]*"(?: data-s="([^"]*)")? data-v="(\d+)">(.*?)</td>', re.S)


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def expected(meta: dict) -> dict[str, dict[str, tuple[int, int]]]:
    out: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in meta["delegations"]:
        out[row["delegation"]][row["specialty"]] = (row["posts"], row["foreign"])
    return out


def cells(row_html: str) -> list[tuple[str | None, int, str]]:
    return [(spec, int(v), re.sub(r"<[^>]+>", "", text)) for spec, v, text in
            CELL.findall(row_html)]


def test_cells_equal_the_plan(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir)
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    codes = [s["specialty"] for s in meta["specialties"]]
    want = expected(meta)
    rows = ROW.findall(page)
    assert [htmllib.unescape(r[0]) for r in rows] == sorted(want, key=lambda d: (
        next(i["region"] for i in meta["delegation_info"] if i["delegation"] == d), d))
    for code, _region, received, body in rows:
        code = htmllib.unescape(code)
        found = cells(body)
        assert [spec for spec, _v, _t in found[:len(codes)]] == codes
        for (_spec, value, text), specialty in zip(found, codes, strict=False):
            posts, foreign = want[code][specialty]
            assert value == posts + foreign
            assert text == (f"{posts}+{foreign}" if foreign else str(posts))
        total_posts = sum(p for p, _f in want[code].values())
        total_foreign = sum(f for _p, f in want[code].values())
        assert [v for _s, v, _t in found[len(codes):]] == [
            total_posts, total_foreign, total_posts + total_foreign]
        assert int(received) == total_posts + total_foreign


def test_grouped_by_region_with_totals(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir)
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    bodies = re.findall(r'<tbody class="group" data-r="([^"]+)">(.*?)</tbody>', page, re.S)
    assert [r for r, _b in bodies] == [r["region"] for r in meta["regions"]]
    region_of = {i["delegation"]: i["region"] for i in meta["delegation_info"]}
    want = expected(meta)
    for region, body in bodies:
        members = [htmllib.unescape(code) for code, *_ in ROW.findall(body)]
        assert members and all(region_of[m] == region for m in members)
        total = cells(REGION_TOTAL.search(body).group(1))
        posts = sum(want[m][s][0] for m in members for s in want[m])
        foreign = sum(want[m][s][1] for m in members for s in want[m])
        assert [v for _s, v, _t in total[-3:]] == [posts, foreign, posts + foreign]
    national = cells(re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1))
    totals = meta["totals"]
    assert [v for _s, v, _t in national[-3:]] == [
        totals["posts_allocated"], totals["foreign_deployed"],
        totals["posts_allocated"] + totals["foreign_deployed"]]
    by_spec = defaultdict(int)
    for row in meta["delegations"]:
        by_spec[row["specialty"]] += row["posts"] + row["foreign"]
    assert {s: v for s, v, _t in national[:-3]} == dict(by_spec)


def test_readable_without_script(plan_dir: Path) -> None:
    """The controls are hidden until the script shows them; the table is complete HTML."""
    write_reports(plan_dir)
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert '<form id="matrix-controls" class="controls" hidden>' in page
    assert len(ROW.findall(page)) == len(read_meta(plan_dir)["delegation_info"])
    assert '<abbr title="Anesthésie-réanimation">ANES</abbr>' in page  # code explained
    assert "<dt>ANES</dt><dd>Anesthésie-réanimation</dd>" in page  # and in the legend
    assert '<a href="#why-1">' in page  # a name leads to its why line


def test_excel_sheet(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir)
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    assert book.sheetnames[1] == "Délégations x spécialités"
    sheet = book["Délégations x spécialités"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    codes = [s["specialty"] for s in meta["specialties"]]
    assert list(header[4:4 + len(codes)]) == codes
    posts_col = 4 + len(codes)
    assert header[posts_col] == "Postes" and header[-1] == "Total"
    want = expected(meta)
    delegations = [r for r in rows[1:] if r[1] is not None]
    assert len(delegations) == len(want)
    for row in delegations:
        assert list(row[4:posts_col]) == [want[row[1]][s][0] for s in codes]
        assert all(isinstance(v, int) for v in row[4:])
    national = rows[-1]
    assert national[2] == "Total national"
    assert national[posts_col] == meta["totals"]["posts_allocated"]
    assert national[-2] == meta["totals"]["foreign_deployed"]
    region_rows = [r for r in rows[1:-1] if r[1] is None]
    assert len(region_rows) == len(meta["regions"])
    assert sum(r[posts_col] for r in region_rows) == meta["totals"]["posts_allocated"]
    assert sheet.row_dimensions[2].outlineLevel == 1  # delegations fold under their region


def test_promotions_are_numbers_in_excel(plan_dir: Path) -> None:
    write_reports(plan_dir)
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    promotions = list(book["Promotions"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in promotions] == [2023, 2024, "Total"]
    allocations = list(book["Attributions"].iter_rows(values_only=True))
    column = allocations[0].index("Promotion")
    assert {r[column] for r in allocations[1:]} == {2023, 2024}
    assert sum(r[allocations[0].index("Postes")] for r in allocations[1:]) == 30
