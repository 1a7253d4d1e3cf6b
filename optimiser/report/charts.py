"""Charts of the report, drawn with matplotlib and returned as inline SVG strings.

matplotlib is imported inside the functions so that `optimiser solve` pays its import cost
only when a report is written. Figures are built with the object API (`Figure`), never
pyplot, so no GUI backend is ever selected and no global figure state is kept between
reports. The SVG is made reproducible: a fixed `svg.hashsalt` per chart (ids are stable
and differ between the charts of one page), no date metadata, text kept as text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from optimiser.report import i18n
from optimiser.report.base import Table

BEFORE_COLOUR = "#c9a227"
AFTER_COLOUR = "#1f5f8b"
REFERENCE_COLOUR = "#8c8c8c"
TARGET_COLOUR = "#b2182b"
BAR_HEIGHT = 0.38


def style() -> dict[str, Any]:
    """Matplotlib settings shared by every chart and the map: sober, small, reproducible."""
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
        "text.parse_math": False,  # a "$" in a delegation name is text, not TeX
    }


@contextmanager
def figure(width: float, height: float, salt: str,
           layout: str | None = "constrained") -> Iterator[Any]:
    """A matplotlib Figure under the report style; `salt` keeps its SVG ids unique."""
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
    """Axis tick labels with the separators of `lang`."""
    def fmt(value: float, _pos: Any) -> str:
        return i18n.number(value, lang, decimals)
    return fmt


def _paired_bars(ax: Any, labels: list[str], before: list[float], after: list[float],
                 lang: str) -> None:
    """Horizontal before/after bars, one pair per label, first label at the top."""
    positions = list(range(len(labels)))[::-1]
    ax.barh([p + BAR_HEIGHT / 2 for p in positions], before, BAR_HEIGHT, color=BEFORE_COLOUR,
            label=i18n.text("before", lang))
    ax.barh([p - BAR_HEIGHT / 2 for p in positions], after, BAR_HEIGHT, color=AFTER_COLOUR,
            label=i18n.text("after", lang))
    ax.set_yticks(positions, labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.7, len(labels) - 0.3)


def _height(rows: int) -> float:
    return 1.1 + 0.42 * max(rows, 1)


def _body(table: Table) -> pd.DataFrame:
    """Rows of a table without its total row."""
    return table.frame.iloc[:-1] if table.total_row else table.frame


def _names(frame: pd.DataFrame, lang: str) -> list[str]:
    """Place names in `lang` (Arabic names in the Arabic report, when the data has them)."""
    return [i18n.name(fr, ar, lang) for fr, ar in
            zip(frame["name_fr"].tolist(), frame["name_ar"].tolist(), strict=True)]


def unmet_by_region(regions: Table, lang: str) -> str:
    """Weighted unmet need by region, before and after the plan."""
    frame = _body(regions)
    label = i18n.text("chart_unmet", lang)
    with figure(7.0, _height(len(frame)), "unmet") as fig:
        from matplotlib.ticker import FuncFormatter

        ax = fig.add_subplot()
        _paired_bars(ax, _names(frame, lang), frame["unmet_before"].tolist(),
                     frame["unmet_after"].tolist(), lang)
        ax.xaxis.set_major_formatter(FuncFormatter(number_formatter(lang)))
        ax.set_xlabel(i18n.text("unmet_need", lang))
        fig.legend(loc="outside lower center", ncols=3)
        return to_svg(fig, label, "unmet")


def density_by_region(regions: Table, lang: str) -> str:
    """Specialists per 100,000 by region, before and after, with the target as a red tick."""
    frame = _body(regions)
    label = i18n.text("chart_density", lang)
    with figure(7.0, _height(len(frame)), "density") as fig:
        from matplotlib.ticker import FuncFormatter

        ax = fig.add_subplot()
        _paired_bars(ax, _names(frame, lang), frame["density_before"].tolist(),
                     frame["density_after"].tolist(), lang)
        positions = list(range(len(frame)))[::-1]
        ax.vlines(frame["target_density"].tolist(), [p - 0.45 for p in positions],
                  [p + 0.45 for p in positions], colors=TARGET_COLOUR, linewidth=2,
                  label=i18n.text("target", lang))
        ax.xaxis.set_major_formatter(FuncFormatter(number_formatter(lang, 1)))
        ax.set_xlabel(i18n.text("density_axis", lang))
        fig.legend(loc="outside lower center", ncols=3)
        return to_svg(fig, label, "density")


def worst_off(worst: Table, lang: str) -> str:
    """Delegations with the most need left: after-plan bars over faint before-plan bars."""
    frame = worst.frame
    label = i18n.text("chart_worst", lang)
    with figure(7.0, _height(len(frame)), "worst") as fig:
        from matplotlib.ticker import FuncFormatter

        ax = fig.add_subplot()
        labels = [f"{name} ({region})" for name, region in
                  zip(_names(frame, lang), frame["region"].tolist(), strict=True)]
        _paired_bars(ax, labels, frame["unmet_before"].tolist(), frame["unmet_after"].tolist(),
                     lang)
        ax.xaxis.set_major_formatter(FuncFormatter(number_formatter(lang)))
        ax.set_xlabel(i18n.text("unmet_need", lang))
        fig.legend(loc="outside lower center", ncols=3)
        return to_svg(fig, label, "worst")


def categories(table: Table, lang: str, reference_posts: int) -> str:
    """Creation / compensation / reinforcement shares beside the 2024 announcement."""
    frame = table.frame
    label = i18n.text("chart_categories", lang)
    names = [i18n.text(c, lang) for c in frame["category"].tolist()]
    with figure(7.0, 1.9, "categories") as fig:
        from matplotlib.ticker import FuncFormatter

        ax = fig.add_subplot()
        positions = list(range(len(names)))[::-1]
        shares = [100 * v for v in frame["share"].tolist()]
        refs = [100 * v for v in frame["reference_2024"].tolist()]
        bars = ax.barh(positions, shares, 0.55, color=AFTER_COLOUR,
                       label=i18n.text("this_plan", lang))
        ax.vlines(refs, [p - 0.4 for p in positions], [p + 0.4 for p in positions],
                  colors=REFERENCE_COLOUR, linewidth=2.5, linestyles="dashed",
                  label=f"{i18n.text('reference_label', lang)} ({reference_posts})")
        ax.bar_label(bars, [i18n.percent(v / 100, lang, 0) for v in shares], padding=3,
                     fontsize=8)
        ax.set_yticks(positions, names)
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, max([*shares, *refs, 1.0]) * 1.18)
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _p: i18n.percent(v / 100, lang, 0)))
        fig.legend(loc="outside lower center", ncols=2)
        return to_svg(fig, label, "categories")
