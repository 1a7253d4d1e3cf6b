"""A plan with very many delegations: the page lists the ones receiving the most doctors,
says so, and keeps totals over all of them; the workbook keeps every delegation."""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_report_support import copy_fixture, read_meta

from optimiser.report import large, write_reports
from optimiser.report.load import load_plan
from optimiser.report.tables import build_report_data

ROW = re.compile(r'<tr data-d="([^"]+)"')
WHY = re.compile(r'<li id="why-\d+">')
NATIONAL = re.compile(r'<tfoot><tr class="total">(.*?)</tr></tfoot>', re.S)
NOTE = {"fr": "cette page montre les 3 qui reçoivent le plus de médecins",
        "en": "this page shows the 3 that receive the most doctors",
        "ar": "تعرض هذه الصفحة 3 منها"}


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def received(folder: Path) -> dict[str, tuple[int, float]]:
    """Per delegation: doctors received (plan.json) and unmet need after (the report's
    delegations table)."""
    out: dict[str, int] = defaultdict(int)
    for row in read_meta(folder)["delegations"]:
        out[row["delegation"]] += row["posts"] + row["foreign"]
    table = build_report_data(load_plan(folder)).tables["delegations"].frame
    unmet = dict(zip(table["delegation"], table["unmet_after"], strict=True))
    return {d: (n, float(unmet[d])) for d, n in out.items()}


def test_the_page_lists_those_receiving_most_and_says_so(plan_dir: Path,
                                                         monkeypatch) -> None:
    write_reports(plan_dir, timestamp=False)
    whole = (plan_dir / "report.html").read_text(encoding="utf-8")
    monkeypatch.setattr(large, "PAGE_DELEGATIONS", 3)
    for lang in ("fr", "en", "ar"):
        write_reports(plan_dir, lang=lang, timestamp=False)
        page = unescape((plan_dir / "report.html").read_text(encoding="utf-8"))
        assert page.count(NOTE[lang]) == 3  # matrix, why and delegations table
    write_reports(plan_dir, timestamp=False)
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    figures = received(plan_dir)
    ranked = sorted(figures, key=lambda d: (-figures[d][0], -figures[d][1], d))
    assert set(ROW.findall(page)) == set(ranked[:3])
    assert len(ROW.findall(page)) == 3
    assert len(WHY.findall(page)) == 3
    assert len(WHY.findall(whole)) == len(figures) > 3
    # the national total still counts every delegation
    assert NATIONAL.search(page).group(1) == NATIONAL.search(whole).group(1)
    # the delegations table lists the same three; the workbook keeps them all
    table = page[page.index('data-table="delegations"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == 1 + 3
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx", read_only=True)
    sheet_rows = sum(1 for _ in book["Délégations"].iter_rows())
    book.close()
    assert sheet_rows > len(figures)


def test_a_small_plan_is_listed_whole(plan_dir: Path) -> None:
    write_reports(plan_dir)
    page = unescape((plan_dir / "report.html").read_text(encoding="utf-8"))
    assert "qui reçoivent le plus de médecins" not in page
    assert len(set(ROW.findall(page))) == len(received(plan_dir))


def test_order_received_then_unmet_need_then_code() -> None:
    frame = pd.DataFrame({
        "delegation": ["D", "C", "B", "A", "E"],
        "posts": [1, 2, 2, 0, 2], "foreign": [0, 0, 0, 3, 0],
        "unmet_after": [9.0, 1.0, 5.0, 0.0, 1.0]})
    assert large.page_delegations(frame, 5) is None
    assert large.page_delegations(frame, 1) == {"A"}
    assert large.page_delegations(frame, 2) == {"A", "B"}
    assert large.page_delegations(frame, 3) == {"A", "B", "C"}  # C before E: code
    assert large.page_delegations(frame, 4) == {"A", "B", "C", "E"}
