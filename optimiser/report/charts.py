"""Charts of the report, written directly as inline SVG (no plotting library).

Four horizontal bar charts: posts by category beside the ministry's 2024 announcement,
weighted unmet need and specialist density by region (before / after, density with its
target), and the delegations left worst off. Like the map (`mapsvg`) and the horizon chart
(`horizon.chart`) they are text written element by element: the same figures always give the
same bytes, `optimiser solve` never imports matplotlib for its report (~0.3 s of import and
~0.4 s of drawing per report), and every bar group has a hover `<title>` with its exact
figures. Numbers on the axes use the report's formats (`i18n.number`, `i18n.percent`); in
Arabic the labels and the legend read from the right, the value axis still grows to the
right (as in the horizon chart). All text is escaped here: the SVG is inserted as markup.

The matplotlib layer at the end (`figure`, `to_svg`, `number_formatter`) is no longer used
by the report: the web service's sweep charts (`optimiser/web/charts.py`) draw with it.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from optimiser.report import i18n
from optimiser.report.base import Table

BEFORE_COLOUR = "#c9a227"
AFTER_COLOUR = "#1f5f8b"
REFERENCE_COLOUR = "#8c8c8c"
TARGET_COLOUR = "#b2182b"
INK, AXIS, GRID = "#222", "#999", "#e3e3e3"

WIDTH, FONT_SIZE = 720, 11  # px, as the horizon chart
ROW, BAR = 32, 12  # px per place, px per bar (two bars a place)
CATEGORY_ROW, CATEGORY_BAR = 30, 16
TOP, RIGHT, LABEL_GAP = 8, 24, 8
CATEGORY_RIGHT = 48  # room for the share written after the longest bar
LABEL_SHARE = 0.38  # at most this share of the width for the place names
TICKS, MAX_TICKS = 6, 8  # about TICKS steps on the value axis, never more than MAX
SWATCH, LEGEND_GAP = 14, 24


@dataclass(frozen=True)
class Axis:
    """The value axis: 0 to `ceiling` in round steps of `step`, drawn from `left` to
    `right` px. Values are never negative here (needs, densities, shares)."""

    left: float
    right: float
    step: float
    ceiling: float

    @classmethod
    def fit(cls, values: Sequence[float], left: float, right: float) -> Axis:
        """The shortest round axis holding every finite value (0 to 1 when all are 0): the
        smallest step of 1, 2, 2.5 or 5 x 10^k giving at most MAX_TICKS steps."""
        top = max((v for v in values if math.isfinite(v)), default=0.0)
        top = top if top > 0 else 1.0
        power = 10 ** math.floor(math.log10(top / TICKS))
        step = next(f * power for f in (1, 2, 2.5, 5, 10)
                    if math.ceil(top / (f * power) - 1e-9) <= MAX_TICKS)
        return cls(left, right, step, step * math.ceil(top / step - 1e-9))

    def x(self, value: float) -> float:
        """The x of `value`, kept inside the axis (a missing value sits at 0)."""
        if not math.isfinite(value):
            value = 0.0
        return self.left + (self.right - self.left) * min(max(value, 0.0),
                                                          self.ceiling) / self.ceiling

    def ticks(self) -> list[float]:
        """Tick values 0, step, ..., ceiling."""
        return [k * self.step for k in range(round(self.ceiling / self.step) + 1)]

    def decimals(self, least: int) -> int:
        """Decimals the tick labels need: at least `least`, more when the step is 0.25."""
        for d in range(least, 4):
            if abs(round(self.step, d) - self.step) < 1e-9:
                return d
        return 3  # pragma: no cover - a step has at most two significant digits


@dataclass(frozen=True)
class Legend:
    """One legend entry: a filled box ("bar") or a short line ("line", "dashed")."""

    kind: str
    colour: str
    text: str


def text_width(text: str) -> float:
    """Rough width in px of `text` (DejaVu Sans averages 0.6 em a character): it only sizes
    the label column and centres the legend, so erring wide is safe."""
    return 0.6 * FONT_SIZE * len(text)


def _value(value: float, lang: str, decimals: int) -> str:
    """A figure of a hover title: a dash when missing (a region without population)."""
    if not math.isfinite(value):
        return i18n.text("none", lang)
    return i18n.number(value, lang, decimals)


def _open(height: float, label: str, kind: str) -> list[str]:
    """The `<svg>` start tag (named for screen readers) and its `<title>`."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" viewBox="0 0 '
            f'{WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" role="img" '
            f'aria-label="{escape(label, quote=True)}" font-family="DejaVu Sans, Liberation '
            f'Sans, Arial, sans-serif" font-size="{FONT_SIZE}" fill="{INK}">',
            f"<title>{escape(label)}</title>"]


def _text(x: float, y: float, content: str, lang: str, anchor: str = "start",
          extra: str = "") -> str:
    """A `<text>` of words in `lang`. Arabic runs right to left (`direction`, so that a
    bracket or a figure inside it stays in place), where "start" is the right edge: the
    anchor is swapped to keep the same edge at `x`."""
    direction = ""
    if i18n.DIRECTION[lang] == "rtl":
        direction = ' direction="rtl"'
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{direction}{extra}>'
            f"{escape(content)}</text>")


def _figure(x: float, y: float, content: str, anchor: str, extra: str = "") -> str:
    """A `<text>` holding only a figure (tick label, share): left to right in every
    language."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>'
            f"{escape(content)}</text>")


def _value_axis(axis: Axis, top: float, bottom: float, tick: Callable[[float], str],
                title: str, lang: str) -> list[str]:
    """Grid lines and tick labels under the plot, the axis title, the label axis line."""
    out = ['<g class="axis">']
    for value in axis.ticks():
        x = axis.x(value)
        colour = AXIS if value == 0 else GRID
        out.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom + 4:.1f}" '
                   f'stroke="{colour}"/>')
        out.append(_figure(x, bottom + 16, tick(value), "middle"))
    out.append(f'<line x1="{axis.left:.1f}" y1="{bottom:.1f}" x2="{axis.right:.1f}" '
               f'y2="{bottom:.1f}" stroke="{AXIS}"/>')
    if title:
        out.append(_text((axis.left + axis.right) / 2, bottom + 34, title, lang, "middle",
                         ' class="title"'))
    out.append("</g>")
    return out


def _label_column(labels: Sequence[str]) -> tuple[float, list[str]]:
    """Width of the place-name column and the names as drawn: a name too long for
    LABEL_SHARE of the chart is cut with an ellipsis (its bars' `<title>` keeps it whole)."""
    widest = WIDTH * LABEL_SHARE
    room = max((text_width(label) for label in labels), default=0.0) + 2 * LABEL_GAP
    column = min(max(room, 60.0), widest)
    return column, [_cut(label, column - 2 * LABEL_GAP) for label in labels]


def _cut(label: str, room: float) -> str:
    """`label`, or its start and an ellipsis when wider than `room` px."""
    if text_width(label) <= room:
        return label
    keep = max(int(room / text_width("x")) - 1, 1)
    return label[:keep].rstrip() + "…"


def _legend(entries: Sequence[Legend], y: float, lang: str) -> list[str]:
    """The legend on one centred line; in Arabic the first entry is on the right and each
    swatch on the right of its words."""
    widths = [SWATCH + 6 + text_width(e.text) for e in entries]
    total = sum(widths) + LEGEND_GAP * (len(entries) - 1)
    rtl = i18n.DIRECTION[lang] == "rtl"
    edge = (WIDTH + total) / 2 if rtl else (WIDTH - total) / 2
    out = ['<g class="legend">']
    for entry, width in zip(entries, widths, strict=True):
        swatch = edge - SWATCH if rtl else edge
        words = swatch - 6 if rtl else swatch + SWATCH + 6
        out.append(_swatch(entry, swatch, y))
        out.append(_text(words, y + 4, entry.text, lang, "end" if rtl else "start"))
        edge += -(width + LEGEND_GAP) if rtl else width + LEGEND_GAP
    out.append("</g>")
    return out


def _swatch(entry: Legend, x: float, y: float) -> str:
    """The sample of one legend entry, `SWATCH` px wide, centred on `y`."""
    if entry.kind == "bar":
        return (f'<rect x="{x:.1f}" y="{y - 5:.1f}" width="{SWATCH}" height="10" '
                f'fill="{entry.colour}"/>')
    dash = ' stroke-dasharray="4 2"' if entry.kind == "dashed" else ""
    return (f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + SWATCH:.1f}" y2="{y:.1f}" '
            f'stroke="{entry.colour}" stroke-width="2.5"{dash}/>')


def _bar(axis: Axis, y: float, height: float, value: float, colour: str, kind: str) -> str:
    """One bar from 0 to `value` (none drawn for a missing value), its figure in
    `data-value`."""
    if not math.isfinite(value):
        return ""
    width = axis.x(value) - axis.left
    return (f'<rect class="{kind}" x="{axis.left:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{height:.0f}" fill="{colour}" data-value="{value:.6f}"/>')


def _marker(axis: Axis, centre: float, half: float, value: float, colour: str, kind: str,
            dashed: bool = False) -> str:
    """A vertical tick at `value` across a row (target, reference); none when missing."""
    if not math.isfinite(value):
        return ""
    x = axis.x(value)
    dash = ' stroke-dasharray="4 2"' if dashed else ""
    return (f'<line class="{kind}" x1="{x:.1f}" y1="{centre - half:.1f}" x2="{x:.1f}" '
            f'y2="{centre + half:.1f}" stroke="{colour}" stroke-width="2.5"{dash} '
            f'data-value="{value:.6f}"/>')


def _tip(name: str, items: Sequence[tuple[str, str]], lang: str) -> str:
    """A row's hover title: "name — Before: 12.3; After: 4.5" in the words of `lang`."""
    colon, semi = i18n.text("colon", lang), i18n.text("semi", lang)
    return f"{name} — " + semi.join(f"{word}{colon}{figure}" for word, figure in items)


def _paired(labels: Sequence[str], before: Sequence[float], after: Sequence[float],
           lang: str, kind: str, label: str, axis_title: str, decimals: int,
           targets: Sequence[float] | None = None) -> str:
    """Horizontal before/after bars, one pair per place, first place at the top; with
    `targets`, a red tick per place (the target density) and a legend entry for it."""
    column, shown = _label_column(labels)
    values = [*before, *after, *(targets or [])]
    axis = Axis.fit(values, column, WIDTH - RIGHT)
    bottom = TOP + ROW * len(labels)
    words = {k: i18n.text(k, lang) for k in ("before", "after", "target")}
    out = _open(bottom + 66, label, kind)
    tick_decimals = axis.decimals(decimals)
    out += _value_axis(axis, TOP, bottom, lambda v: i18n.number(v, lang, tick_decimals),
                       axis_title, lang)
    for i, name in enumerate(labels):
        centre = TOP + ROW * (i + 0.5)
        items = [(words["before"], _value(before[i], lang, 1)),
                 (words["after"], _value(after[i], lang, 1))]
        if targets is not None:
            items.append((words["target"], _value(targets[i], lang, 1)))
        row = [f"<g><title>{escape(_tip(name, items, lang))}</title>",
               _bar(axis, centre - BAR, BAR, before[i], BEFORE_COLOUR, "before"),
               _bar(axis, centre, BAR, after[i], AFTER_COLOUR, "after")]
        if targets is not None:
            row.append(_marker(axis, centre, 0.45 * ROW, targets[i], TARGET_COLOUR, "target"))
        out.append("".join(row) + "</g>")
        out.append(_text(column - LABEL_GAP, centre + 4, shown[i], lang, "end"))
    legend = [Legend("bar", BEFORE_COLOUR, words["before"]),
              Legend("bar", AFTER_COLOUR, words["after"])]
    if targets is not None:
        legend.insert(0, Legend("line", TARGET_COLOUR, words["target"]))
    out += _legend(legend, bottom + 56, lang)
    out.append("</svg>")
    return "\n".join(out)


def _body(table: Table) -> pd.DataFrame:
    """Rows of a table without its total row."""
    return table.frame.iloc[:-1] if table.total_row else table.frame


def _names(frame: pd.DataFrame, lang: str) -> list[str]:
    """Place names in `lang` (Arabic names in the Arabic report, when the data has them)."""
    return [i18n.name(fr, ar, lang) for fr, ar in
            zip(frame["name_fr"].tolist(), frame["name_ar"].tolist(), strict=True)]


def _floats(frame: pd.DataFrame, column: str) -> list[float]:
    return [float(v) for v in frame[column].tolist()]


def unmet_by_region(regions: Table, lang: str) -> str:
    """Weighted unmet need by region, before and after the plan."""
    frame = _body(regions)
    return _paired(_names(frame, lang), _floats(frame, "unmet_before"),
                  _floats(frame, "unmet_after"), lang, "unmet",
                  i18n.text("chart_unmet", lang), i18n.text("unmet_need", lang), 0)


def density_by_region(regions: Table, lang: str) -> str:
    """Specialists per 100,000 by region, before and after, with the target as a red tick."""
    frame = _body(regions)
    return _paired(_names(frame, lang), _floats(frame, "density_before"),
                  _floats(frame, "density_after"), lang, "density",
                  i18n.text("chart_density", lang), i18n.text("density_axis", lang), 1,
                  targets=_floats(frame, "target_density"))


def worst_off(worst: Table, lang: str) -> str:
    """Delegations with the most need left, before and after the plan (region in brackets)."""
    frame = worst.frame
    labels = [f"{name} ({region})" for name, region in
              zip(_names(frame, lang), frame["region"].tolist(), strict=True)]
    return _paired(labels, _floats(frame, "unmet_before"), _floats(frame, "unmet_after"),
                  lang, "worst", i18n.text("chart_worst", lang),
                  i18n.text("unmet_need", lang), 0)


def categories(table: Table, lang: str, reference_posts: int) -> str:
    """Creation / compensation / reinforcement shares (bars, written at their end) beside
    the 2024 announcement (grey dashed ticks)."""
    frame = table.frame
    label = i18n.text("chart_categories", lang)
    names = [i18n.text(c, lang) for c in frame["category"].tolist()]
    shares = [100 * float(v) for v in frame["share"].tolist()]
    refs = [100 * float(v) for v in frame["reference_2024"].tolist()]
    column, shown = _label_column(names)
    axis = Axis.fit([*shares, *refs], column, WIDTH - CATEGORY_RIGHT)
    bottom = TOP + CATEGORY_ROW * len(names)
    words = {"plan": i18n.text("this_plan", lang),
             "ref": f"{i18n.text('reference_label', lang)} ({reference_posts})"}
    out = _open(bottom + 48, label, "categories")
    decimals = axis.decimals(0)
    out += _value_axis(axis, TOP, bottom, lambda v: i18n.percent(v / 100, lang, decimals), "",
                       lang)
    for i, name in enumerate(names):
        centre = TOP + CATEGORY_ROW * (i + 0.5)
        share = i18n.percent(shares[i] / 100, lang, 0)
        tip = _tip(name, [(words["plan"], share),
                          (words["ref"], i18n.percent(refs[i] / 100, lang, 0))], lang)
        out.append("".join([
            f"<g><title>{escape(tip)}</title>",
            _bar(axis, centre - CATEGORY_BAR / 2, CATEGORY_BAR, shares[i], AFTER_COLOUR,
                 "share"),
            _marker(axis, centre, 0.4 * CATEGORY_ROW, refs[i], REFERENCE_COLOUR, "reference",
                    dashed=True), "</g>"]))
        out.append(_text(column - LABEL_GAP, centre + 4, shown[i], lang, "end"))
        out.append(_figure(axis.x(shares[i]) + 4, centre + 4, share, "start",
                           ' font-size="10"'))
    out += _legend([Legend("dashed", REFERENCE_COLOUR, words["ref"]),
                    Legend("bar", AFTER_COLOUR, words["plan"])], bottom + 38, lang)
    out.append("</svg>")
    return "\n".join(out)


# -- matplotlib layer of the web service's sweep charts (not used by the report) -----------

def style() -> dict[str, Any]:
    """Matplotlib settings of the web charts: sober, small, reproducible."""
    return {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
        "font.size": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 9.5,
        "axes.titleweight": "bold",
        "legend.frameon": False,
        "legend.fontsize": 8,
        "path.simplify": True,
        "text.parse_math": False,  # a "$" in a name is text, not TeX
    }


@contextmanager
def figure(width: float, height: float, salt: str,
           layout: str | None = "constrained") -> Iterator[Any]:
    """A matplotlib Figure under `style`; `salt` keeps its SVG ids unique. matplotlib is
    imported here, so only the callers pay its import."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({**style(), "svg.hashsalt": f"optimiser-{salt}"}):
        yield Figure(figsize=(width, height), layout=layout)


def to_svg(fig: Any, label: str, salt: str) -> str:
    """Serialise `fig` to an SVG element ready to inline in HTML (no XML prologue).

    Element ids get the chart's `salt` as prefix: matplotlib numbers them per figure
    ("figure_1", "patch_1"), which would repeat between the SVGs of one page.
    """
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = PATH_DATA.sub(_round_path, svg)
    svg = ELEMENT_ID.sub(lambda m: f' id="{salt}-{m.group(1)}"', svg)
    svg = ID_REFERENCE.sub(lambda m: f"{m.group(1)}{salt}-", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)


PATH_DATA = re.compile(r' d="([^"]*)"')
ELEMENT_ID = re.compile(r' id="([^"]+)"')
ID_REFERENCE = re.compile(r'(url\(#|href="#)')
DECIMAL = re.compile(r"-?\d+\.\d+")


def _round_path(match: re.Match[str]) -> str:
    """Path coordinates to 0.1 pt (1/720 inch): a third of the bytes, no visible change."""
    def short(number: re.Match[str]) -> str:
        text = f"{float(number.group()):.1f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return ' d="' + DECIMAL.sub(short, match.group(1)) + '"'


def _attr(value: str) -> str:
    """Escape a string for an XML attribute (the chart title in `aria-label`)."""
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def number_formatter(lang: str, decimals: int = 0) -> Callable[[float, Any], str]:
    """Axis tick labels with the separators of `lang` (a matplotlib FuncFormatter's)."""
    def fmt(value: float, _pos: Any) -> str:
        return i18n.number(value, lang, decimals)
    return fmt
