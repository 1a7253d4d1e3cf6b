"""The report's four charts, written as SVG text: bars and markers where the figures say,
axes in the report's number formats, words in the page's language (Arabic from the right),
names escaped and cut only on screen, and no matplotlib on the way."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from test_report_support import copy_fixture

from optimiser.report import charts, i18n
from optimiser.report.base import Table

SVG = "{http://www.w3.org/2000/svg}"


def regions(names: list[str], before: list[float], after: list[float],
            density: tuple[list[float], list[float], list[float]] | None = None) -> Table:
    """A `regions` table as tables.py builds it (a total row last, which no chart shows)."""
    n = len(names)
    d_before, d_after, target = density or ([10.0] * n, [12.0] * n, [15.0] * n)
    frame = pd.DataFrame({
        "region": [f"R{i}" for i in range(n)] + [""],
        "name_fr": [*names, "Total"], "name_ar": [f"جهة {i}" for i in range(n)] + [""],
        "unmet_before": [*before, sum(before)], "unmet_after": [*after, sum(after)],
        "density_before": [*d_before, 0.0], "density_after": [*d_after, 0.0],
        "target_density": [*target, 0.0]})
    return Table("regions", frame, {c: "num1" for c in frame.columns}, total_row=True)


def parse(svg: str) -> ET.Element:
    """The chart as XML (it must be well formed to be inlined in the page)."""
    return ET.fromstring(svg)


def bars(root: ET.Element, kind: str) -> list[tuple[float, float, float]]:
    """(x, width, data-value) of the bars of class `kind`, top to bottom."""
    found = [(float(r.get("y")), float(r.get("x")), float(r.get("width")),
              float(r.get("data-value"))) for r in root.iter(f"{SVG}rect")
             if r.get("class") == kind]
    return [(x, w, v) for _y, x, w, v in sorted(found)]


def texts(root: ET.Element, where: str = "") -> list[ET.Element]:
    scope = root if not where else next(g for g in root.iter(f"{SVG}g")
                                        if g.get("class") == where)
    return list(scope.iter(f"{SVG}text"))


def ticks(root: ET.Element) -> list[tuple[float, str]]:
    """(x, label) of the value axis ticks."""
    return [(float(t.get("x")), t.text) for t in texts(root, "axis")
            if t.get("class") != "title"]


def test_bars_are_as_long_as_their_figures_and_the_total_row_is_left_out() -> None:
    table = regions(["Nord", "Centre", "Sud"], [1516.0, 400.0, 0.0], [1200.0, 380.5, 20.0])
    root = parse(charts.unmet_by_region(table, "fr"))
    before, after = bars(root, "before"), bars(root, "after")
    assert [v for _x, _w, v in before] == [1516.0, 400.0, 0.0]  # first region on top
    assert [v for _x, _w, v in after] == [1200.0, 380.5, 20.0]
    axis = dict((label, x) for x, label in ticks(root))
    zero, top = axis["0"], axis["1\u202f600"]  # round steps of 200 up to 1 600 (>= 1 516)
    assert list(axis) == [i18n.number(200 * k, "fr") for k in range(9)]
    for x, width, value in before + after:
        assert x == zero
        assert width == pytest.approx(value / 1600 * (top - zero), abs=0.06)
    labels = [t.text for t in texts(root) if t.get("text-anchor") == "end"]
    assert labels == ["Nord", "Centre", "Sud"]
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert titles[0] == i18n.text("chart_unmet", "fr") == root.get("aria-label")
    assert "Nord — Avant le plan\u00a0: 1\u202f516,0 ; Après le plan\u00a0: 1\u202f200,0" \
        in titles
    assert "Total" not in "".join(t.text or "" for t in root.iter())


def test_axes_use_the_number_format_of_each_language() -> None:
    table = regions(["A", "B"], [1000.0, 2500.0], [900.0, 100.0],
                    ([20.5, 31.0], [25.0, 33.3], [40.0, 40.0]))
    assert [t for _x, t in ticks(parse(charts.unmet_by_region(table, "en")))][-2:] == \
        ["2,000", "2,500"]
    assert [t for _x, t in ticks(parse(charts.unmet_by_region(table, "fr")))][-1] == \
        "2\u202f500"
    density = parse(charts.density_by_region(table, "fr"))
    assert [t for _x, t in ticks(density)] == [f"{5 * k},0" for k in range(9)]
    targets = [(float(m.get("x1")), float(m.get("data-value"))) for m in
               density.iter(f"{SVG}line") if m.get("class") == "target"]
    assert [v for _x, v in targets] == [40.0, 40.0]
    assert targets[0][0] == dict((t, x) for x, t in ticks(density))["40,0"]  # the top
    assert [t.text for t in texts(density, "axis") if t.get("class") == "title"] == [
        i18n.text("density_axis", "fr")]
    legend = [t.text for t in texts(density, "legend")]
    assert legend == ["Cible", "Avant le plan", "Après le plan"]


def test_categories_show_shares_beside_the_announcement() -> None:
    frame = pd.DataFrame({"category": ["creation", "compensation", "reinforcement"],
                          "posts": [10, 4, 16], "share": [1 / 3, 4 / 30, 16 / 30],
                          "reference_2024": [0.47, 0.18, 0.35]})
    table = Table("categories", frame, {"category": "term", "posts": "int", "share": "pct",
                                        "reference_2024": "pct"})
    root = parse(charts.categories(table, "fr", 695))
    axis = dict((label, x) for x, label in ticks(root))
    assert list(axis)[-1] == "60\u202f%"
    shares = bars(root, "share")
    assert [round(v, 3) for _x, _w, v in shares] == [33.333, 13.333, 53.333]
    marks = [float(m.get("x1")) for m in root.iter(f"{SVG}line")
             if m.get("class") == "reference"]
    scale = (axis["60\u202f%"] - axis["0\u202f%"]) / 60
    assert marks == pytest.approx([axis["0\u202f%"] + scale * v for v in (47, 18, 35)],
                                  abs=0.06)
    words = [t.text for t in texts(root)]
    assert ["33\u202f%", "13\u202f%", "53\u202f%"] == [w for w in words if w.endswith("%")
                                                      and w not in axis]
    assert "Annonce du ministère, 2024 (695)" in words and "Ce plan" in words


def test_arabic_reads_from_the_right() -> None:
    table = regions(["Nord", "Sud"], [10.0, 5.0], [4.0, 5.0])
    root = parse(charts.unmet_by_region(table, "ar"))
    labels = [t for t in texts(root) if t.text.startswith("جهة")]
    assert [t.text for t in labels] == ["جهة 0", "جهة 1"]
    assert all(t.get("direction") == "rtl" and t.get("text-anchor") == "start"
               for t in labels)  # the right edge of the words at the plot's left side
    swatches = [float(r.get("x")) for r in next(
        g for g in root.iter(f"{SVG}g") if g.get("class") == "legend").iter(f"{SVG}rect")]
    assert swatches[0] > swatches[1]  # "before" first, so on the right
    assert [t.text for t in texts(root, "legend")] == [i18n.text("before", "ar"),
                                                        i18n.text("after", "ar")]
    axis = texts(root, "axis")
    assert [t.get("direction") for t in axis] == [None] * (len(axis) - 1) + ["rtl"]


def test_names_are_escaped_and_long_ones_cut_on_screen_only() -> None:
    long = "Préfecture d'arrondissements de Casablanca-Anfa et de ses environs proches"
    table = regions(["<script>alert(1)</script> & co", long], [3.0, 2.0], [1.0, 1.0])
    svg = charts.unmet_by_region(table, "fr")
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    root = parse(svg)
    shown = [t.text for t in texts(root) if t.get("text-anchor") == "end"]
    assert shown[0] == "<script>alert(1)</script> & co"
    assert shown[1].endswith("…") and long.startswith(shown[1][:-1])
    assert any(t.text.startswith(long + " — ") for t in root.iter(f"{SVG}title"))
    assert float(root.get("width")) == charts.WIDTH
    left = min(x for x, _w, _v in bars(root, "before"))
    assert left <= charts.WIDTH * charts.LABEL_SHARE  # the plot keeps most of the width


def test_missing_figures_draw_nothing_and_read_as_a_dash() -> None:
    table = regions(["A", "B"], [1.0, 2.0], [0.5, 1.0],
                    ([math.nan, 10.0], [math.inf, 12.0], [math.nan, 15.0]))
    root = parse(charts.density_by_region(table, "en"))
    assert [v for _x, _w, v in bars(root, "before")] == [10.0]
    assert len([m for m in root.iter(f"{SVG}line") if m.get("class") == "target"]) == 1
    assert "A — Before the plan: —; After the plan: —; Target: —" in [
        t.text for t in root.iter(f"{SVG}title")]
    empty = parse(charts.unmet_by_region(regions([], [], []), "en"))
    assert bars(empty, "before") == [] and [t for _x, t in ticks(empty)][-1] == "1.0"


def test_worst_off_labels_name_the_region() -> None:
    frame = pd.DataFrame({"delegation": ["d1", "d2"], "name_fr": ["Tata", "Zagora"],
                          "name_ar": ["طاطا", ""], "region": ["SM", "DT"],
                          "unmet_before": [30.0, 20.0], "unmet_after": [25.0, 10.0]})
    table = Table("worst_off", frame, {c: "num1" for c in frame.columns})
    fr = [t.text for t in texts(parse(charts.worst_off(table, "fr")))
          if t.get("text-anchor") == "end"]
    assert fr == ["Tata (SM)", "Zagora (DT)"]
    ar = charts.worst_off(table, "ar")
    assert ">طاطا (SM)</text>" in ar and ">Zagora (DT)</text>" in ar  # French when no Arabic
    assert charts.worst_off(table, "ar") == ar  # the same figures give the same bytes


def test_axis_steps_are_round_and_short() -> None:
    cases = {1516.0: (200, 1600), 54.0: (10, 60), 46.6: (10, 50), 280.0: (50, 300),
             0.0: (0.2, 1.0), 7.0: (1, 7), 0.42: (0.1, 0.5)}
    for top, (step, ceiling) in cases.items():
        axis = charts.Axis.fit([top, math.nan], 0.0, 100.0)
        assert (axis.step, axis.ceiling) == pytest.approx((step, ceiling)), top
        assert axis.ceiling >= top and len(axis.ticks()) - 1 <= charts.MAX_TICKS
    assert charts.Axis.fit([2.4], 0, 1).decimals(0) == 1  # steps of 0.25 would need 2
    assert charts.Axis(0, 1, 0.25, 1.0).decimals(0) == 2


def test_writing_a_report_does_not_import_matplotlib(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    code = ("import sys; from pathlib import Path; from optimiser.report import write_reports;"
            f" write_reports(Path({str(folder)!r}), lang='ar');"
            " print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "[]"
    page = (folder / "report.html").read_text(encoding="utf-8")
    found = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart (\w+)"', page)
    assert found == ["categories", "unmet", "density", "worst"]


def test_map_outlines_keep_the_corners_and_the_bumps_past_the_tolerance() -> None:
    """geometry._simplify (sped up with the charts): Douglas-Peucker on a closed ring."""
    import numpy as np

    from optimiser.report import geometry

    side = np.linspace(0.0, 1.0, 101)
    x = np.concatenate([side, np.ones(100), side[::-1][1:], np.zeros(100)])
    y = np.concatenate([np.zeros(101), side[1:], np.ones(100), side[::-1][1:]])
    y[50] = -0.004  # under the tolerance (0.01 degree): smoothed away
    x[150] = 1.03  # past it: kept, with the corners and the foot of the spike
    sx, sy = geometry._simplify(x, y)
    assert list(zip(sx.tolist(), sy.tolist(), strict=True)) == [
        (0.0, 0.0), (1.0, 0.0), (1.0, 0.49), (1.03, 0.5), (1.0, 0.51), (1.0, 1.0),
        (0.0, 1.0), (0.0, 0.0)]
    assert geometry._simplify(x[:3], y[:3])[0].tolist() == x[:3].tolist()  # too few to cut
