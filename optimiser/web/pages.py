"""Server-rendered pages (Jinja2, autoescaped): run history, scenario form, run page, adopt.

Forms post with a double-submit CSRF token (`security.csrf_ok`); pages poll with a meta
refresh rather than scripts, so nothing is loaded from outside the service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from optimiser.registry.store import RunNotFound
from optimiser.registry.url import RegistryError
from optimiser.web.datasets import DEFAULT_ID
from optimiser.web.i18n import language
from optimiser.web.plan_view import history, run_context
from optimiser.web.rendering import check_csrf, page_language, render
from optimiser.web.service import Service

FINISHED = ("optimal", "feasible", "infeasible", "error", "cancelled")
router = APIRouter(include_in_schema=False)


def _service(request: Request) -> Service:
    return request.app.state.service


@router.get("/", response_class=HTMLResponse)
def runs_page(request: Request) -> HTMLResponse:
    """The runs, newest first, under a box to start from the embedded dataset (on a fresh
    machine the history is empty and this box is the way in)."""
    service = _service(request)
    return render(request, "runs.html", runs=history(service, page_language(request)),
                  start=service.datasets.info(DEFAULT_ID), baseline_yaml=_baseline_yaml())


def _baseline_yaml() -> str:
    """The embedded dataset's baseline scenario (what `optimiser solve` runs by default)."""
    from optimiser.pipeline import BASELINE_SCENARIO

    if BASELINE_SCENARIO.is_file():
        return BASELINE_SCENARIO.read_text(encoding="utf-8")
    return "name: baseline\ndescription: baseline parameters\n"


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    """Progress (refreshing until done), then the plan's links, conflict or messages."""
    service = _service(request)
    state = service.state(run_id)
    if state is None:
        raise HTTPException(404, "no such run")
    return render(request, "run.html", run=state, finished=state["status"] in FINISHED,
                   has_report=service.report_file(run_id, "report.html") is not None,
                   **run_context(service, state, page_language(request)))


@router.post("/runs/{run_id}/adopt", response_model=None)
def adopt_submit(request: Request, run_id: str,
                 note: Annotated[str, Form(max_length=10_000)] = "",
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Adopt the run with a note, then back to its page."""
    check_csrf(request, csrf_token)
    try:
        _service(request).adopt(run_id, note, getattr(request.state, "user", None))
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


@router.get("/runs/{run_id}/plan.json")
def report_json(request: Request, run_id: str) -> FileResponse:
    """The run's plan.json (the plan's data, as `optimiser solve` wrote it)."""
    return _file(request, run_id, "plan.json", "application/json")


def _file(request: Request, run_id: str, name: str, media_type: str) -> FileResponse:
    path = _service(request).report_file(run_id, name)
    if path is None:
        raise HTTPException(404, f"no {name} for this run")
    return FileResponse(path, media_type=media_type)
