"""What the run page shows of a plan, built from its plan folder (no HTTP here).

Every figure comes from the report's own code (`report.load`, `report.tables`, the map of
`report.geometry`/`mapsvg`, `report.matrix`, `report.html.view`), so the page and report.html
can never disagree, and the page speaks the report's three languages. The headline figures
are read straight from plan.json. An infeasible run's explanation (conflict.json, written by
the worker from `whatif.explain`) is turned into sentences a planner reads; the solver's own
English wording stays beside them, with its figures.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimiser.report import geometry, html, i18n, matrix
from optimiser.report.load import PLAN_FILE, PlanError, load_plan
from optimiser.report.tables import build_report_data
from optimiser.web.datasets import DEFAULT_ID
from optimiser.web.i18n import words

if TYPE_CHECKING:
    from optimiser.web.service import Service

PLANNED = ("optimal", "feasible")
HISTORY_ROWS = 200


# -- the run and its history ---------------------------------------------------------------

def dataset_names(service: Service) -> dict[str, tuple[str, str]]:
    """Dataset folder (absolute, as the registry records it) -> (dataset id, name)."""
    names = {}
    for dataset_id in service.datasets.ids():
        folder = service.datasets.folder(dataset_id)
        if folder is not None:
            name = folder.name if dataset_id == DEFAULT_ID else \
                service.datasets.info(dataset_id).name
            names[os.path.abspath(folder)] = (dataset_id, name)
    return names


def dataset_label(names: dict[str, tuple[str, str]], recorded: str | None) -> str:
    """The dataset's name as the planner gave it; for a folder the service does not know (a
    CLI run) its last part only, never a server path."""
    if not recorded:
        return "—"
    return names[recorded][1] if recorded in names else Path(recorded).name


def dataset_id(service: Service, state: dict[str, Any]) -> str | None:
    """The service's id of a run's dataset: by folder, else by fingerprint (None: unknown)."""
    found = dataset_names(service).get(state.get("dataset") or "")
    if found is not None:
        return found[0]
    sha = state.get("dataset_sha256")
    for candidate in service.datasets.ids() if sha else ():
        if service.datasets.info(candidate).sha256 == sha:
            return candidate
    return None


def history(service: Service, lang: str) -> list[dict[str, Any]]:
    """The runs page's rows: each run with its dataset's name, its objective in the page's
    number format, and whether it has a plan (then it can be compared)."""
    names = dataset_names(service)
    rows = []
    for run in service.runs(HISTORY_ROWS):
        created = run.get("created_at") or ""
        rows.append({**run, "dataset_name": dataset_label(names, run.get("dataset")),
                     "created": created[:16].replace("T", " "),
                     "objective_text": i18n.number(run.get("objective"), lang, 2),
                     "planned": run.get("status") in PLANNED})
    return rows


def run_context(service: Service, state: dict[str, Any], lang: str) -> dict[str, Any]:
    """What run.html needs beyond the run's state: the plan view, the explanation, names."""
    planned = state.get("status") in PLANNED
    created = state.get("created_at") or ""
    return {
        "view": plan_view(service.plan_folder(state["id"]), lang) if planned else None,
        "explanation": conflict_view(state.get("conflict"), lang)
        if state.get("status") == "infeasible" else None,
        "dataset_name": dataset_label(dataset_names(service), state.get("dataset")),
        "created": created[:16].replace("T", " "),
    }


# -- the plan ------------------------------------------------------------------------------

def headline(meta: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The key figures of plan.json: raw value (`v`, for the page's data-v) and its text."""
    num = i18n.number
    totals = meta.get("totals") or {}
    unmet = meta.get("unmet_need") or {}
    seconds = meta.get("solve_seconds")
    figures = [
        ("objective", meta.get("objective"), num(meta.get("objective"), lang, 2), ""),
        ("unmet_before", unmet.get("before"), num(unmet.get("before"), lang, 1), ""),
        ("unmet_after", unmet.get("after"), num(unmet.get("after"), lang, 1), ""),
        *([("expected_unmet_need", meta["expected_unmet_need"],
            num(meta["expected_unmet_need"], lang, 1), "uptake.csv")]
          if meta.get("expected_unmet_need") is not None else []),
        ("posts_allocated", totals.get("posts_allocated"),
         num(totals.get("posts_allocated"), lang),
         i18n.text("of_available", lang, n=num(totals.get("posts_available"), lang))),
        ("foreign_deployed", totals.get("foreign_deployed"),
         num(totals.get("foreign_deployed"), lang),
         i18n.text("of_available", lang, n=num(totals.get("foreign_available"), lang))),
        ("status", meta.get("status"), i18n.term(meta.get("status"), lang),
         str(meta.get("solver") or "")),
        ("gap", meta.get("gap"), i18n.percent(meta.get("gap"), lang, 2), ""),
        ("solve_seconds", seconds, num(seconds, lang, 2), ""),
    ]
    return [{"key": key, "label": i18n.text(key, lang), "v": value, "text": text, "sub": sub}
            for key, value, text, sub in figures]


def plan_view(folder: Path | None, lang: str) -> dict[str, Any] | None:
    """Headline, map, tables of the plan in `folder` (None: no folder or no valid plan)."""
    if folder is None:
        return None
    try:
        stamp = (folder / PLAN_FILE).stat().st_mtime_ns
    except OSError:
        return None
    try:
        return _plan_view(str(folder), stamp, lang)
    except PlanError:
        return None


@lru_cache(maxsize=32)
def _plan_view(folder: str, stamp: int, lang: str) -> dict[str, Any]:
    """Built once per folder, version and language (the map takes ~0.1 s); never mutated."""
    del stamp  # part of the cache key only: a rewritten plan is built again
    plan = load_plan(Path(folder))
    data = build_report_data(plan)
    tables = data.tables
    drawn = geometry.render_map(data.places, lang)
    sep = i18n.text("sep", lang)
    notes = []
    if drawn.kind == "points":
        notes.append(i18n.text("map_points", lang))
    if drawn.kind == "none":
        notes.append(i18n.text("map_none", lang))
    if drawn.as_points:
        notes.append(i18n.text("map_as_points", lang, names=sep.join(drawn.as_points)))
    if drawn.not_shown and drawn.kind != "none":
        notes.append(i18n.text("map_not_shown", lang, names=sep.join(drawn.not_shown)))
    if drawn.kind == "boundaries":
        notes.append(i18n.text("map_boundaries", lang) + i18n.text("colon", lang)
                     + i18n.text("map_credit", lang, version=drawn.boundary_version))
    return {
        "headline": headline(dict(plan.meta), lang),
        "map_svg": drawn.svg,  # drawn by report.mapsvg, which escapes every text it writes
        "map_title": i18n.text("map_title", lang),
        "map_notes": notes,
        "regions_title": i18n.title("regions", lang),
        "regions": html.view(tables["regions"], lang),
        "delegations_title": i18n.title("delegations", lang),
        "delegations": html.view(tables["delegations"], lang),
        "matrix_title": i18n.text("matrix_title", lang),
        "matrix": matrix.html_view(data.matrix, lang, {}),
        "matrix_words": {key: i18n.text(key, lang) for key in (
            "matrix_delegation", "matrix_foreign", "matrix_foreign_mark",
            "matrix_region_total", "matrix_national_total", "matrix_intro")},
        "cols": {key: i18n.column(key, lang) for key in ("posts", "foreign", "total")},
    }


# -- the infeasibility explanation ---------------------------------------------------------

RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("plan_rule_posts_all", re.compile(
        r"^posts\[(?P<s>[^,\]]+),(?P<p>[^\]]+)\] = (?P<n>\d+): all ")),
    ("plan_rule_posts_most", re.compile(
        r"^posts\[(?P<s>[^,\]]+),(?P<p>[^\]]+)\] = (?P<n>\d+): at most ")),
    ("plan_rule_capacity", re.compile(
        r"^capacity\[(?P<s>[^\]]+)\]: the \d+ delegations .* can take (?P<n>[\d .,]+?) new ")),
    ("plan_rule_size", re.compile(
        r"^size\[(?P<c>[^,\]]+),(?P<s>[^\]]+)\]: contingent .* offers (?P<n>\d+) doctors")),
    ("plan_rule_team", re.compile(
        r"^team\[(?P<c>[^\]]+)\]: contingent .* sends at least (?P<n>\d+) doctors")),
    ("plan_rule_sites", re.compile(
        r"^sites\[(?P<c>[^\]]+)\]: contingent .* serves at most (?P<n>\d+) delegations")),
    ("plan_rule_budget", re.compile(r"^budget: foreign doctors cost at most (?P<n>.+)$")),
    ("plan_rule_budget_paid", re.compile(
        r"^budget: foreign doctors and incentive allowances cost at most (?P<n>.+)$")),
    ("plan_rule_scenario", re.compile(r"^scenario\[(?P<name>.*?)\]: (?P<what>.*)$", re.S)),
    ("plan_rule_fixed", re.compile(r"^the rules that cannot be relaxed")),
)


def rule_sentence(line: str, lang: str) -> str:
    """A conflicting rule in the page's language (the solver's line when it is unknown)."""
    for key, pattern in RULES:
        found = pattern.match(line)
        if found:
            return words(lang)[key].format(**found.groupdict())
    return line


def _value(value: Any, lang: str) -> str:  # noqa: ANN401 - a scenario value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return i18n.number(value, lang, 0 if float(value).is_integer() else 2)
    return i18n.plain_value(value, lang)


def patch_sentence(path: str, value: Any, lang: str) -> str:  # noqa: ANN401
    """One change of a relaxation's scenario patch (whatif.paths PATH) in words."""
    t = words(lang)
    shown = _value(value, lang)
    head, _, rest = path.partition(".")
    if head == "constraints" and rest.count(".") >= 1:
        name, bound = rest.rsplit(".", 1)
        return t["plan_patch_constraint"].format(name=name, value=shown,
                                                 bound=t.get(f"plan_bound_{bound}", bound))
    parts = rest.split(".")
    if head == "overrides" and len(parts) == 3 and parts[0] == "posts":
        return t["plan_patch_posts"].format(s=parts[1], p=parts[2], value=shown)
    if head == "overrides" and len(parts) == 3 and parts[0] == "capacity":
        return t["plan_patch_capacity"].format(d=parts[1], s=parts[2], value=shown)
    if head == "overrides" and len(parts) == 3 and parts[0] == "contingent_size":
        return t["plan_patch_size"].format(c=parts[1], s=parts[2], value=shown)
    if path == "parameters.budget":
        return t["plan_patch_budget"].format(value=shown)
    return f"{path} = {shown}"


def _relaxation(relax: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    if not relax:
        return None
    patch = relax.get("scenario_patch") or {}
    return {"sentences": [patch_sentence(p, v, lang) for p, v in patch.items()],
            "engine": list(relax.get("changes") or []),
            "rules": [rule_sentence(r, lang) for r in relax.get("rules") or []],
            "needs_data_change": bool(relax.get("needs_data_change")),
            "can_run": bool(patch) and not relax.get("needs_data_change")}


def conflict_view(conflict: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """conflict.json for the page: rules, least relaxation, the one-rule alternatives."""
    if not conflict:
        return None
    lines = (conflict.get("conflict") or {}).get("rules") or []
    least = conflict.get("least_total_relaxation")
    alternatives = [_relaxation(r, lang) for r in conflict.get("alternatives") or []
                    if r != least]
    return {"rules": [{"text": rule_sentence(line, lang), "engine": line} for line in lines],
            "complete": bool((conflict.get("conflict") or {}).get("complete", True))
            and bool(conflict.get("complete", True)),
            "least": _relaxation(least, lang), "alternatives": alternatives}


def least_patch(conflict: dict[str, Any] | None) -> dict[str, Any] | None:
    """The scenario patch of the least relaxation, when a scenario alone can make it."""
    least = (conflict or {}).get("least_total_relaxation") or {}
    patch = least.get("scenario_patch")
    if not patch or least.get("needs_data_change") or not isinstance(patch, dict):
        return None
    return patch


def relaxed_yaml(scenario_yaml: str, patch: dict[str, Any]) -> str:
    """The run's scenario with the relaxation applied, as YAML for a new run.

    The name gets `-relaxed` so the history tells the two runs apart.
    """
    import yaml

    from optimiser.scenario import NAME_CHARS
    from optimiser.whatif.explain import apply_patch
    from optimiser.yamlread import load_yaml

    document = load_yaml(scenario_yaml, "scenario.yaml")[0] or {}
    document = apply_patch(dict(document), patch)
    name = str(document.get("name") or "scenario")
    if not name.endswith("-relaxed") and len(name) + 8 <= NAME_CHARS:
        document["name"] = f"{name}-relaxed"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
