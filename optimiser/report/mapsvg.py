"""The map as an SVG written element by element: one shape per province, so that each can be
named on hover (`<title>`), reached with the keyboard (`tabindex`) and read by a screen
reader (`role="img"` and `aria-label`).

Two panels share one colour scale: weighted unmet need before and after the plan, in
classes of round width (the legend shows them); on the "after" panel, circles whose area is
proportional to the national posts received. Outlines are written once in `<defs>` and
reused by both panels. Only the words (titles, captions, legend) depend on the language,
so every language gets the same map; all text is escaped here (the map is inserted into the
page as markup). No matplotlib: the map is a few thousand coordinates, written directly.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from optimiser.report import i18n
from optimiser.report.geometry import Boundaries

PANEL = 560.0  # px, width of one panel (the page scales the map down when narrower)
GAP, TOP, MARGIN = 24.0, 26.0, 8.0
NO_DATA = "#e6e6e6"
YLORRD = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
          "#bd0026", "#800026")  # ColorBrewer YlOrRd, 9 classes
CLASSES = 6
CIRCLE_MAX = 15.0  # px radius of the largest circle
CIRCLE_COLOUR = "#1f5f8b"
POINT_RADIUS = 5.0
POINT_LABELS_UP_TO = 30


def _attr(text: str) -> str:
    return escape(text, quote=True)


def nice_step(vmax: float, classes: int = CLASSES) -> float:
    """A round class width (1, 2, 2.5 or 5 x 10^k) giving about `classes` classes."""
    raw = max(vmax, 1e-9) / classes
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover


def colours(n: int) -> list[str]:
    """`n` colours spread over YlOrRd, light to dark."""
    if n <= 1:
        return [YLORRD[4]]
    return [YLORRD[round(i * (len(YLORRD) - 1) / (n - 1))] for i in range(n)]


class Scale:
    """Classes [0, step), [step, 2 step), ... up to the largest value, and their colours."""

    def __init__(self, vmax: float) -> None:
        self.step = nice_step(vmax)
        self.n = max(1, math.ceil(vmax / self.step + 1e-9))
        if self.n * self.step <= vmax:
            self.n += 1
        self.fill = colours(self.n)

    def colour(self, value: float) -> str:
        """The fill of the class holding `value`."""
        return self.fill[min(self.n - 1, max(0, int(value // self.step)))]


def draw(places: pd.DataFrame, lang: str, boundaries: Boundaries | None,
         matched: dict[str, int], points: pd.DataFrame,
         limits: tuple[tuple[float, float], tuple[float, float]]) -> str:
    """The whole map as an `<svg>` element (two panels, legend)."""
    (x0, x1), (y0, y1) = limits
    cos = math.cos(math.radians((y0 + y1) / 2))
    k = PANEL / ((x1 - x0) * cos)
    height = (y1 - y0) * k

    def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (lon - x0) * cos * k, (y1 - lat) * k

    values = pd.concat([places["unmet_before"], places["unmet_after"]]).astype(float)
    province_need = _province_sums(places, matched)
    vmax = max([float(values.max()), *(v for pair in province_need.values() for v in pair)])
    scale = Scale(max(vmax, 1.0))  # no need anywhere still gets a readable legend
    shapes = _shapes(places, lang, boundaries, matched, project, (x0, x1, y0, y1))
    markers = _markers(points, lang, project)
    circles = _circles(shapes, markers)
    legend_y = TOP + height + 18
    width = 2 * PANEL + GAP + 2 * MARGIN
    total_h = legend_y + 74
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width:.0f} '
           f'{total_h:.0f}" width="{width:.0f}" height="{total_h:.0f}" role="group" '
           f'aria-label="{_attr(i18n.text("map_title", lang))}">', "<defs>"]
    out += [f'<path id="map-p{i}" d="{s["d"]}"/>' for i, s in enumerate(shapes)]
    out.append(f'<clipPath id="map-clip"><rect width="{PANEL:.0f}" height="{height:.1f}"/>'
               "</clipPath>")
    out.append("</defs>")
    for panel in (0, 1):  # before, after
        left = MARGIN + panel * (PANEL + GAP)
        focus = panel == 1
        caption = i18n.text("before" if panel == 0 else "after", lang)
        hidden = "" if focus else ' aria-hidden="true"'
        label = "" if not focus else f' role="group" aria-label="{_attr(caption)}"'
        out.append(f'<g transform="translate({left:.0f},{TOP:.0f})"{hidden}{label}>')
        out.append(f'<text class="caption" x="{PANEL / 2:.0f}" y="-9" '
                   f'text-anchor="middle">{escape(caption)}</text>')
        out.append('<g clip-path="url(#map-clip)">')
        for i, shape in enumerate(shapes):
            fill = (NO_DATA if shape["values"] is None
                    else scale.colour(shape["values"][panel]))
            out.append(_element(f'<use href="#map-p{i}" fill="{fill}"', shape, focus))
        for marker in markers:
            circle = (f'<circle cx="{marker["x"]:.1f}" cy="{marker["y"]:.1f}" '
                      f'r="{POINT_RADIUS:.0f}" fill="{scale.colour(marker["values"][panel])}"')
            out.append(_element(circle, marker, focus))
            if len(markers) <= POINT_LABELS_UP_TO:
                out.append(f'<text class="place" x="{marker["x"] + 7:.1f}" '
                           f'y="{marker["y"] - 4:.1f}">{escape(marker["name"])}</text>')
        if focus:
            out.append('<g class="posts" aria-hidden="true">')
            out += [f'<circle cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="{c[2]:.1f}"/>'
                    for c in circles]
            out.append("</g>")
        out.append("</g></g>")
    out += _legend(scale, circles, lang, legend_y, bool(boundaries))
    out.append("</svg>")
    return "\n".join(out)


def _province_sums(places: pd.DataFrame, matched: dict[str, int]
                   ) -> dict[int, tuple[float, float]]:
    """Need before and after per province (several delegations may share one)."""
    sums: dict[int, tuple[float, float]] = {}
    for row in places.itertuples(index=False):
        if row.delegation in matched:
            before, after = sums.get(matched[row.delegation], (0.0, 0.0))
            sums[matched[row.delegation]] = (before + float(row.unmet_before),
                                             after + float(row.unmet_after))
    return sums


def _tip(rows: list[Any], lang: str) -> str:
    """The hover text of a province or point: names, posts, foreign doctors, need."""
    num = i18n.number
    names = i18n.text("sep", lang).join(i18n.name(r.name_fr, r.name_ar, lang) for r in rows)
    return i18n.text("map_tip", lang, name=names,
                     posts=num(sum(int(r.posts) for r in rows), lang),
                     foreign=num(sum(int(r.foreign) for r in rows), lang),
                     before=num(sum(float(r.unmet_before) for r in rows), lang, 1),
                     after=num(sum(float(r.unmet_after) for r in rows), lang, 1))


def _shapes(places: pd.DataFrame, lang: str, boundaries: Boundaries | None,
            matched: dict[str, int], project: Any,
            view: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    """Provinces in view: path, need (None: outside the plan), hover text, posts, centre.

    Provinces of the plan come first, in the plan's order (region, delegation): that is
    the keyboard order of the "after" panel.
    """
    if boundaries is None:
        return []
    x0, x1, y0, y1 = view
    members: dict[int, list[Any]] = {}
    for row in places.itertuples(index=False):
        if row.delegation in matched:
            members.setdefault(matched[row.delegation], []).append(row)
    order = list(dict.fromkeys(matched[d] for d in places["delegation"] if d in matched))
    grey = [i for i, p in enumerate(boundaries.provinces) if i not in members
            and p.x.max() > x0 and p.x.min() < x1 and p.y.max() > y0 and p.y.min() < y1]
    shapes = []
    for index in order + grey:
        province = boundaries.provinces[index]
        px, py = project(province.x, province.y)
        rows = members.get(index)
        if rows:
            values = (sum(float(r.unmet_before) for r in rows),
                      sum(float(r.unmet_after) for r in rows))
            tip, posts = _tip(rows, lang), sum(int(r.posts) for r in rows)
        else:
            name = i18n.name(province.name_fr, province.name_ar, lang)
            values, tip, posts = None, i18n.text("map_outside", lang, name=name), 0
        shapes.append({"d": _path(px, py), "values": values, "tip": tip, "posts": posts,
                       "centre": _centroid(px, py)})
    return shapes


def _markers(points: pd.DataFrame, lang: str, project: Any) -> list[dict[str, Any]]:
    """Delegations without an outline: a disc at their coordinates."""
    out = []
    for row in points.itertuples(index=False):
        x, y = project(np.array([float(row.longitude)]), np.array([float(row.latitude)]))
        out.append({"x": float(x[0]), "y": float(y[0]), "tip": _tip([row], lang),
                    "values": (float(row.unmet_before), float(row.unmet_after)),
                    "posts": int(row.posts), "centre": (float(x[0]), float(y[0])),
                    "name": i18n.name(row.name_fr, row.name_ar, lang)})
    return out


def _element(start: str, item: dict[str, Any], focus: bool) -> str:
    """Close a shape's start tag with its hover title, and its keyboard access if `focus`."""
    tip = escape(item["tip"])
    if focus and item.get("values") is not None:
        start += f' tabindex="0" role="img" aria-label="{_attr(item["tip"])}" class="place"'
    return f"{start}><title>{tip}</title></{start[1:start.index(' ')]}>"


def _circles(shapes: list[dict[str, Any]], markers: list[dict[str, Any]]
             ) -> list[tuple[float, float, float, int]]:
    """Proportional circles (area ~ posts), largest first so small ones stay visible."""
    items = [(s["centre"], s["posts"]) for s in [*shapes, *markers] if s["posts"] > 0]
    if not items:
        return []
    biggest = max(posts for _c, posts in items)
    circles = [(c[0], c[1], CIRCLE_MAX * math.sqrt(posts / biggest), posts)
               for c, posts in items]
    return sorted(circles, key=lambda c: (-c[3], c[0], c[1]))


def _legend(scale: Scale, circles: list[tuple[float, float, float, int]], lang: str,
            top: float, boundaries: bool) -> list[str]:
    """Colour classes with their bounds, the no-data swatch and the circle sizes."""
    num = i18n.number
    decimals = 0 if float(scale.step).is_integer() else 1
    out = [f'<g class="legend" transform="translate({MARGIN + 12:.0f},{top:.0f})">',
           f'<text x="0" y="0">{escape(i18n.text("map_legend", lang))}</text>']
    box = min(56.0, (PANEL - 110) / scale.n)
    for i, colour in enumerate(scale.fill):
        out.append(f'<rect x="{i * box:.1f}" y="8" width="{box:.1f}" height="12" '
                   f'fill="{colour}" stroke="#999" stroke-width="0.5"/>')
        out.append(f'<text x="{i * box:.1f}" y="33" text-anchor="middle">'
                   f'{escape(num(i * scale.step, lang, decimals))}</text>')
    out.append(f'<text x="{scale.n * box:.1f}" y="33" text-anchor="middle">'
               f'{escape(num(scale.n * scale.step, lang, decimals))}</text>')
    if boundaries:
        x = scale.n * box + 18
        out.append(f'<rect x="{x:.0f}" y="8" width="20" height="12" fill="{NO_DATA}" '
                   f'stroke="#999" stroke-width="0.5"/>')
        out.append(f'<text x="{x + 26:.0f}" y="18">{escape(i18n.text("map_no_data", lang))}'
                   "</text>")
    if circles:
        biggest = max(c[3] for c in circles)
        x = PANEL + GAP
        out.append(f'<text x="{x:.0f}" y="0">{escape(i18n.text("map_circles", lang))}</text>')
        for value in _reference_sizes(biggest):
            r = CIRCLE_MAX * math.sqrt(value / biggest)
            out.append(f'<circle class="ref" cx="{x + CIRCLE_MAX:.1f}" '
                       f'cy="{48 - r:.1f}" r="{r:.1f}"/>')
            out.append(f'<text x="{x + 2 * CIRCLE_MAX + 6:.0f}" y="{50 - 2 * r:.1f}">'
                       f'{escape(num(value, lang))}</text>')
            x += 2 * CIRCLE_MAX + 40
    out.append("</g>")
    return out


def _reference_sizes(biggest: int) -> list[int]:
    """Up to three round values for the circle legend, the largest first."""
    sizes = [biggest]
    for share in (0.5, 0.1):
        target = biggest * share
        if target < 1:
            break
        power = 10 ** math.floor(math.log10(target))
        value = int(max(f * power for f in (1, 2, 5) if f * power <= target))
        if 0 < value < sizes[-1]:
            sizes.append(value)
    return sizes


def _path(x: np.ndarray, y: np.ndarray) -> str:
    """An outline as path data, to 0.1 px (implicit line-to after the first move)."""
    coords = " ".join(f"{a:.1f} {b:.1f}" for a, b in zip(x.tolist(), y.tolist(), strict=True))
    return f"M{coords}Z"


def _centroid(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Area centroid of a ring (its mean point when degenerate)."""
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-9:
        return float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return float(cx), float(cy)
