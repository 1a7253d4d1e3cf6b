"""The sweep page's two charts (inline SVG) and the Pareto front they show.

Drawn with the report's matplotlib layer (optimiser/report/charts.py: `figure`, `to_svg`) so
the SVG has the report's style, stable ids and no date. matplotlib writes every text of an
SVG as escaped XML character data, and `to_svg` escapes the aria-label, so PATHs and names
typed by a user come out as text, never as markup.

The points of a complete sweep are in grid order (the first PATH slowest), so a row's
varied values are taken from the grid itself rather than read back from the CSV text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from optimiser.report.charts import (
    AFTER_COLOUR,
    REFERENCE_COLOUR,
    figure,
    number_formatter,
    to_svg,
)
from optimiser.whatif.paths import Vary
from optimiser.whatif.sweep import grid

POSTS = "posts_allocated"
UNMET = "unmet_need"
PREFERRED_COST = "parameters.budget"


def is_number(value: Any) -> bool:  # noqa: ANN401 - a varied value (YAML scalar)
    """A finite int or float (not a bool: `true` is not 1 on an axis)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def numeric(vary: Vary) -> bool:
    """Every value of the PATH is a number, so it can be an axis."""
    return all(is_number(v) for v in vary.values)


def with_points(table: pd.DataFrame, varies: tuple[Vary, ...]) -> pd.DataFrame:
    """The table with a `point` column: each row's grid point (the table is in grid order)."""
    points = grid(varies)
    if len(points) != len(table):
        raise ValueError("a complete sweep has one row per grid point")
    out = table.copy()
    out["point"] = points
    return out


def pareto_axis(table: pd.DataFrame, varies: tuple[Vary, ...]) -> str:
    """What the Pareto chart puts on x: posts allocated when they change between the points;
    otherwise the varied budget, or the first numeric PATH (a cost the planner chose)."""
    plans = table[table[UNMET].notna()] if UNMET in table else table.iloc[0:0]
    if POSTS in plans and plans[POSTS].nunique() > 1:
        return POSTS
    candidates = [v.path for v in varies if numeric(v)]
    if PREFERRED_COST in candidates:
        return PREFERRED_COST
    return candidates[0] if candidates else POSTS


@dataclass(frozen=True)
class Pareto:
    """Every point with a plan as (grid position, x, unmet need), and the non-dominated ones."""

    axis: str
    points: list[tuple[int, float, float]]
    front: list[tuple[int, float, float]]


def non_dominated(points: list[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
    """Points no other point beats on both x and unmet need (at least as good on both and
    better on one), sorted by x: the planner's best trade-offs."""
    front = [p for p in points
             if not any(q[1] <= p[1] and q[2] <= p[2] and (q[1] < p[1] or q[2] < p[2])
                        for q in points)]
    return sorted(front, key=lambda p: (p[1], p[2], p[0]))


def _as_number(value: Any) -> float | None:  # noqa: ANN401 - a cell or a varied value
    """A finite number (numpy or Python), else None (no plan, `null`, text, true/false)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def pareto(table: pd.DataFrame, varies: tuple[Vary, ...]) -> Pareto:
    """The Pareto points of a complete sweep (rows without a plan are left out)."""
    rows = with_points(table, varies)
    axis = pareto_axis(rows, varies)
    points = []
    for position, (point, row) in enumerate(zip(rows["point"], rows.to_dict("records"),
                                                strict=True)):
        x = _as_number(point[axis] if axis in point else row.get(axis))
        y = _as_number(row.get(UNMET))
        if x is not None and y is not None:
            points.append((position, x, y))
    return Pareto(axis, points, non_dominated(points))


def _integer_axis(axis: Any, values: list[float], lang: str) -> None:  # noqa: ANN401
    """Whole-number ticks with the language's separators when the values are whole."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if all(float(v).is_integer() for v in values):
        axis.set_major_locator(MaxNLocator(integer=True))
        axis.set_major_formatter(FuncFormatter(number_formatter(lang)))


def sweep_chart(table: pd.DataFrame, varies: tuple[Vary, ...], title: str, t: dict[str, str],
                lang: str) -> str:
    """Weighted unmet need against the first PATH, one line per value of the second."""
    rows = with_points(table, varies)
    first = varies[0]
    is_num = numeric(first)
    position = {repr(v): (v if is_num else i) for i, v in enumerate(first.values)}
    groups: list[tuple[Any, pd.DataFrame]] = [(None, rows)] if len(varies) == 1 else [
        (value, rows[[repr(p[varies[1].path]) == repr(value) for p in rows["point"]]])
        for value in varies[1].values]
    label = f"{title}: {t['sweep_chart']}"
    missing = 0
    with figure(7.0, 4.0, "sweep") as fig:
        from matplotlib.ticker import FuncFormatter

        ax = fig.add_subplot()
        for value, part in groups:
            ok = part[part[UNMET].notna()]
            missing += len(part) - len(ok)
            xs = [position[repr(p[first.path])] for p in ok["point"]]
            name = None if value is None else f"{varies[1].path} = {value}"
            ax.plot(xs, ok[UNMET].astype(float).tolist(), marker="o", label=name)
        if is_num:
            _integer_axis(ax.xaxis, [float(v) for v in first.values], lang)
        else:
            ax.set_xticks(list(position.values()), [str(v) for v in first.values])
        ax.yaxis.set_major_formatter(FuncFormatter(number_formatter(lang)))
        ax.set_xlabel(first.path)
        ax.set_ylabel(t["unmet_after"])
        note = f" ({t['not_shown'].format(n=missing)})" if missing else ""
        ax.set_title(f"{title} — {t['sweep_chart']}{note}")
        ax.grid(True, alpha=0.3)
        if len(groups) > 1:
            fig.legend(loc="outside lower center", ncols=min(len(groups), 3))
        return to_svg(fig, label, "sweep")


def pareto_chart(front: Pareto, title: str, x_label: str, t: dict[str, str], lang: str) -> str:
    """Every point (x, unmet need), the non-dominated ones joined as the Pareto front."""
    label = f"{title}: {t['pareto_chart']}"
    with figure(7.0, 4.0, "pareto") as fig:
        from matplotlib.ticker import FuncFormatter

        ax = fig.add_subplot()
        ax.scatter([p[1] for p in front.points], [p[2] for p in front.points], s=22,
                   color=REFERENCE_COLOUR, label=t["all_points"], zorder=2)
        ax.plot([p[1] for p in front.front], [p[2] for p in front.front], marker="o",
                color=AFTER_COLOUR, label=t["front"], zorder=3)
        _integer_axis(ax.xaxis, [p[1] for p in front.points], lang)
        ax.yaxis.set_major_formatter(FuncFormatter(number_formatter(lang)))
        ax.set_xlabel(x_label)
        ax.set_ylabel(t["unmet_after"])
        ax.set_title(f"{title} — {t['pareto_chart']}")
        ax.grid(True, alpha=0.3)
        fig.legend(loc="outside lower center", ncols=2)
        return to_svg(fig, label, "pareto")
