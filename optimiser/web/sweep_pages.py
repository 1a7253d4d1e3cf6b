"""Sweeps: a scenario solved over a grid of values, with its charts (pages and JSON API).

The form takes the PATHs and values exactly as `optimiser sweep --vary PATH=VALUES` does;
every point is checked before the sweep is queued, and a bad one is a 422 page listing every
problem. The sweep's page refreshes itself (a meta refresh, no script) until the worker has
written sweep.csv, then shows it as a table with the sweep chart and the Pareto chart.
"""

from __future__ import annotations

import csv
import re
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from optimiser.errors import InputError
from optimiser.report import i18n
from optimiser.web import charts, sweeps
from optimiser.web.api import MAX_SCENARIO_CHARS, RETRY_AFTER_S, Errors, errors_response
from optimiser.web.i18n import words
from optimiser.web.jobs import PoolFull
from optimiser.web.rendering import check_csrf, page_language, render
from optimiser.web.service import Service, UnknownDataset, public_issues
from optimiser.whatif.sweep import grid

router = APIRouter()
RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
PATH_FORMS = ("parameters.NAME", "overrides.norm_multiplier.SPEC",
              "overrides.priority_weight.DELEG", "overrides.posts.SPEC.PROMOTION",
              "overrides.contingent_size.CONT.SPEC", "overrides.capacity.DELEG.SPEC",
              "constraints.NAME.min|max|fix")
DEFAULT_FORM = {"scenario_yaml": "name: my-sweep\ndescription: \"\"\n",
                "path1": "parameters.budget", "values1": "0:1000000:250000",
                "path2": "", "values2": ""}


def _service(request: Request) -> Service:
    return request.app.state.service


def _vary_texts(path1: str, values1: str, path2: str, values2: str) -> list[str]:
    """The form's PATH and values fields as `--vary` texts (an empty second pair is no PATH)."""
    pairs = [(path1, values1), (path2, values2)]
    return [f"{p.strip()}={v.strip()}" for p, v in pairs if p.strip() or v.strip()]


def _list_page(request: Request, form: dict[str, str], errors: list[dict],
               status: int = 200, dataset: str = "default", from_run: str | None = None,
               ) -> HTMLResponse:
    service = _service(request)
    datasets = [service.datasets.info(i) for i in service.datasets.ids()]
    return render(request, "sweeps.html", status, sweeps=sweeps.list_sweeps(service),
                  datasets=datasets, dataset=dataset, form=form, errors=errors,
                  from_run=from_run, cap=sweeps.point_cap(), path_forms=PATH_FORMS)


@router.get("/sweeps", response_class=HTMLResponse, include_in_schema=False)
def sweeps_page(request: Request,
                from_run: Annotated[str | None, Query(alias="from", max_length=64)] = None,
                ) -> HTMLResponse:
    """The sweeps and the form; `?from=<run id>` starts from that run's scenario."""
    form, dataset = dict(DEFAULT_FORM), "default"
    if from_run is not None:
        service = _service(request)
        state = service.state(from_run) if RUN_ID.match(from_run) else None
        if state is None or not state.get("scenario_yaml"):
            raise HTTPException(404, "no such run")
        form["scenario_yaml"] = state["scenario_yaml"]
        dataset = _dataset_id(service, state.get("dataset"))
    return _list_page(request, form, [], dataset=dataset, from_run=from_run)


def _dataset_id(service: Service, folder: str | None) -> str:
    """The id of the dataset a run was solved on (its folder as recorded), else `default`."""
    for dataset_id in service.datasets.ids():
        if folder is not None and str(service.datasets.folder(dataset_id)) == folder:
            return dataset_id
    return "default"


@router.post("/sweeps", response_model=None, include_in_schema=False)
def sweeps_submit(request: Request, dataset: Annotated[str, Form(max_length=64)],
                  scenario_yaml: Annotated[str, Form(max_length=MAX_SCENARIO_CHARS)],
                  path1: Annotated[str, Form(max_length=500)] = "",
                  values1: Annotated[str, Form(max_length=10_000)] = "",
                  path2: Annotated[str, Form(max_length=500)] = "",
                  values2: Annotated[str, Form(max_length=10_000)] = "",
                  csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Check every point and queue the sweep (303 to its page), or the form with the errors."""
    check_csrf(request, csrf_token)
    form = {"scenario_yaml": scenario_yaml, "path1": path1, "values1": values1,
            "path2": path2, "values2": values2}
    try:
        sweep_id = sweeps.submit_sweep(_service(request), dataset, scenario_yaml,
                                       _vary_texts(path1, values1, path2, values2),
                                       getattr(request.state, "user", None))
    except InputError as exc:
        return _list_page(request, form, public_issues(exc), 422, dataset)
    except UnknownDataset as exc:
        raise HTTPException(422, "no such dataset") from exc
    except PoolFull as exc:
        raise HTTPException(503, "too many runs waiting", {"Retry-After": RETRY_AFTER_S}) from exc
    return RedirectResponse(f"/sweeps/{sweep_id}?lang={page_language(request)}",
                            status_code=303)


def _cells(path: Any) -> tuple[list[str], list[list[str]]]:  # noqa: ANN401 - a Path
    """sweep.csv as text: its header and rows, shown as the file has them."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return (rows[0], rows[1:]) if rows else ([], [])


def _charts(state: dict, path: Any, lang: str) -> dict[str, Any]:  # noqa: ANN401
    """The two SVG charts and the Pareto table of a complete sweep."""
    t = words(lang)
    varies = sweeps.varies_of(state)
    table = pd.read_csv(path)
    front = charts.pareto(table, varies)
    x_label = t["posts_allocated"] if front.axis == charts.POSTS else front.axis
    points = grid(varies)
    rows = [{"number": position + 1, "values": [points[position][v.path] for v in varies],
             "x": i18n.number(x, lang, 0 if float(x).is_integer() else 2),
             "y": i18n.number(y, lang, 2)} for position, x, y in front.front]
    return {"sweep_svg": charts.sweep_chart(table, varies, state["scenario"], t, lang),
            "pareto_svg": charts.pareto_chart(front, state["scenario"], x_label, t, lang),
            "pareto_rows": rows, "x_label": x_label,
            "x_is_path": front.axis in {v.path for v in varies}}


@router.get("/sweeps/{sweep_id}", response_class=HTMLResponse, include_in_schema=False)
def sweep_page(request: Request, sweep_id: str) -> HTMLResponse:
    """Progress (refreshing until done), then the table, the charts and the Pareto front."""
    service = _service(request)
    state = sweeps.sweep_state(service, sweep_id)
    if state is None:
        raise HTTPException(404, "no such sweep")
    path = sweeps.sweep_csv(service.settings.root, sweep_id)
    header, rows = _cells(path) if path is not None else ([], [])
    extra = _charts(state, path, page_language(request)) \
        if state["status"] == "done" and path is not None else {}
    try:
        dataset_name = service.datasets.info(state["dataset"]).name
    except KeyError:  # the dataset was removed since
        dataset_name = state["dataset"]
    return render(request, "sweep.html", sweep=state, header=header, rows=rows,
                  dataset_name=dataset_name,
                  scenario_yaml=sweeps.scenario_text(service.settings.root, sweep_id),
                  **extra)


@router.post("/sweeps/{sweep_id}/cancel", response_model=None, include_in_schema=False)
def sweep_cancel(request: Request, sweep_id: str,
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Cancel a queued sweep, or stop a running one (the points solved so far are kept)."""
    check_csrf(request, csrf_token)
    service = _service(request)
    if sweeps.sweep_state(service, sweep_id) is None:
        raise HTTPException(404, "no such sweep")
    service.pool.cancel(sweep_id)
    return RedirectResponse(f"/sweeps/{sweep_id}?lang={page_language(request)}",
                            status_code=303)


@router.get("/sweeps/{sweep_id}/sweep.csv", include_in_schema=False)
def sweep_download(request: Request, sweep_id: str) -> FileResponse:
    """sweep.csv as `optimiser sweep` writes it."""
    path = sweeps.sweep_csv(_service(request).settings.root, sweep_id)
    if path is None:
        raise HTTPException(404, "no sweep.csv for this sweep")
    return FileResponse(path, media_type="text/csv; charset=utf-8",
                        filename=f"{sweep_id}.csv")


class SweepRequest(BaseModel):
    """POST /api/sweeps: a scenario (YAML text) on a dataset, one or two `PATH=VALUES`."""

    dataset: str = Field("default", max_length=64)
    scenario_yaml: str = Field(max_length=MAX_SCENARIO_CHARS)
    vary: list[Annotated[str, Field(max_length=10_000)]] = Field(
        min_length=1, max_length=2, description="As `optimiser sweep --vary`: PATH=v1,v2,... "
                                                "or PATH=a:b:step")


class SweepAccepted(BaseModel):
    """202: the sweep's id (poll GET /api/sweeps/{id})."""

    id: str


class SweepState(BaseModel, extra="allow"):
    """A sweep: what was asked, its status and progress; `rows` (sweep.csv) and `pareto`
    (grid positions of the non-dominated points, 0-based) once done."""

    id: str
    status: str
    done: int
    points: int
    rows: list[dict[str, Any]] | None = None
    pareto: dict[str, Any] | None = None


@router.post("/api/sweeps", status_code=202, response_model=SweepAccepted,
             responses={422: {"model": Errors}, 503: {}})
def create_sweep(request: Request, body: SweepRequest) -> JSONResponse:
    """Check every point of the grid, then queue the sweep."""
    try:
        sweep_id = sweeps.submit_sweep(_service(request), body.dataset, body.scenario_yaml,
                                       body.vary, getattr(request.state, "user", None))
    except InputError as exc:
        return errors_response(public_issues(exc))
    except UnknownDataset:
        return errors_response([{"file": "dataset", "line": None, "column": None,
                                 "value": body.dataset[:80], "message": "no such dataset"}])
    except PoolFull:
        return JSONResponse({"detail": "too many runs waiting: try again shortly"},
                            status_code=503, headers={"Retry-After": RETRY_AFTER_S})
    return JSONResponse({"id": sweep_id}, status_code=202)


@router.get("/api/sweeps/{sweep_id}", response_model=SweepState)
def get_sweep(request: Request, sweep_id: str) -> dict[str, Any]:
    """Queued or running with progress, then the rows of sweep.csv and the Pareto front."""
    service = _service(request)
    state = sweeps.sweep_state(service, sweep_id)
    if state is None:
        raise HTTPException(404, "no such sweep")
    path = sweeps.sweep_csv(service.settings.root, sweep_id)
    if path is not None:
        table = pd.read_csv(path)
        state["rows"] = table.astype(object).where(table.notna(), None).to_dict("records")
        if state["status"] == "done":
            front = charts.pareto(table, sweeps.varies_of(state))
            state["pareto"] = {"x": front.axis, "front": [p[0] for p in front.front]}
    return state
