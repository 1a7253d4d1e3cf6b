"""The report of a plan of several years (`parameters.horizon`; issue 16: "Results per year
in plan.json, the CSVs, the report (a chart of unmet need per year, by region) and Excel").

`optimiser solve` with a horizon writes one plan folder for every year: the three tables gain
a `year` column (every year's rows) and plan.json gains `horizon` and `years`. Every other
section of the report explains one round, so for such a plan they show the FIRST year, the
round decided now (later years are planned again when they come). `first_year` turns the
folder into the one-year plan of that year, so the existing sections run unchanged: its rows
only, and the first year's figures in place of the top-level keys that cover the whole
horizon (totals, unmet need, posts by category and promotion, scenario constraints). The
solve's own figures (status, objective, bound, gap) stay those of the whole horizon.

The section "Several years" shows every year: plan.json `years` as written, and the weighted
unmet need left after each year by region, recomputed from that year's delegation rows
(MODEL.md objective, first term: priority weight x specialty weight x (shortfall + A x
absence shortfall)), as a table and as an inline SVG line chart written element by element
(deterministic text, a `<title>` per point, the figures in `data-` attributes).

A plan without `horizon` is returned as it is and gets no section: its report is unchanged,
byte for byte. A `horizon` of the wrong shape makes the folder unreportable (`check`, called
by load.py): unlike an optional section, it changes what every table means.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, MutableSequence
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from optimiser.report import i18n
from optimiser.report.assumptions import parameter_rows, parameters_table
from optimiser.report.base import TOTAL, Table

if TYPE_CHECKING:
    from optimiser.report.load import Plan

ROW_TABLES = ("allocations", "foreign", "delegations")
CATEGORIES = ("creation", "compensation", "reinforcement")
YEAR_KINDS = {"year": "year", "year_weight": "num2", "year_objective": "num2",
              "posts_available": "int", "posts": "int", "foreign": "int",
              "staff_before": "num1", "staff_after": "num1", "unmet_before": "num1",
              "unmet_after": "num1", "budget_used": "money", "delegations_reached": "int"}
YEARS_SHOWN = ["year", "posts", "foreign", "staff_after", "unmet_before", "unmet_after",
               "delegations_reached"]  # the page's table; the workbook keeps every column
MODES = ("joint", "rolling")


class _Horizon(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
    start: int
    end: int
    discount: float = 1.0
    mode: str = "joint"


class _Year(BaseModel):
    """One row of plan.json `years`."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
    year: int
    weight: float
    objective: float
    posts_available: int
    posts_allocated: int
    foreign_deployed: int
    staff_before: float
    staff_after: float
    unmet_need_before: float
    unmet_need_after: float
    budget_used: float
    delegations_reached: int


class Section(BaseModel):
    """plan.json `horizon` and `years`: one row per year, from start to end, in order."""

    model_config = ConfigDict(extra="ignore")
    horizon: _Horizon
    years: list[_Year]

    @model_validator(mode="after")
    def _every_year(self) -> Section:
        expected = list(range(self.horizon.start, self.horizon.end + 1))
        if [y.year for y in self.years] != expected:
            raise ValueError(f"years must list {self.horizon.start} to {self.horizon.end} "
                             "in order")
        return self

    @property
    def start(self) -> int:
        """The first year, the round decided now."""
        return self.horizon.start

    @property
    def end(self) -> int:
        """The last year planned."""
        return self.horizon.end


def read(meta: Mapping[str, Any]) -> Section | None:
    """The horizon of plan.json; None for a one-year plan (or one `check` refuses)."""
    if "horizon" not in meta:
        return None
    try:
        return Section.model_validate({"horizon": meta.get("horizon"),
                                       "years": meta.get("years")})
    except ValidationError:
        return None


def check(meta: Mapping[str, Any], frames: Mapping[str, pd.DataFrame],
          problems: MutableSequence[str]) -> None:
    """Problems of a horizon plan's `horizon`, `years` and row `year`s (nothing to check
    without `horizon`): the report cannot tell one year's rows from another's without them."""
    if "horizon" not in meta:
        return
    try:
        section = Section.model_validate({"horizon": meta.get("horizon"),
                                          "years": meta.get("years")})
    except ValidationError as exc:
        problems.append(f"plan.json keys 'horizon' and 'years' are not a valid horizon: "
                        f"{exc.errors()[0]['msg']}")
        return
    for key in ROW_TABLES:
        frame = frames[key]
        if frame.empty:
            continue
        if "year" not in frame.columns:
            problems.append(f"{key} rows of a horizon plan lack the column 'year'")
            continue
        years = pd.to_numeric(frame["year"], errors="coerce")
        if not years.between(section.start, section.end).all():
            problems.append(f"{key} rows have a year outside {section.start}-{section.end}")
    rows = frames["delegations"]
    if "year" in rows.columns and not (rows["year"] == section.start).any():
        problems.append(f"delegations rows have no row of the first year {section.start}")


def first_year(plan: Plan) -> Plan:
    """The one-year plan of the horizon's first year (`plan` itself without a horizon)."""
    section = read(plan.meta)
    if section is None:
        return plan
    frames = {key: year_rows(getattr(plan, key), section.start) for key in ROW_TABLES}
    return dataclasses.replace(plan, meta=_first_year_meta(plan.meta, section, frames),
                               **frames)


def year_rows(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of `year`, without the `year` column (a one-year plan's table)."""
    if "year" not in frame.columns:
        return frame
    return frame.loc[frame["year"] == year].drop(columns="year").reset_index(drop=True)


def _first_year_meta(meta: Mapping[str, Any], section: Section,
                     frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """plan.json as a one-year plan of the first year: its rows, and its own figures where
    the top-level key covers the whole horizon."""
    first = section.years[0]
    found = dict(meta)
    for key in (*ROW_TABLES, "scenario_constraints"):
        found[key] = [{k: v for k, v in row.items() if k != "year"}
                      for row in meta.get(key) or []
                      if isinstance(row, Mapping) and row.get("year", section.start)
                      == section.start]
    supply = sum(sum((c.get("supply") or {}).values()) for c in meta.get("contingents") or []
                 if isinstance(c, Mapping))
    found["totals"] = {**(meta.get("totals") or {}),
                       "posts_available": first.posts_available,
                       "posts_allocated": first.posts_allocated,
                       "foreign_available": supply,
                       "foreign_deployed": first.foreign_deployed}
    found["unmet_need"] = {"before": first.unmet_need_before, "after": first.unmet_need_after}
    found["posts_by_category"] = {c: int(frames["delegations"][c].sum()) for c in CATEGORIES}
    found["posts_by_promotion"] = {
        str(p): int(n) for p, n in frames["allocations"].groupby("promotion")["posts"].sum()
        .items()}
    found["budget_used"] = first.budget_used
    found["delegations_reached"] = first.delegations_reached
    return found


def horizon_tables(plan: Plan, first: Mapping[str, Any], regions: pd.DataFrame,
                   penalty: float) -> tuple[dict[str, Table], dict[str, Any] | None]:
    """Tables `years`, `regions_by_year` and the parameters (the horizon's own rows in
    words), and the section's facts; nothing for a one-year plan.

    `plan` is the whole horizon (every year's rows), `first` the first year's plan.json.
    """
    section = read(plan.meta)
    if section is None:
        return {}, None
    by_region = _regions_by_year(plan.delegations, regions, section, penalty)
    facts = {"start": section.start, "end": section.end,
             "discount": section.horizon.discount, "mode": section.horizon.mode,
             "years": len(section.years), "absence_penalty": penalty,
             "unmet_before": section.years[0].unmet_need_before,
             "unmet_after": section.years[-1].unmet_need_after}
    tables = {"years": _years(section), "regions_by_year": by_region,
              "parameters": _parameters(first, section)}
    return tables, facts


def _years(section: Section) -> Table:
    """plan.json `years` as written, one row per year."""
    frame = pd.DataFrame([{
        "year": y.year, "year_weight": y.weight, "year_objective": y.objective,
        "posts_available": y.posts_available, "posts": y.posts_allocated,
        "foreign": y.foreign_deployed, "staff_before": y.staff_before,
        "staff_after": y.staff_after, "unmet_before": y.unmet_need_before,
        "unmet_after": y.unmet_need_after, "budget_used": y.budget_used,
        "delegations_reached": y.delegations_reached} for y in section.years],
        columns=list(YEAR_KINDS))
    return Table("years", frame, YEAR_KINDS)


def unmet_after(rows: pd.DataFrame, penalty: float) -> pd.Series:
    """Weighted unmet need left after the year of each row (MODEL.md objective, first
    term): priority weight x specialty weight x (shortfall + A x absence shortfall)."""
    weight = rows["priority_weight"] * rows["specialty_weight"]
    return weight * (rows["shortfall"] + penalty * rows["absence_shortfall"])


def _regions_by_year(rows: pd.DataFrame, regions: pd.DataFrame, section: Section,
                     penalty: float) -> Table:
    """Weighted unmet need after each year (columns) by region (rows), with a national
    total row; regions in plan.json order, as in the other region tables."""
    years = [y.year for y in section.years]
    need = rows.assign(need=unmet_after(rows, penalty)).pivot_table(
        index="region", columns="year", values="need", aggfunc="sum", fill_value=0.0)
    need = need.reindex(columns=years, fill_value=0.0)
    need.columns = [str(y) for y in years]
    frame = regions.merge(need, left_on="region", right_index=True, how="inner")
    columns = [str(y) for y in years]
    total = {"region": "", "name_fr": TOTAL, "name_ar": "",
             **{c: float(frame[c].sum()) for c in columns}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    kinds = {"region": "code", "name_fr": "text", "name_ar": "ar",
             **{c: "num1" for c in columns}}
    labels = {c: {lang: c for lang in i18n.LANGUAGES} for c in columns}
    return Table("regions_by_year", frame.loc[:, list(kinds)].reset_index(drop=True), kinds,
                 labels=labels, total_row=True)


def _parameters(first: Mapping[str, Any], section: Section) -> Table:
    """The parameters table with the horizon in words (plan.json holds it as an object):
    its years, discount and how the years were solved."""
    params = {k: v for k, v in (first.get("parameters") or {}).items() if k != "horizon"}
    mode = section.horizon.mode
    return parameters_table([
        *parameter_rows(params),
        ("horizon", "horizon", f"{section.start}-{section.end}", "value"),
        ("horizon_discount", "horizon.discount", section.horizon.discount, "value"),
        ("horizon_mode", "horizon.mode", f"horizon_mode_{mode}" if mode in MODES else mode,
         "term")])


def summary_items(facts: Mapping[str, Any] | None) -> list[tuple[str, Any, str]]:
    """Rows of the workbook's summary sheet saying which years the plan covers and which
    one its other sheets show (none for a one-year plan)."""
    if facts is None:
        return []
    return [("horizon_item", f"{facts['start']}-{facts['end']}", "text"),
            ("horizon_shown_item", facts["start"], "year")]


def span(facts: Mapping[str, Any], lang: str) -> str:
    """The horizon as written in a sentence: 2024-2030 (kept whole in Arabic text)."""
    return i18n.isolate(f"{facts['start']}-{facts['end']}", lang)


# -- the chart: weighted unmet need after each year, one line per region ------------------

PALETTE = ("#1f5f8b", "#c9a227", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22", "#ff7f0e", "#000000")
WIDTH, PLOT_TOP, PLOT_HEIGHT = 720, 30, 230
LEFT, RIGHT, PAD = 70, 16, 24
LEGEND_COLUMNS, LEGEND_ROW = 3, 18
GRID, AXIS, INK = "#e3e3e3", "#999", "#222"


def chart(table: Table, lang: str) -> str:
    """The `regions_by_year` table as an SVG line chart: years across, weighted unmet need
    up, one line per region (colours in plan.json's region order, dashed after the 12th),
    the legend under it. Every point has a `<title>` (region, year, figure) and its exact
    figure in `data-value`; the words are in `lang`, Arabic legend entries read from the
    right."""
    from optimiser.report.mapsvg import nice_step

    body = table.frame.iloc[:-1] if table.total_row else table.frame
    years = [c for c in table.frame.columns if table.kinds[c] == "num1"]
    values = body[years].to_numpy(dtype=float)
    top = float(values.max()) if values.size else 0.0
    step = nice_step(max(top, 1.0), 5)
    ticks = int(top // step) + 1 if top > 0 else 1
    ceiling = ticks * step
    right = WIDTH - RIGHT

    def x_of(i: int) -> float:
        if len(years) == 1:
            return (LEFT + right) / 2
        return LEFT + PAD + i * (right - LEFT - 2 * PAD) / (len(years) - 1)

    def y_of(v: float) -> float:
        return PLOT_TOP + PLOT_HEIGHT * (1 - v / ceiling)

    decimals = 0 if float(step).is_integer() else 1
    label = i18n.text("horizon_chart", lang)
    bottom = PLOT_TOP + PLOT_HEIGHT
    rows = -(-len(body) // LEGEND_COLUMNS)
    height = bottom + 36 + rows * LEGEND_ROW
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="years" viewBox="0 0 {WIDTH} '
           f'{height}" width="{WIDTH}" height="{height}" role="img" '
           f'aria-label="{escape(label, quote=True)}" font-family="DejaVu Sans, Liberation '
           f'Sans, Arial, sans-serif" font-size="11">',
           f'<text x="{LEFT}" y="14" fill="{INK}">{escape(i18n.text("horizon_axis", lang))}'
           "</text>"]
    for k in range(ticks + 1):
        y = y_of(k * step)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                   f'stroke="{GRID if k else AXIS}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
                   f"{escape(i18n.number(k * step, lang, decimals))}</text>")
    out.append(f'<line x1="{LEFT}" y1="{PLOT_TOP}" x2="{LEFT}" y2="{bottom}" '
               f'stroke="{AXIS}"/>')
    for i, year in enumerate(years):
        out.append(f'<text x="{x_of(i):.1f}" y="{bottom + 16}" text-anchor="middle" '
                   f'fill="{INK}">{escape(year)}</text>')
    names = [i18n.name(fr, ar, lang) for fr, ar in zip(body["name_fr"], body["name_ar"],
                                                       strict=True)]
    for r, (code, name) in enumerate(zip(body["region"], names, strict=True)):
        out += _line(str(code), name, r, [(x_of(i), y_of(v), year, v) for i, (year, v) in
                                          enumerate(zip(years, values[r], strict=True))],
                     lang)
    out += _legend(names, bottom + 34, lang)
    out.append("</svg>")
    return "\n".join(out)


def _stroke(index: int) -> str:
    """Colour (and dashes past the palette) of the line of the `index`-th region."""
    colour = PALETTE[index % len(PALETTE)]
    dashed = ' stroke-dasharray="6 3"' if (index // len(PALETTE)) % 2 else ""
    return f'stroke="{colour}"{dashed}'


def _line(code: str, name: str, index: int, points: list[tuple[float, float, str, float]],
          lang: str) -> list[str]:
    """One region's line and its points, each with a hover title."""
    colour = PALETTE[index % len(PALETTE)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _year, _v in points)
    out = [f'<g class="line" data-region="{escape(code, quote=True)}">',
           f"<title>{escape(name)}</title>",
           f'<polyline points="{path}" fill="none" {_stroke(index)} stroke-width="2"/>']
    for x, y, year, value in points:
        tip = i18n.text("horizon_point", lang, name=name, year=year,
                        value=i18n.number(value, lang, 1))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" '
                   f'data-year="{year}" data-value="{value:.6f}"><title>{escape(tip)}</title>'
                   "</circle>")
    out.append("</g>")
    return out


def _legend(names: list[str], top: float, lang: str) -> list[str]:
    """Region names beside their line's colour, in columns; in Arabic the first column is
    on the right and each swatch on the right of its name."""
    width = (WIDTH - LEFT - RIGHT) / LEGEND_COLUMNS
    rtl = i18n.DIRECTION[lang] == "rtl"
    out = ['<g class="legend">']
    for index, name in enumerate(names):
        row, column = divmod(index, LEGEND_COLUMNS)
        y = top + row * LEGEND_ROW
        if rtl:
            edge = WIDTH - RIGHT - column * width
            swatch, text, anchor = edge - 22, edge - 28, "end"
        else:
            edge = LEFT + column * width
            swatch, text, anchor = edge, edge + 28, "start"
        out.append(f'<line x1="{swatch:.1f}" y1="{y - 4:.1f}" x2="{swatch + 22:.1f}" '
                   f'y2="{y - 4:.1f}" {_stroke(index)} stroke-width="2"/>')
        out.append(f'<text x="{text:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}">'
                   f"{escape(name)}</text>")
    out.append("</g>")
    return out
