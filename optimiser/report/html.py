"""The HTML report: one self-contained file (inline CSS and SVG, no script, no network).

This module only formats: figures come from `tables.ReportData`, charts from `charts` and
`geometry`, wording from `i18n`; the page itself is the Jinja2 template
`templates/report.html.j2` (autoescaped, so a delegation named `<script>` stays text).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from optimiser.report import charts, geometry, i18n
from optimiser.report.base import ReportData, Table

TEMPLATES = Path(__file__).parent / "templates"
NUMERIC_KINDS = frozenset({"int", "num1", "num2", "pct", "money"})


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The Jinja2 environment (built once: template compilation costs ~20 ms)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def view(table: Table, lang: str, key: str | None = None) -> dict[str, Any]:
    """Headers and formatted cells of `table`, with CSS classes for alignment and script.

    An Arabic name column is folded into the French name cell (shown under it, right to
    left), which keeps wide tables readable; Excel keeps both columns.
    """
    columns = list(table.frame.columns)
    fold = "name_fr" in columns and "name_ar" in columns
    shown = [c for c in columns if not (fold and c == "name_ar")]
    headers = [{"label": i18n.column(c, lang, table.labels),
                "cls": "num" if table.kinds[c] in NUMERIC_KINDS else ""} for c in shown]
    records = table.records()
    rows = []
    for index, record in enumerate(records):
        kinds = table.kinds_of_row(index)
        values = dict(zip(columns, record, strict=True))
        cells = []
        for name in shown:
            value, kind = values[name], kinds[name]
            numeric = kind in NUMERIC_KINDS or (
                kind == "value" and isinstance(value, int | float) and not isinstance(value, bool))
            cell = {"text": i18n.cell(value, kind, lang),
                    "cls": "num" if numeric else ("ar" if kind == "ar" else "txt"), "ar": ""}
            if fold and name == "name_fr":
                cell["ar"] = values["name_ar"] or ""
            cells.append(cell)
        rows.append({"cells": cells, "total": table.total_row and index == len(records) - 1})
    return {"key": key or table.key, "headers": headers, "rows": rows}


def render(data: ReportData, lang: str, timestamp: bool) -> str:
    """The whole report page as a string."""
    tables = dict(data.tables)
    if not timestamp:
        tables["solver"] = tables["solver"].without_time()
    views = {key: view(table, lang) for key, table in tables.items()}
    views["region_totals"] = view(tables["regions"].select(
        ["name_fr", "unmet_before", "unmet_after", "posts", "foreign"]), lang, "region_totals")
    views.setdefault("sensitivity", None)
    map_result = geometry.render_map(data.places, lang)
    svgs = {
        "categories": charts.categories(tables["categories"], lang,
                                        data.summary["reference_2024_posts"]),
        "unmet": charts.unmet_by_region(tables["regions"], lang),
        "density": charts.density_by_region(tables["regions"], lang),
        "worst": charts.worst_off(tables["worst_off"], lang),
    }
    context = {
        "lang": lang,
        "t": {key: wording[lang] for key, wording in i18n.TEXT.items()},
        "titles": {key: wording[lang] for key, wording in i18n.TABLE_TITLES.items()},
        "s": data.summary,
        "f": _formatted(data, lang, map_result),
        "v": views,
        "svg": svgs,
        "map": map_result,
        "stamp": data.summary["generated_at"] if timestamp else None,
    }
    return _environment().get_template("report.html.j2").render(**context)


def _formatted(data: ReportData, lang: str, map_result: geometry.MapResult) -> dict[str, str]:
    """Sentences and figures of the summary cards and notes, in `lang`."""
    s = data.summary
    num = i18n.number
    budget = s["budget"]
    sources = data.tables["sources"].frame
    deleg_sources = sources.loc[sources["file"] == "delegations.csv", "source"].tolist()
    return {
        "status": i18n.text(s["status"], lang) if s["status"] in i18n.TEXT else s["status"],
        "objective": num(s["objective"], lang, 2),
        "posts_allocated": num(s["posts_allocated"], lang),
        "of_available": i18n.text("of_available", lang, n=num(s["posts_available"], lang)),
        "foreign_deployed": num(s["foreign_deployed"], lang),
        "of_foreign": i18n.text("of_available", lang, n=num(s["foreign_available"], lang)),
        "budget_used": num(s["budget_used"], lang),
        "of_budget": (i18n.text("no_budget_cap", lang) if i18n.is_missing(budget)
                      else i18n.text("of_budget", lang, n=num(budget, lang))),
        "unmet_after": num(s["unmet_after"], lang, 1),
        "unmet_change": i18n.text("unmet_change", lang, before=num(s["unmet_before"], lang, 1),
                                  after=num(s["unmet_after"], lang, 1),
                                  change=i18n.percent(s["unmet_change"], lang, signed=True)),
        "unmet_explained": i18n.text("unmet_explained", lang,
                                     a=i18n.plain_value(s["absence_penalty"], lang)),
        "categories_note": i18n.text("categories_note", lang,
                                     n=num(s["reference_2024_posts"], lang)),
        "map_as_points": i18n.text("map_as_points", lang, names=", ".join(map_result.as_points)),
        "map_not_shown": i18n.text("map_not_shown", lang, names=", ".join(map_result.not_shown)),
        "map_simplified": i18n.text("map_simplified", lang),
        "map_credit": i18n.text("map_credit", lang, version=map_result.boundary_version),
        "map_positions": i18n.text("map_positions", lang, sources="; ".join(deleg_sources)
                                   or i18n.text("none", lang)),
    }
