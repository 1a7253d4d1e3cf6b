"""The HTML report: one self-contained file (inline CSS, SVG and one small script; nothing
is loaded from the network, and a Content-Security-Policy says so to the browser).

This module only formats: figures come from `tables.ReportData`, charts from `charts`, the
map from `mapsvg`, wording from `i18n`; the page itself is the Jinja2 template
`templates/report.html.j2` (autoescaped, so a delegation named `<script>` stays text), with
its style sheets and script in `templates/*.css.j2` and `templates/report.js.j2`. The
script only sorts and filters the delegation x specialty table: without it the page is
complete, and printing it (A4 landscape, `report.print.css.j2`) needs no script either.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from optimiser.report import charts, geometry, horizon, i18n, large, matrix, why
from optimiser.report.base import TOTAL, ReportData, Table
from optimiser.report.pareto import pareto_section

TEMPLATES = Path(__file__).parent / "templates"
NUMERIC_KINDS = frozenset({"int", "num1", "num2", "pct", "money", "year"})
SHOWN = ("promotions", "categories", "region_specialty", "regions", "delegations",
         "contingents", "deployments", "parameters", "solver", "specialties", "overrides",
         "constraints", "sources", "sensitivity", "sensitivity_capacity",
         "sensitivity_constraints", "uptake", "dependencies", "dependency_binding",
         "regions_by_year")
HIDDEN_COLUMNS = {"sensitivity": ("receiver",)}  # the name is shown; Excel keeps the code


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The Jinja2 environment (built once). Compiling the template costs ~0.08 s: the
    compiled code is kept in the user cache (optimiser/cache.py)."""
    import jinja2

    from optimiser.cache import template_cache

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), bytecode_cache=template_cache("html-1"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=4)
def asset(name: str) -> str:
    """A static file of the page (style sheet, script), inlined as it is."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def csp_hash(script: str) -> str:
    """The Content-Security-Policy hash that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def view(table: Table, lang: str, key: str | None = None) -> dict[str, Any]:
    """Headers and formatted cells of `table`, with CSS classes for alignment and script.

    A name column and its Arabic twin (`Table.folds`) share one cell: the name in the
    report's language first, the other under it. Excel keeps both columns.
    """
    columns = list(table.frame.columns)
    folds = table.folded()
    hidden = set(folds.values()) | set(HIDDEN_COLUMNS.get(table.key, ()))
    shown = [c for c in columns if c not in hidden]
    headers = [{"label": i18n.column(c, lang, table.labels),
                "cls": "num" if table.kinds[c] in NUMERIC_KINDS else ""} for c in shown]
    records = table.records()
    rows = []
    for index, record in enumerate(records):
        kinds = table.kinds_of_row(index)
        values = dict(zip(columns, record, strict=True))
        total = table.total_row and index == len(records) - 1
        cells = [_cell(values, name, kinds[name], lang, table, folds, total) for name in shown]
        rows.append({"cells": cells, "total": total})
    return {"key": key or table.key, "headers": headers, "rows": rows}


def _cell(values: dict[str, Any], name: str, kind: str, lang: str, table: Table,
          folds: dict[str, str], total: bool) -> dict[str, Any]:
    """One formatted cell: text, class, language and the optional line under it."""
    value = values[name]
    numeric = kind in NUMERIC_KINDS or (
        kind == "value" and isinstance(value, int | float) and not isinstance(value, bool))
    cls = "num" if numeric else {"ar": "ar", "data": "data"}.get(kind, "txt")
    cell = {"text": i18n.cell(value, kind, lang), "cls": cls, "lang": "", "sub": "",
            "sub_lang": ""}
    if kind == "ar":
        cell["lang"] = "ar"
    elif kind == "place" and i18n.is_missing(value):
        cell["text"] = i18n.text("no_receiver", lang)
    elif kind == "spec" and value in table.names:
        cell["sub"], cell["sub_lang"] = table.names[value][lang], lang
    if total and value == TOTAL:
        cell["text"] = i18n.text("total", lang)
    elif name in folds and not i18n.is_missing(value):
        arabic = values[folds[name]]
        cell["text"] = i18n.name(value, arabic, lang)
        cell["sub"] = i18n.other_name(value, arabic, lang)
        cell["sub_lang"] = "fr" if lang == "ar" else "ar"
        if lang == "ar" and cell["text"] == arabic:
            cell["lang"] = "ar"
    return cell


def render(data: ReportData, lang: str, timestamp: bool) -> str:
    """The whole report page as a string."""
    tables = dict(data.tables)
    if not timestamp:
        tables["solver"] = tables["solver"].without_time()
    shown = large.page_delegations(tables["delegations"].frame)
    tables["delegations"] = large.listed_rows(tables["delegations"], shown)
    views: dict[str, Any] = {key: view(tables[key], lang) for key in SHOWN if key in tables}
    views["region_totals"] = view(tables["regions"].select(
        ["name_fr", "name_ar", "unmet_before", "unmet_after", "posts", "foreign"]), lang,
        "region_totals")
    for key in ("sensitivity", "sensitivity_capacity", "sensitivity_constraints", "uptake"):
        views.setdefault(key, None)
    if data.horizon is not None:
        views["years"] = view(tables["years"].select(horizon.YEARS_SHOWN), lang)
    map_result = geometry.render_map(data.places, lang)
    svgs = {
        "categories": charts.categories(tables["categories"], lang,
                                        data.summary["reference_2024_posts"]),
        "unmet": charts.unmet_by_region(tables["regions"], lang),
        "density": charts.density_by_region(tables["regions"], lang),
        "worst": charts.worst_off(tables["worst_off"], lang),
    }
    if data.horizon is not None:
        svgs["horizon"] = horizon.chart(tables["regions_by_year"], lang)
    script = asset("report.js.j2")
    sources = tables["sources"].frame
    context = {
        "lang": lang,
        "dir": i18n.DIRECTION[lang],
        "t": {key: wording[lang] for key, wording in i18n.TEXT.items()},
        "titles": {key: wording[lang] for key, wording in i18n.TABLE_TITLES.items()},
        "s": data.summary,
        "f": {**_formatted(data, lang, map_result), **_listed_sentence(data, shown, lang)},
        "v": views,
        "svg": svgs,
        "map": map_result,
        "matrix": matrix.html_view(large.listed_matrix(data.matrix, shown), lang,
                                   why.anchors(tables["why"])),
        "why": why.html_view(tables["why"], data.regions, lang, shown),
        "sens": data.sensitivity,
        "up": data.uptake,
        "dep": data.dependencies,
        "hz": data.horizon,
        "pa": pareto_section(data.meta or {}, lang),
        "cols": {key: i18n.column(key, lang) for key in ("posts", "foreign", "total")},
        "positions": sources.loc[sources["file"] == "delegations.csv", "source"].tolist(),
        "style": asset("report.css.j2"),
        "print_style": asset("report.print.css.j2"),
        "script": script,
        "script_hash": csp_hash(script),
        "stamp": data.summary["generated_at"] if timestamp else None,
    }
    return _environment().get_template("report.html.j2").render(**context)


def _listed_sentence(data: ReportData, shown: frozenset[str] | None, lang: str
                     ) -> dict[str, str]:
    """The note of a page that lists only some delegations (report/large.py)."""
    if shown is None:
        return {"listed": ""}
    return {"listed": i18n.text("listed_delegations", lang,
                                n=i18n.number(data.matrix.n_delegations, lang),
                                k=i18n.number(len(shown), lang))}


def _formatted(data: ReportData, lang: str, map_result: geometry.MapResult) -> dict[str, str]:
    """Sentences and figures of the summary cards and notes, in `lang`."""
    s = data.summary
    num = i18n.number
    budget = s["budget"]
    sens = data.sensitivity or {}
    shadow = sens.get("budget_shadow_cost")
    sep = i18n.text("sep", lang)
    return {
        "status": i18n.term(s["status"], lang),
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
        "why_intro": i18n.text("why_intro", lang,
                               a1=i18n.plain_value(1 + s["absence_penalty"], lang)),
        "categories_note": i18n.text("categories_note", lang,
                                     n=num(s["reference_2024_posts"], lang)),
        "map_as_points": i18n.text("map_as_points", lang, names=sep.join(map_result.as_points)),
        "map_not_shown": i18n.text("map_not_shown", lang, names=sep.join(map_result.not_shown)),
        "map_credit": i18n.text("map_credit", lang, version=map_result.boundary_version),
        "sensitivity_budget": "" if shadow is None else i18n.text(
            "sensitivity_budget", lang, v=num(shadow * 1e5, lang, 2)),
        **_uptake_sentences(data, lang),
        **_horizon_sentences(data, lang),
    }


def _uptake_sentences(data: ReportData, lang: str) -> dict[str, str]:
    """The "where posts may stay empty" notes (none when the plan has no such section)."""
    up = data.uptake
    if up is None:
        return {}
    num = i18n.number
    found = {"uptake_intro": i18n.text(
        "uptake_intro", lang, n=num(up["posts"], lang), arrivals=num(up["expected_arrivals"],
                                                                     lang, 1),
        empty=num(up["expected_empty"], lang, 1), pairs=num(up["at_risk"], lang),
        shown=num(up["shown"], lang))}
    sim = up["simulation"]
    if sim is not None:
        found["uptake_simulation"] = i18n.text(
            "uptake_simulation", lang, draws=num(sim["draws"], lang), seed=sim["seed"],
            mean=num(sim["mean"], lang, 1), se=num(sim["std_error"], lang, 2),
            low=num(sim["p05"], lang, 1), high=num(sim["p95"], lang, 1),
            certain=num(data.summary["unmet_after"], lang, 1))
    return found


def _horizon_sentences(data: ReportData, lang: str) -> dict[str, str]:
    """The note at the top of a horizon plan's page and its section's notes (none for a
    one-year plan)."""
    hz = data.horizon
    if hz is None:
        return {}
    mode = f"horizon_intro_{hz['mode']}"
    discount = i18n.plain_value(float(hz["discount"]), lang)
    weights = (i18n.text("horizon_weights_equal", lang) if float(hz["discount"]) == 1.0
               else i18n.text("horizon_weights", lang, start=hz["start"], discount=discount))
    return {
        "horizon_note": i18n.text("horizon_note", lang, span=horizon.span(hz, lang),
                                  start=hz["start"]),
        "horizon_intro": i18n.text(
            "horizon_intro", lang, start=hz["start"], end=hz["end"],
            mode=i18n.text(mode, lang) if mode in i18n.TEXT else "", weights=weights),
        "horizon_chart_note": i18n.text("horizon_chart_note", lang,
                                        a=i18n.plain_value(hz["absence_penalty"], lang)),
    }
