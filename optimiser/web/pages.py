"""Server-rendered pages (Jinja2, autoescaped): run history, scenario form, run page, adopt.

Forms post with a double-submit CSRF token (`security.csrf_ok`); pages poll with a meta
refresh rather than scripts, so nothing is loaded from outside the service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from optimiser.errors import InputError
from optimiser.registry.store import RunNotFound
from optimiser.registry.url import RegistryError
from optimiser.web.i18n import language
from optimiser.web.jobs import PoolFull
from optimiser.web.rendering import check_csrf, render
from optimiser.web.service import Service, UnknownDataset, public_issues

FINISHED = ("optimal", "feasible", "infeasible", "error", "cancelled")
router = APIRouter(include_in_schema=False)


def _service(request: Request) -> Service:
    return request.app.state.service


@router.get("/", response_class=HTMLResponse)
def runs_page(request: Request) -> HTMLResponse:
    """The runs, newest first."""
    return render(request, "runs.html", runs=_service(request).runs(200))


@router.get("/runs/new", response_class=HTMLResponse)
def new_page(request: Request) -> HTMLResponse:
    """The scenario form."""
    service = _service(request)
    return render(request, "new.html", datasets=_datasets(service), dataset="default",
                   scenario_yaml="name: my-scenario\ndescription: \"\"\n", errors=[])


def _datasets(service: Service) -> list:
    return [service.datasets.info(i) for i in service.datasets.ids()]


@router.post("/runs/new", response_model=None)
def new_submit(request: Request, dataset: Annotated[str, Form(max_length=64)],
               scenario_yaml: Annotated[str, Form(max_length=1_000_000)],
               csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Queue the scenario and go to its page (the form again, with the errors, if bad)."""
    check_csrf(request, csrf_token)
    service = _service(request)
    lang = language(request.query_params.get("lang"))
    try:
        run_id = service.submit(dataset, scenario_yaml)
    except InputError as exc:
        return render(request, "new.html", 422, datasets=_datasets(service), dataset=dataset,
                       scenario_yaml=scenario_yaml, errors=public_issues(exc))
    except UnknownDataset as exc:
        raise HTTPException(422, "no such dataset") from exc
    except PoolFull as exc:
        raise HTTPException(503, "too many runs waiting", {"Retry-After": "5"}) from exc
    return RedirectResponse(f"/runs/{run_id}?lang={lang}", status_code=303)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    """Progress (refreshing until done), then the plan's links, conflict or messages."""
    service = _service(request)
    state = service.state(run_id)
    if state is None:
        raise HTTPException(404, "no such run")
    return render(request, "run.html", run=state, finished=state["status"] in FINISHED,
                   has_report=service.report_file(run_id, "report.html") is not None)


@router.post("/runs/{run_id}/adopt", response_model=None)
def adopt_submit(request: Request, run_id: str,
                 note: Annotated[str, Form(max_length=10_000)] = "",
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Adopt the run with a note, then back to its page."""
    check_csrf(request, csrf_token)
    try:
        _service(request).adopt(run_id, note)
    except RunNotFound as exc:
        raise HTTPException(404, "no such run") from exc
    except RegistryError as exc:
        raise HTTPException(409, str(exc)) from exc
    lang = language(request.query_params.get("lang"))
    return RedirectResponse(f"/runs/{run_id}?lang={lang}", status_code=303)


@router.get("/runs/{run_id}/report.html")
def report_html(request: Request, run_id: str) -> FileResponse:
    """The run's report, as written into its plan folder."""
    return _file(request, run_id, "report.html", "text/html; charset=utf-8")


@router.get("/runs/{run_id}/plan.xlsx")
def report_xlsx(request: Request, run_id: str) -> FileResponse:
    """The run's Excel workbook."""
    return _file(request, run_id, "plan.xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _file(request: Request, run_id: str, name: str, media_type: str) -> FileResponse:
    path = _service(request).report_file(run_id, name)
    if path is None:
        raise HTTPException(404, f"no {name} for this run")
    return FileResponse(path, media_type=media_type)
