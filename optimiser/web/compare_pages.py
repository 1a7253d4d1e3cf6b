"""Comparing two runs, and running an infeasible scenario again with its least relaxation.

The comparison is `optimiser compare`'s (whatif.compare on the two plan folders), so the page
and the CLI agree; a run recorded by the CLI is compared through the folder the service
exports from the registry. Relaxing applies the explanation's scenario patch
(whatif.explain.apply_patch) to the run's scenario and queues it as a new run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from optimiser.errors import InputError
from optimiser.report import i18n
from optimiser.web.i18n import words
from optimiser.web.jobs import PoolFull
from optimiser.web.plan_view import PLANNED, dataset_id, least_patch, relaxed_yaml
from optimiser.web.rendering import check_csrf, page_language, render
from optimiser.web.service import RUN_ID, Service, UnknownDataset

router = APIRouter(include_in_schema=False)
DECIMALS = {"objective": 2, "unmet_need_before": 1, "unmet_need_after": 1,
            "shortfall_doctors": 1, "unmet_need": 1, "shortfall": 1}
REGION_METRICS = ("posts", "foreign", "unmet_need")
MAX_ROWS = 300
"""Delegation changes shown; the rest are counted (the CLI's comparison has them all)."""


def _service(request: Request) -> Service:
    return request.app.state.service


def _plain(value: Any) -> Any:  # noqa: ANN401 - a cell of a comparison table
    """None for missing cells, Python numbers otherwise (for data-v and sums)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _pair(metric: str, a: Any, b: Any, lang: str) -> dict[str, Any]:  # noqa: ANN401
    """A, B and B - A of one figure, raw (`v`) and formatted."""
    a, b = _plain(a), _plain(b)
    decimals = DECIMALS.get(metric, 0)
    if not decimals:  # counts stay whole numbers (long tables mix them with floats)
        a, b = (int(v) if isinstance(v, float) and v.is_integer() else v for v in (a, b))
    change = None if a is None or b is None else b - a
    shown = i18n.number(change, lang, decimals)
    if change is not None and round(change, decimals) > 0:
        shown = i18n.isolate("+" + shown, lang)
    return {"a": a, "b": b, "change": change, "a_text": i18n.number(a, lang, decimals),
            "b_text": i18n.number(b, lang, decimals), "change_text": shown,
            "changed": change is not None and abs(change) > 1e-9}


def _names(documents: list[dict], key: str, code: str) -> dict[str, tuple[str, str]]:
    """Code -> (French, Arabic) name of regions or delegations, over both plans."""
    names: dict[str, tuple[str, str]] = {}
    for document in documents:
        for item in document.get(key) or []:
            names.setdefault(str(item.get(code)), (str(item.get("name_fr") or item.get(code)),
                                                   str(item.get("name_ar") or "")))
    return names


def comparison_view(folders: tuple[Path, Path], lang: str) -> dict[str, Any]:
    """Summary, regions and changed delegations of plan B against plan A (the base)."""
    from optimiser.whatif.compare import compare, load_side

    sides = [load_side(folder, None) for folder in folders]
    for side, key in zip(sides, ("A", "B"), strict=True):
        side.name = key  # the columns of the tables; two runs of one scenario stay apart
    result = compare(sides)
    t = words(lang)

    def t_metric(metric: str) -> str:
        return t.get(f"plan_metric_{metric}", metric)

    summary = [{"metric": row["metric"], "label": t_metric(row["metric"]),
                **_pair(row["metric"], row["A"], row["B"], lang)}
               for row in result.summary.to_dict(orient="records") if row["metric"] != "status"]
    documents = [side.document for side in sides]
    regions = _names(documents, "regions", "region")
    delegations = _names(documents, "delegation_info", "delegation")
    by_region = []
    frame = result.by_region
    for region in dict.fromkeys(frame["region"].tolist()) if not frame.empty else ():
        rows = frame[frame["region"] == region].set_index("metric")
        fr, ar = regions.get(region, (region, ""))
        by_region.append({"code": region, "name": i18n.name(fr, ar, lang), "cells": [
            _pair(m, *(rows.at[m, k] if m in rows.index else None for k in ("A", "B")), lang)
            for m in REGION_METRICS]})
    changes = []
    for row in result.delegation_changes.to_dict(orient="records"):
        fr, ar = delegations.get(row["delegation"], (row["delegation"], ""))
        rfr, rar = regions.get(row["region"], (row["region"], ""))
        changes.append({"delegation": row["delegation"], "name": i18n.name(fr, ar, lang),
                        "region": i18n.name(rfr, rar, lang), "specialty": row["specialty"],
                        "metric": row["metric"], "label": t_metric(row["metric"]),
                        **_pair(row["metric"], row.get("A"), row.get("B"), lang)})
    return {"summary": summary, "regions": by_region,
            "region_labels": [t_metric(m) for m in REGION_METRICS],
            "changes": changes[:MAX_ROWS], "more": max(0, len(changes) - MAX_ROWS),
            "sides": [{"scenario": str(side.document.get("scenario") or ""),
                       "description": str(side.document.get("description") or "")}
                      for side in sides]}


def _default_b(runs: list[dict], a: str | None) -> str | None:
    """The adopted run when it is not A, else the newest other run with a plan."""
    adopted = [r["id"] for r in runs if r.get("decision") == "adopted" and r["id"] != a]
    others = [r["id"] for r in runs if r["id"] != a]
    return (adopted or others or [None])[0]


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
    """Two selects of runs with a plan, then the differences of B against A."""
    service = _service(request)
    lang = page_language(request)
    for given in (a, b):
        if given and not RUN_ID.fullmatch(given):
            raise HTTPException(404, "no such run")
    runs = [r for r in service.runs(200) if r.get("status") in PLANNED]
    a = a or (runs[0]["id"] if runs else None)
    b = b or _default_b(runs, a)
    choices = list(runs)
    known = {r["id"] for r in runs}
    choices += [{"id": x, "scenario": ""} for x in (a, b) if x and x not in known]
    view, sides = None, []
    if a and b and a != b:
        folders = (service.plan_folder(a), service.plan_folder(b))
        if folders[0] is None or folders[1] is None:
            raise HTTPException(404, "no plan for this run")
        view = comparison_view((folders[0], folders[1]), lang)
        sides = [{"id": run_id, **side} for run_id, side in zip((a, b), view["sides"],
                                                                  strict=True)]
    return render(request, "compare.html", choices=choices, a=a, b=b, view=view,
                  sides=sides, same=bool(a) and a == b)


@router.post("/runs/{run_id}/relax", response_model=None)
def relax_submit(request: Request, run_id: str,
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Queue the infeasible run's scenario with its least relaxation; go to the new run."""
    check_csrf(request, csrf_token)
    service = _service(request)
    state = service.state(run_id) if RUN_ID.fullmatch(run_id) else None
    if state is None:
        raise HTTPException(404, "no such run")
    patch = least_patch(state.get("conflict"))
    if state.get("status") != "infeasible" or patch is None or not state.get("scenario_yaml"):
        raise HTTPException(409, "this run has no relaxation a scenario can make")
    chosen = dataset_id(service, state)
    if chosen is None:
        raise HTTPException(409, "the run's dataset is not one of this service's datasets")
    try:
        text = relaxed_yaml(state["scenario_yaml"], patch)
        new_id = service.submit(chosen, text, user=getattr(request.state, "user", None))
    except (InputError, ValueError, UnknownDataset) as exc:
        raise HTTPException(409, "the relaxed scenario is not valid") from exc
    except PoolFull as exc:
        raise HTTPException(503, "too many runs waiting", {"Retry-After": "5"}) from exc
    return RedirectResponse(f"/runs/{new_id}?lang={page_language(request)}", status_code=303)

